/**
 * The sync job for one mailbox (ARCHITECTURE.md "The sync job"), serialised per mailbox by the
 * queue's sessions. Reads like the story: load, defer in quiet hours, plan, apply, remember.
 * Transient and configuration errors are thrown for run-mailbox-job.ts to schedule or report.
 */
import type { MailboxJob } from '../queue/mailbox-job.js';
import type { Mailbox, StoredMailbox } from '../store/mailbox-repository.js';
import { isConcurrencyConflict } from '../store/table-errors.js';
import { applyOperations, clearActivities, type ApplyResult } from './apply-operations.js';
import { actOnLifecycleEvent, type LifecycleAction } from './graph-lifecycle-job.js';
import { isQuiet, quietPeriodEnd } from './pacing.js';
import { planMailbox, type MailboxPlan } from './plan-mailbox.js';
import { deferredMessageId } from '../queue/message-id.js';
import type { SyncDeps } from './sync-deps.js';

export type SyncOutcome =
  | { readonly status: 'synced'; readonly mode: 'full' | 'delta'; readonly upserted: number; readonly deleted: number; readonly rejected: number; readonly requests: number }
  | { readonly status: 'cleared'; readonly deleted: number; readonly state: string }
  | { readonly status: 'invalid'; readonly reason: string }
  | { readonly status: 'disabled'; readonly reason: string }
  | { readonly status: 'deferred'; readonly until: string }
  | { readonly status: 'lifecycle'; readonly action: LifecycleAction }
  | { readonly status: 'unknown-mailbox' };

/** States in which a mailbox is synced; a failing one keeps being tried so it recovers by itself. */
const SYNCED_STATES = new Set(['active', 'failing']);

/**
 * `redelivered`: an earlier delivery of this message ended without settling it (a crash or a
 * lost lock), so it may have recorded activities without saving the mailbox.
 */
export async function syncMailbox(deps: SyncDeps, job: MailboxJob, redelivered = false): Promise<SyncOutcome> {
  const mailbox = await deps.store.mailboxes.get(job.mailboxKey);
  if (!mailbox) return { status: 'unknown-mailbox' };
  const log = deps.logger.child({ mailbox: mailbox.key });

  if (!SYNCED_STATES.has(mailbox.state)) return clearInactive(deps, mailbox);

  const now = deps.now().getTime();
  const quiet = deps.config.sync.subscribeOff;
  if (isQuiet(now, quiet)) {
    const until = new Date(quietPeriodEnd(now, quiet));
    await deps.queue.send(
      { ...job, enqueuedAt: deps.now().toISOString() },
      { messageId: deferredMessageId(mailbox.key, until, job.full, job.lifecycle?.event), scheduledAt: until },
    );
    log.info('sync.deferred', { until: until.toISOString(), reason: job.reason });
    return { status: 'deferred', until: until.toISOString() };
  }

  if (job.lifecycle) {
    const action = await actOnLifecycleEvent(deps, mailbox, job.lifecycle);
    // reauthorizationRequired loses no change: only removal and `missed` need the full sync.
    if (!job.full) return { status: 'lifecycle', action };
  }

  const plan = await planMailbox(deps, mailbox, { full: job.full, recount: redelivered || mailbox.failures > 0 });
  if (plan.kind === 'unavailable') {
    log.warn('sync.mailbox-invalid', { reason: plan.reason });
    await saveMailbox(deps, mailbox, (m) => ({ ...m, state: 'invalid', stateReason: plan.reason, syncToken: undefined }));
    await clearActivities(deps, mailbox);
    return { status: 'invalid', reason: plan.reason };
  }

  const applied = await applyOperations(deps, mailbox, plan.operations);
  if (applied.unknownUser) return disableUnknownUser(deps, mailbox);

  // Only now, with every operation acknowledged, may the token advance (nothing lost).
  let activityCount = plan.activityCountBefore;
  for (const id of applied.upsertedIds) if (!plan.heldBefore.has(id)) activityCount += 1;
  for (const id of applied.deletedIds) if (plan.heldBefore.has(id)) activityCount -= 1;
  await saveMailbox(deps, mailbox, (m) => afterSync(m, plan, applied, activityCount, deps.now().toISOString()));
  log.info('sync.done', {
    mode: plan.fetched.mode,
    profile: plan.provider.profileName,
    reason: job.reason,
    events: plan.mapped.activities.length,
    skipped: plan.mapped.skipped.length,
    upserted: applied.upsertedIds.length,
    deleted: applied.deletedIds.length,
    rejected: applied.rejected.length,
    requests: plan.fetched.requests,
  });
  return {
    status: 'synced',
    mode: plan.fetched.mode,
    upserted: applied.upsertedIds.length,
    deleted: applied.deletedIds.length,
    rejected: applied.rejected.length,
    requests: plan.fetched.requests,
  };
}

function afterSync(m: Mailbox, plan: MailboxPlan, applied: ApplyResult, activityCount: number, at: string): Mailbox {
  return {
    ...m,
    state: m.state === 'failing' ? 'active' : m.state,
    stateReason: m.state === 'failing' ? undefined : m.stateReason,
    profile: plan.provider.profileName,
    provider: plan.provider.kind,
    syncToken: plan.fetched.nextSyncToken,
    window: plan.tokenWindow,
    configHash: plan.configHash,
    directoryId: plan.fetched.directoryUser?.id,
    directoryIdAddress: plan.fetched.directoryUser?.address,
    timeZone: plan.timeZone,
    automaticRepliesSince: plan.automaticRepliesSince,
    lastSyncAt: at,
    lastSyncMode: plan.fetched.mode,
    lastError: applied.rejected.length > 0 ? `CMG refused ${applied.rejected.length} activit${applied.rejected.length === 1 ? 'y' : 'ies'} (${[...new Set(applied.rejected.map((r) => r.code))].join(', ')})` : undefined,
    lastErrorAt: applied.rejected.length > 0 ? at : undefined,
    failures: 0,
    activityCount,
  };
}

async function clearInactive(deps: SyncDeps, mailbox: StoredMailbox): Promise<SyncOutcome> {
  const cleared = await clearActivities(deps, mailbox);
  if (mailbox.state === 'disabled' && mailbox.stateReason === 'removed from CMG') {
    await deps.store.mailboxes.delete(mailbox.key);
  } else if (mailbox.activityCount !== 0 || mailbox.syncToken) {
    await saveMailbox(deps, mailbox, (m) => ({ ...m, activityCount: 0, syncToken: undefined }));
  }
  if (cleared.deletedIds.length > 0) deps.logger.info('sync.cleared', { mailbox: mailbox.key, state: mailbox.state, deleted: cleared.deletedIds.length });
  return { status: 'cleared', deleted: cleared.deletedIds.length, state: mailbox.state };
}

async function disableUnknownUser(deps: SyncDeps, mailbox: StoredMailbox): Promise<SyncOutcome> {
  const reason = 'CMG does not know this user';
  deps.logger.warn('sync.unknown-user', { mailbox: mailbox.key });
  await deps.store.activities.deleteAllForMailbox(mailbox.key);
  await saveMailbox(deps, mailbox, (m) => ({ ...m, state: 'disabled', stateReason: reason, syncToken: undefined, activityCount: 0 }));
  return { status: 'disabled', reason };
}

/**
 * Writes the mailbox with its ETag; when the roster refresh wrote it meanwhile, re-reads and
 * applies the same change to the fresh row (the job owns the sync fields, the roster the rest).
 */
export async function saveMailbox(deps: SyncDeps, read: StoredMailbox, change: (m: Mailbox) => Mailbox): Promise<void> {
  let current: StoredMailbox | undefined = read;
  for (let attempt = 0; attempt < 5 && current; attempt += 1) {
    const { etag, ...row } = current;
    try {
      await deps.store.mailboxes.update(change(row), etag);
      return;
    } catch (error) {
      if (!isConcurrencyConflict(error)) throw error;
      current = await deps.store.mailboxes.get(read.key);
    }
  }
  if (current) throw new Error(`Mailbox ${read.key} kept changing under the sync job`);
}
