/**
 * HTTP: Exchange push notifications (EWS SendNotification). The route names our subscription and
 * carries its secret; the answer is a SendNotificationResult envelope (OK or Unsubscribe).
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { handleEwsNotification } from '../shared/sync/push/ews-notification-jobs.js';
import { answeredEarly, answerWebhook } from './webhook-answer.js';
import { readXmlBody } from './webhook-body.js';

const SOAP_ANSWER = { 'content-type': 'text/xml; charset=utf-8' };

export async function ewsNotifications(request: HttpRequest): Promise<HttpResponseInit> {
  const body = await readXmlBody(request);
  if (!body.ok) return answeredEarly('ews-notifications', body.response);
  const id = request.params.id ?? '';
  const secret = request.params.secret ?? '';
  return answerWebhook('ews-notifications', async (deps) => {
    // A throw (queue or table unreachable) answers 500: Exchange sends the notification again.
    const result = await handleEwsNotification(deps, { id, secret, body: body.value });
    return result.body === undefined ? { status: result.status } : { status: result.status, headers: SOAP_ANSWER, body: result.body };
  });
}

app.http('ews-notifications', { methods: ['POST'], authLevel: 'anonymous', route: 'ews-notifications/{id}/{secret}', handler: ewsNotifications });
