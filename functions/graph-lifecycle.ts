/**
 * HTTP: Graph lifecycle notifications (reauthorizationRequired, subscriptionRemoved, missed).
 * Answers 202 at once: the renewal or re-creation runs in the mailbox's job.
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { GraphNotificationCollection, handleGraphLifecycle } from '../shared/sync/push/graph-notification-jobs.js';
import { answeredEarly, answerWebhook } from './webhook-answer.js';
import { readJsonBody, validationEcho } from './webhook-body.js';

export async function graphLifecycle(request: HttpRequest): Promise<HttpResponseInit> {
  const echo = validationEcho(request);
  if (echo) return answeredEarly('graph-lifecycle', echo);
  const body = await readJsonBody(request, GraphNotificationCollection);
  if (!body.ok) return answeredEarly('graph-lifecycle', body.response);
  return answerWebhook('graph-lifecycle', async (deps) => {
    // A throw (queue unreachable) answers 500, so Graph delivers the event again.
    const result = await handleGraphLifecycle(deps, body.value);
    return result.enqueued === 0 && result.rejected > 0 ? { status: 403, jsonBody: { error: 'no notification was accepted' } } : { status: 202 };
  });
}

app.http('graph-lifecycle', { methods: ['POST'], authLevel: 'anonymous', route: 'graph-lifecycle', handler: graphLifecycle });
