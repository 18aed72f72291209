/**
 * Exchange push notifications (EWS `SendNotification`, MS-OXWSNTIF): Exchange sends no
 * credentials, so the callback URL names our subscription and carries its secret, checked in
 * constant time like Graph's clientState. Like the other webhooks this only enqueues a job, and
 * writes one log line per request.
 *
 * The answer is the subscription's fate: `OK` keeps it, `Unsubscribe` ends it — the only way to
 * end a push subscription (the Unsubscribe operation is for pull and streaming ones only,
 * MS-OXWSNTIF 3.1.4.4). Every notification, the keep-alive `StatusEvent` included, moves the
 * record's silence deadline on (maintain-subscriptions.ts replaces a subscription that passes
 * it) and keeps the last watermark, from which a replacement resumes.
 */
import { readSendNotification, type SendNotification } from '../../providers/exchange/ews-responses.js';
import { sendNotificationResult } from '../../providers/exchange/ews-requests.js';
import { notificationSend } from '../../queue/message-id.js';
import { secretMatches } from '../../store/secret-hash.js';
import type { SyncDeps } from '../sync-deps.js';
import { exchangeSilentAfter } from './maintain-subscriptions.js';
import { isSubscriptionId, lookUpSubscriptions } from './webhook-lookup.js';

export interface EwsNotificationRequest {
  /** Our subscription id, from the callback URL. */
  readonly id: string;
  /** The secret from the callback URL. */
  readonly secret: string;
  /** The SOAP envelope Exchange posted. */
  readonly body: string;
}

export type EwsNotificationOutcome = 'enqueued' | 'kept-alive' | 'unsubscribed' | 'forged' | 'invalid';

export interface EwsNotificationAnswer {
  readonly outcome: EwsNotificationOutcome;
  readonly status: number;
  /** The SendNotificationResult envelope, for the outcomes Exchange must read. */
  readonly body?: string | undefined;
}

const answer = (outcome: EwsNotificationOutcome, status: number, subscriptionStatus?: 'OK' | 'Unsubscribe'): EwsNotificationAnswer => ({
  outcome,
  status,
  body: subscriptionStatus ? sendNotificationResult(subscriptionStatus) : undefined,
});

export async function handleEwsNotification(deps: SyncDeps, request: EwsNotificationRequest): Promise<EwsNotificationAnswer> {
  // Only ids shaped like ours are logged: anything else is a stranger's text.
  const subscriptionId = isSubscriptionId(request.id) ? request.id : '(malformed)';
  const done = (result: EwsNotificationAnswer, fields: Record<string, unknown> = {}): EwsNotificationAnswer => {
    const line = { subscriptionId, outcome: result.outcome, ...fields };
    if (result.outcome === 'forged' || result.outcome === 'invalid') deps.logger.warn('push.exchange-notified', line);
    else deps.logger.info('push.exchange-notified', line);
    return result;
  };

  const notification = readSendNotification(request.body);
  if ('kind' in notification) return done(answer('invalid', 400), { detail: notification.detail });

  const subscription = (await lookUpSubscriptions(deps.store.subscriptions, 'exchange', [request.id])).found.get(request.id);
  // One we no longer know (replaced, or its mailbox left): Exchange stops sending on this answer.
  if (!subscription) return done(answer('unsubscribed', 200, 'Unsubscribe'));
  if (!secretMatches(request.secret, subscription.secretHash)) return done(answer('forged', 403), { mailbox: subscription.mailboxKey });
  // An older Exchange subscription calling our current URL: ours has another id. Before
  // Exchange answers the Subscribe we do not know the id yet (''), and accept.
  if (subscription.resourceId !== '' && subscription.resourceId !== notification.subscriptionId) {
    return done(answer('unsubscribed', 200, 'Unsubscribe'), { mailbox: subscription.mailboxKey });
  }

  const now = deps.now();
  const changed = notification.events.some((event) => event.type !== 'status');
  deps.telemetry.count('notificationsAccepted', { provider: 'exchange', subscription: subscription.id, kind: changed ? 'change' : 'keep-alive' });
  if (changed) {
    await deps.queue.send(
      { mailboxKey: subscription.mailboxKey, reason: 'notification', full: false, enqueuedAt: now.toISOString() },
      { ...notificationSend(subscription.mailboxKey, now, deps.config.push.notificationWindowMs), traceparent: deps.telemetry.traceparent() },
    );
  }
  await deps.store.subscriptions.upsert({
    ...subscription,
    expiresAt: exchangeSilentAfter(deps, now.getTime()),
    watermark: lastWatermark(notification) ?? subscription.watermark,
  });
  return done(answer(changed ? 'enqueued' : 'kept-alive', 200, 'OK'), { mailbox: subscription.mailboxKey, events: notification.events.length });
}

const lastWatermark = (notification: SendNotification): string | undefined => notification.events.at(-1)?.watermark;
