/**
 * Graph change and lifecycle notifications (https://learn.microsoft.com/graph/change-notifications-delivery-webhooks,
 * https://learn.microsoft.com/graph/change-notifications-lifecycle-events). Change notifications
 * only enqueue jobs — never a call to Graph or CMG — so the webhook answers well within Graph's
 * time budget; duplicate detection collapses a burst for one mailbox into one job per second,
 * delivered at that second's end (message-id.ts).
 */
import { z } from 'zod';
import { lifecycleMessageId, notificationSend } from '../queue/message-id.js';
import type { OutgoingJob } from '../queue/job-queue.js';
import { secretMatches } from '../store/secret-hash.js';
import type { Subscription } from '../store/subscription-repository.js';
import type { SyncDeps } from './sync-deps.js';

const GraphNotification = z
  .object({
    subscriptionId: z.string().min(1).max(200),
    clientState: z.string().max(255).nullish(),
    changeType: z.string().optional(),
    lifecycleEvent: z.enum(['reauthorizationRequired', 'subscriptionRemoved', 'missed']).optional(),
    resource: z.string().optional(),
    subscriptionExpirationDateTime: z.string().optional(),
    tenantId: z.string().optional(),
  })
  .loose();

export const GraphNotificationCollection = z.object({ value: z.array(GraphNotification).min(1).max(1000) }).loose();
export type GraphNotificationCollection = z.infer<typeof GraphNotificationCollection>;
type GraphNotification = z.infer<typeof GraphNotification>;

export interface NotificationResult {
  /** Mailboxes a job was enqueued for. */
  readonly enqueued: number;
  /** Items refused: unknown subscription or wrong clientState. */
  readonly rejected: number;
}

export interface LifecycleResult extends NotificationResult {
  /** reauthorizationRequired items handled by renewing: accepted, though nothing is enqueued. */
  readonly renewed: number;
}

/** Finds the subscription and checks its clientState in constant time; undefined when either fails. */
async function verified(deps: SyncDeps, item: GraphNotification): Promise<Subscription | undefined> {
  const subscription = await deps.store.subscriptions.get('graph', item.subscriptionId);
  if (!subscription) {
    deps.logger.warn('push.graph-unknown-subscription', { subscriptionId: item.subscriptionId });
    return undefined;
  }
  if (!item.clientState || !secretMatches(item.clientState, subscription.secretHash)) {
    deps.logger.warn('push.graph-forged', { subscriptionId: item.subscriptionId, mailbox: subscription.mailboxKey });
    return undefined;
  }
  return subscription;
}

export async function handleGraphNotifications(deps: SyncDeps, body: GraphNotificationCollection): Promise<NotificationResult> {
  const now = deps.now();
  const mailboxes = new Set<string>();
  let rejected = 0;
  for (const item of body.value) {
    const subscription = await verified(deps, item);
    if (subscription) mailboxes.add(subscription.mailboxKey);
    else rejected += 1;
  }
  const jobs: OutgoingJob[] = [...mailboxes].map((mailboxKey) => ({
    job: { mailboxKey, reason: 'notification', full: false, enqueuedAt: now.toISOString() },
    ...notificationSend(mailboxKey, now),
  }));
  if (jobs.length > 0) await deps.queue.sendMany(jobs);
  deps.logger.info('push.graph-notified', { items: body.value.length, enqueued: jobs.length, rejected });
  return { enqueued: jobs.length, rejected };
}

/**
 * reauthorizationRequired → renew; subscriptionRemoved → recreate (next subscriptions run)
 * and a full sync now; missed → a full sync.
 */
export async function handleGraphLifecycle(
  deps: SyncDeps,
  body: GraphNotificationCollection,
  renew: (subscription: Subscription) => Promise<void>,
): Promise<LifecycleResult> {
  const now = deps.now();
  let enqueued = 0;
  let rejected = 0;
  let renewed = 0;
  for (const item of body.value) {
    const subscription = await verified(deps, item);
    if (!subscription || !item.lifecycleEvent) {
      rejected += 1;
      continue;
    }
    const log = deps.logger.child({ mailbox: subscription.mailboxKey, subscriptionId: subscription.id });
    log.info('push.graph-lifecycle', { event: item.lifecycleEvent });
    if (item.lifecycleEvent === 'reauthorizationRequired') {
      await renew(subscription);
      renewed += 1;
      continue;
    }
    if (item.lifecycleEvent === 'subscriptionRemoved') {
      // Forget it: the subscriptions timer creates a new one for the mailbox.
      await deps.store.subscriptions.delete('graph', subscription.id);
    }
    const job: OutgoingJob = {
      job: { mailboxKey: subscription.mailboxKey, reason: 'lifecycle', full: true, enqueuedAt: now.toISOString() },
      messageId: lifecycleMessageId(subscription.mailboxKey, item.lifecycleEvent, now),
    };
    await deps.queue.send(job.job, job);
    enqueued += 1;
  }
  return { enqueued, rejected, renewed };
}
