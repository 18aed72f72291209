/** HTTP: Graph change notifications. Validation handshake, then verify and enqueue; answers 202 without waiting for any sync. */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { GraphNotificationCollection, handleGraphNotifications } from '../shared/sync/push/graph-notification-jobs.js';
import { answeredEarly, answerWebhook } from './webhook-answer.js';
import { readJsonBody, validationEcho } from './webhook-body.js';

export async function graphNotifications(request: HttpRequest): Promise<HttpResponseInit> {
  const echo = validationEcho(request);
  if (echo) return answeredEarly('graph-notifications', echo);
  const body = await readJsonBody(request, GraphNotificationCollection);
  if (!body.ok) return answeredEarly('graph-notifications', body.response);
  return answerWebhook('graph-notifications', async (deps) => {
    // A throw (queue unreachable) answers 500, so Graph delivers the notification again.
    const result = await handleGraphNotifications(deps, body.value);
    return result.enqueued === 0 && result.rejected > 0 ? { status: 403, jsonBody: { error: 'no notification was accepted' } } : { status: 202 };
  });
}

app.http('graph-notifications', { methods: ['POST'], authLevel: 'anonymous', route: 'graph-notifications', handler: graphNotifications });
