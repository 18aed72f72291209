/**
 * Webhook answers counted by endpoint and status (`calsync.webhook.requests`). An answer given
 * before any lookup (the validation handshake, a refused body) needs no dependencies, so it is
 * counted through them only once something built them; the rest run inside the request's span,
 * the first of the trace that the jobs it enqueues continue, and a throw is counted as the 500
 * the host answers with.
 */
import type { HttpResponseInit } from '@azure/functions';
import { builtDeps, getDeps } from '../shared/app/app-context.js';
import type { Telemetry } from '../shared/observability/telemetry.js';
import type { SyncDeps } from '../shared/sync/sync-deps.js';

export type WebhookEndpoint = 'graph-notifications' | 'graph-lifecycle' | 'google-notifications' | 'ews-notifications';

const count = (telemetry: Telemetry | undefined, endpoint: WebhookEndpoint, status: number): void =>
  telemetry?.count('webhookRequests', { endpoint, status: String(status) });

/** An answer given without the dependencies. */
export function answeredEarly(endpoint: WebhookEndpoint, response: HttpResponseInit): HttpResponseInit {
  count(builtDeps()?.telemetry, endpoint, response.status ?? 200);
  return response;
}

/** The part of the request that looks up and enqueues, in the request's span. */
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
        count(deps.telemetry, endpoint, status);
      }
    },
    { kind: 'server', attributes: { 'http.route': `/api/${endpoint}` } },
  );
}
