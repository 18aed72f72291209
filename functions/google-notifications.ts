/** HTTP: Google Calendar push notifications; the channel id and token come as X-Goog-* headers. */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { answeredEarly, answerWebhook } from './webhook-answer.js';
import { GoogleNotificationHeaders, handleGoogleNotification } from '../shared/sync/push/google-notification-jobs.js';

export async function googleNotifications(request: HttpRequest): Promise<HttpResponseInit> {
  const header = (name: string): string | undefined => request.headers.get(name) ?? undefined;
  const parsed = GoogleNotificationHeaders.safeParse({
    channelId: header('x-goog-channel-id'),
    token: header('x-goog-channel-token'),
    resourceState: header('x-goog-resource-state'),
    resourceId: header('x-goog-resource-id'),
    messageNumber: header('x-goog-message-number'),
  });
  if (!parsed.success) return answeredEarly('google-notifications', { status: 400, jsonBody: { error: 'missing or invalid X-Goog-* headers' } });
  return answerWebhook('google-notifications', async (deps) => {
    switch (await handleGoogleNotification(deps, parsed.data)) {
      case 'unknown-channel':
        return { status: 404 };
      case 'forged':
        return { status: 403 };
      default:
        return { status: 200 };
    }
  });
}

app.http('google-notifications', { methods: ['POST'], authLevel: 'anonymous', route: 'google-notifications', handler: googleNotifications });
