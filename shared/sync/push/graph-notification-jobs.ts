/**
 * Graph change and lifecycle notifications (https://learn.microsoft.com/graph/change-notifications-delivery-webhooks,
 * https://learn.microsoft.com/graph/change-notifications-lifecycle-events). Both only enqueue
 * jobs — never a call to Graph or CMG — so the webhook answers well within Graph's 3-second
 * budget; duplicate detection collapses a burst for one mailbox into one job per coalescing
 * window (NOTIFICATION_WINDOW_MS), delivered at that window's end (message-id.ts). Each request costs a bounded number of
 * table reads (webhook-lookup.ts) and writes one log line.
 */
import { z } from 'zod';
import { lifecycleMessageId, notificationSend } from '../../queue/message-id.js';
import type { OutgoingJob } from '../../queue/job-queue.js';
import { LIFECYCLE_EVENTS } from '../../queue/mailbox-job.js';
import { secretMatches } from '../../store/secret-hash.js';
import type { Subscription } from '../../store/subscription-repository.js';
import type { SyncDeps } from '../sync-deps.js';
import { lookUpSubscriptions, type SubscriptionLookup } from './webhook-lookup.js';

const GraphNotification = z
  .object({
    subscriptionId: z.string().min(1).max(200),
    clientState: z.string().max(255).nullish(),
    changeType: z.string().optional(),
    lifecycleEvent: z.enum(LIFECYCLE_EVENTS).optional(),
    resource: z.string().optional(),
    subscriptionExpirationDateTime: z.string().optional(),
    tenantId: z.string().optional(),
  })
  .loose();

export const GraphNotificationCollection = z.object({ value: z.array(GraphNotification).min(1).max(1000) }).loose();
export type GraphNotificationCollection = z.infer<typeof GraphNotificationCollection>;
type GraphNotification = z.infer<typeof GraphNotification>;

export interface NotificationResult {
  /** Jobs enqueued (change notifications: one per mailbox). */
  readonly enqueued: number;
  /** Items refused: malformed or unknown subscription id, wrong clientState, or past a lookup cap. */
  readonly rejected: number;
}

/** The subscriptions of a batch, each item matched to its own and its clientState checked in constant time. */
async function verify(deps: SyncDeps, body: GraphNotificationCollection): Promise<{ accepted: Array<{ item: GraphNotification; subscription: Subscription }>; lookup: SubscriptionLookup; forged: number }> {
  const lookup = await lookUpSubscriptions(deps.store.subscriptions, 'graph', body.value.map((item) => item.subscriptionId));
  const accepted: Array<{ item: GraphNotification; subscription: Subscription }> = [];
  let forged = 0;
  for (const item of body.value) {
    const subscription = lookup.found.get(item.subscriptionId);
    if (!subscription) continue;
    if (item.clientState && secretMatches(item.clientState, subscription.secretHash)) accepted.push({ item, subscription });
    else forged += 1;
  }
  return { accepted, lookup, forged };
}

/** Accepted items counted per subscription (`calsync.notifications.accepted`), so a replay flood of one shows. */
function countAccepted(deps: SyncDeps, kind: 'change' | 'lifecycle', accepted: ReadonlyArray<{ subscription: Subscription }>): void {
  const perSubscription = new Map<string, number>();
  for (const { subscription } of accepted) perSubscription.set(subscription.id, (perSubscription.get(subscription.id) ?? 0) + 1);
  for (const [subscription, count] of perSubscription) deps.telemetry.count('notificationsAccepted', { provider: 'graph', subscription, kind }, count);
}

/** The request's one log line: a warning when anything was refused. */
function summarise(deps: SyncDeps, op: string, body: GraphNotificationCollection, verified: Awaited<ReturnType<typeof verify>>, enqueued: number): NotificationResult {
  const { lookup, forged, accepted } = verified;
  const rejected = body.value.length - accepted.length;
  const fields = { items: body.value.length, ids: lookup.distinct, enqueued, rejected, malformed: lookup.malformed, unknown: lookup.unknown, skipped: lookup.skipped, forged };
  if (rejected > 0) deps.logger.warn(op, fields);
  else deps.logger.info(op, fields);
  return { enqueued, rejected };
}

export async function handleGraphNotifications(deps: SyncDeps, body: GraphNotificationCollection): Promise<NotificationResult> {
  const now = deps.now();
  const verified = await verify(deps, body);
  countAccepted(deps, 'change', verified.accepted);
  const mailboxes = new Set(verified.accepted.map(({ subscription }) => subscription.mailboxKey));
  const jobs: OutgoingJob[] = [...mailboxes].map((mailboxKey) => ({
    job: { mailboxKey, reason: 'notification', full: false, enqueuedAt: now.toISOString() },
    ...notificationSend(mailboxKey, now, deps.config.push.notificationWindowMs),
    traceparent: deps.telemetry.traceparent(),
  }));
  if (jobs.length > 0) await deps.queue.sendMany(jobs);
  return summarise(deps, 'push.graph-notified', body, verified, jobs.length);
}

/**
 * Each lifecycle event becomes a job of its mailbox (graph-lifecycle-job.ts acts on it):
 * reauthorizationRequired renews; subscriptionRemoved recreates and syncs in full; missed
 * syncs in full. Graph repeats events; repeats within 10 s share a message id and collapse.
 */
export async function handleGraphLifecycle(deps: SyncDeps, body: GraphNotificationCollection): Promise<NotificationResult> {
  const now = deps.now();
  const verified = await verify(deps, body);
  countAccepted(deps, 'lifecycle', verified.accepted);
  const jobs = new Map<string, OutgoingJob>();
  for (const { item, subscription } of verified.accepted) {
    const event = item.lifecycleEvent;
    if (!event) continue;
    const messageId = lifecycleMessageId(subscription.mailboxKey, event, now);
    jobs.set(messageId, {
      job: {
        mailboxKey: subscription.mailboxKey,
        reason: 'lifecycle',
        full: event !== 'reauthorizationRequired',
        enqueuedAt: now.toISOString(),
        lifecycle: { event, subscriptionId: subscription.id },
      },
      messageId,
      traceparent: deps.telemetry.traceparent(),
    });
  }
  if (jobs.size > 0) await deps.queue.sendMany([...jobs.values()]);
  return summarise(deps, 'push.graph-lifecycle', body, verified, jobs.size);
}
