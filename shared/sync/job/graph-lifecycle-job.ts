/**
 * The work a Graph lifecycle notification asks for, done in the mailbox's job and not in the
 * webhook: Graph gives a notification endpoint 3 seconds and throttles one that is slower
 * (https://learn.microsoft.com/graph/change-notifications-delivery-webhooks#throttling), while
 * renewing calls Graph. Running in the job also serialises it with the mailbox's syncs and puts
 * it off with them in the quiet period.
 * - reauthorizationRequired: renew (PATCH; recreated when Graph no longer knows it);
 * - subscriptionRemoved: forget it and subscribe anew;
 * - missed: nothing here; the job's full sync catches up.
 * https://learn.microsoft.com/graph/change-notifications-lifecycle-events
 */
import { toAppError } from '../../errors/app-error.js';
import type { LifecycleRequest } from '../../queue/mailbox-job.js';
import type { StoredMailbox } from '../../store/mailbox-repository.js';
import { createSubscription, renewSubscription } from '../push/maintain-subscriptions.js';
import type { SyncDeps } from '../sync-deps.js';

export type LifecycleAction = 'renewed' | 'recreated' | 'none' | 'failed';

/**
 * A failure here is logged and does not fail the job: the mailbox's sync must not wait on its
 * subscription, and the subscriptions timer renews and creates what is still missing.
 */
export async function actOnLifecycleEvent(deps: SyncDeps, mailbox: StoredMailbox, request: LifecycleRequest): Promise<LifecycleAction> {
  const log = deps.logger.child({ mailbox: mailbox.key, subscriptionId: request.subscriptionId });
  try {
    const action = await act(deps, mailbox, request);
    log.info('push.lifecycle-done', { event: request.event, action });
    return action;
  } catch (error) {
    const appError = toAppError(error);
    log.warn('push.lifecycle-failed', { event: request.event, kind: appError.kind, code: appError.code, error: appError.message });
    return 'failed';
  }
}

async function act(deps: SyncDeps, mailbox: StoredMailbox, request: LifecycleRequest): Promise<LifecycleAction> {
  if (request.event === 'missed' || !deps.config.push.webhookBaseUrl) return 'none';
  const subscription = await deps.store.subscriptions.get('graph', request.subscriptionId);
  const provider = mailbox.profile ? deps.providers.byName(mailbox.profile) : undefined;
  // Replaced or deleted meanwhile, or the mailbox is now served by another kind of provider:
  // the subscriptions timer deletes the Graph subscription and subscribes with the new one.
  if (!subscription || subscription.mailboxKey !== mailbox.key || provider?.kind !== 'graph') return 'none';
  if (request.event === 'reauthorizationRequired') {
    await renewSubscription(deps, subscription, provider, mailbox);
    return 'renewed';
  }
  await deps.store.subscriptions.delete('graph', subscription.id);
  await createSubscription(deps, provider, mailbox);
  return 'recreated';
}
