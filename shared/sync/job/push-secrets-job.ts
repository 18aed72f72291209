/**
 * The operator's "replace the push secrets", done in the mailbox's job: every Graph subscription
 * or Google channel of the provider that serves the mailbox is re-created with a new clientState
 * or channel token, so a leaked one stops working (docs/operations.md, "A replay flood"). In the
 * job because it calls the provider: serialised with the mailbox's syncs and put off with them in
 * the quiet period. The job then syncs as usual, which picks up any change whose notification
 * reached the old subscription after it was deleted.
 * A failure is logged and counted (`calsync.subscription.renewals`, `failed`) and does not fail
 * the job: the mailbox's sync must not wait on its subscription, and the operator sees the old
 * subscription still listed in the mailbox's detail and can ask again.
 */
import { toAppError } from '../../errors/app-error.js';
import type { StoredMailbox } from '../../store/mailbox-repository.js';
import { replaceSubscription } from '../push/maintain-subscriptions.js';
import type { SyncDeps } from '../sync-deps.js';

export interface SecretReplacement {
  readonly replaced: number;
  readonly failed: number;
}

export async function replacePushSecrets(deps: SyncDeps, mailbox: StoredMailbox): Promise<SecretReplacement> {
  const log = deps.logger.child({ mailbox: mailbox.key });
  const provider = mailbox.profile ? deps.providers.byName(mailbox.profile) : undefined;
  // Subscriptions of another provider belong to no one any more: the subscriptions timer deletes them.
  const own = !deps.config.push.webhookBaseUrl || !provider ? [] : (await deps.store.subscriptions.listByMailbox(mailbox.key)).filter((s) => s.provider === provider.kind);
  let replaced = 0;
  let failed = 0;
  for (const old of own) {
    try {
      const created = await replaceSubscription(deps, old, provider!, mailbox);
      replaced += 1;
      log.info('push.secret-replaced', { provider: old.provider, oldSubscriptionId: old.id, subscriptionId: created.id });
    } catch (error) {
      failed += 1;
      const appError = toAppError(error);
      log.warn('push.secret-replacement-failed', { provider: old.provider, subscriptionId: old.id, kind: appError.kind, code: appError.code, error: appError.message });
    }
  }
  log.info('push.secrets-done', { replaced, failed });
  return { replaced, failed };
}
