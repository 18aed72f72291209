/**
 * Google Calendar push notifications (https://developers.google.com/calendar/api/guides/push):
 * the channel id and token arrive as headers; `sync` only announces a new channel, `exists`
 * (and `not_exists`) say the calendar changed. Like Graph's, this only enqueues a job, and
 * writes one log line per request.
 */
import { z } from 'zod';
import { notificationSend } from '../../queue/message-id.js';
import { secretMatches } from '../../store/secret-hash.js';
import type { SyncDeps } from '../sync-deps.js';
import { isSubscriptionId, lookUpSubscriptions } from './webhook-lookup.js';

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
  // Only ids shaped like ours are logged: anything else is a stranger's text.
  const channelId = isSubscriptionId(headers.channelId) ? headers.channelId : '(malformed)';
  const done = (outcome: GoogleNotificationResult, mailbox?: string): GoogleNotificationResult => {
    const fields = { channelId, state: headers.resourceState, outcome, ...(mailbox ? { mailbox } : {}) };
    if (outcome === 'unknown-channel' || outcome === 'forged') deps.logger.warn('push.google-notified', fields);
    else deps.logger.info('push.google-notified', fields);
    return outcome;
  };
  // `sync` is sent while events.watch is still answering, so it often arrives before the
  // channel is stored. It announces no change: acknowledged without a lookup, known or not.
  if (headers.resourceState === 'sync') return done('acknowledged');

  const channel = (await lookUpSubscriptions(deps.store.subscriptions, 'google', [headers.channelId])).found.get(headers.channelId);
  if (!channel) return done('unknown-channel');
  const resourceMatches = !headers.resourceId || !channel.resourceId || headers.resourceId === channel.resourceId;
  if (!headers.token || !secretMatches(headers.token, channel.secretHash) || !resourceMatches) return done('forged', channel.mailboxKey);
  // Per channel, so a replay flood of one shows (`calsync.notifications.accepted`).
  deps.telemetry.count('notificationsAccepted', { provider: 'google', subscription: channel.id, kind: 'change' });
  const now = deps.now();
  await deps.queue.send(
    { mailboxKey: channel.mailboxKey, reason: 'notification', full: false, enqueuedAt: now.toISOString() },
    { ...notificationSend(channel.mailboxKey, now, deps.config.push.notificationWindowMs), traceparent: deps.telemetry.traceparent() },
  );
  return done('enqueued', channel.mailboxKey);
}
