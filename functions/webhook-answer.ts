/**
 * A webhook request inside its span, counted by the answer it got (`calsync.webhook.requests`).
 * The span is the first of the trace that the jobs it enqueues continue. A throw is counted as
 * the 500 the host answers with.
 */
import type { HttpResponseInit } from '@azure/functions';
import { getDeps } from '../shared/app/app-context.js';
import type { SyncDeps } from '../shared/sync/sync-deps.js';

export type WebhookEndpoint = 'graph-notifications' | 'graph-lifecycle' | 'google-notifications';

export async function answerWebhook(endpoint: WebhookEndpoint, handle: (deps: SyncDeps) => Promise<HttpResponseInit>): Promise<HttpResponseInit> {
  const deps = await getDeps();
  return deps.telemetry.span(
    `webhook ${endpoint}`,
    async () => {
      let status = 500;
      try {
        const response = await handle(deps);
        status = response.status ?? 200;
        return response;
      } finally {
        deps.telemetry.count('webhookRequests', { endpoint, status: String(status) });
      }
    },
    { kind: 'server', attributes: { 'http.route': `/api/${endpoint}` } },
  );
}
