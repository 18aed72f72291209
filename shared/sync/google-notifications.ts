/**
 * Google Calendar push notifications (https://developers.google.com/calendar/api/guides/push):
 * the channel id and token arrive as headers; `sync` only announces a new channel, `exists`
 * (and `not_exists`) say the calendar changed. Like Graph's, this only enqueues a job.
 */
import { z } from 'zod';
import { notificationSend } from '../queue/message-id.js';
import { secretMatches } from '../store/secret-hash.js';
import type { SyncDeps } from './sync-deps.js';

export const GoogleNotificationHeaders = z.object({
  channelId: z.string().min(1).max(200),
  token: z.string().max(256).optional(),
  resourceState: z.enum(['sync', 'exists', 'not_exists']),
  resourceId: z.string().max(200).optional(),
  messageNumber: z.string().max(32).optional(),
});
export type GoogleNotificationHeaders = z.infer<typeof GoogleNotificationHeaders>;

export type GoogleNotificationResult = 'acknowledged' | 'enqueued' | 'unknown-channel' | 'forged';

export async function handleGoogleNotification(deps: SyncDeps, headers: GoogleNotificationHeaders): Promise<GoogleNotificationResult> {
  const channel = await deps.store.subscriptions.get('google', headers.channelId);
  if (!channel) {
    deps.logger.warn('push.google-unknown-channel', { channelId: headers.channelId });
    return 'unknown-channel';
  }
  const resourceMatches = !headers.resourceId || !channel.resourceId || headers.resourceId === channel.resourceId;
  if (!headers.token || !secretMatches(headers.token, channel.secretHash) || !resourceMatches) {
    deps.logger.warn('push.google-forged', { channelId: headers.channelId, mailbox: channel.mailboxKey });
    return 'forged';
  }
  if (headers.resourceState === 'sync') return 'acknowledged';
  const now = deps.now();
  await deps.queue.send(
    { mailboxKey: channel.mailboxKey, reason: 'notification', full: false, enqueuedAt: now.toISOString() },
    notificationSend(channel.mailboxKey, now),
  );
  deps.logger.info('push.google-notified', { mailbox: channel.mailboxKey, state: headers.resourceState });
  return 'enqueued';
}
