/**
 * The sync job for one mailbox (ARCHITECTURE.md "The sync job"), serialised per mailbox by the
 * queue's sessions. Reads like the story: load, defer in quiet hours, plan, apply, remember.
 * Transient and configuration errors are thrown for run-mailbox-job.ts to schedule or report.
 */
import type { MailboxJob } from '../../queue/mailbox-job.js';
import type { Mailbox, StoredMailbox } from '../../store/mailbox-repository.js';
import { backoffDelay } from '../../errors/retry-after.js';
import { isConcurrencyConflict } from '../../store/concurrency-conflict.js';
import { applyOperations, clearActivities, type ApplyResult } from './apply-operations.js';
import type { RecordRepair } from './cmg-truth.js';
import { actOnLifecycleEvent, type LifecycleAction } from './graph-lifecycle-job.js';
import { isQuiet, quietPeriodEnd } from '../../domain/pacing.js';
import { planMailbox, type MailboxPlan } from './plan-mailbox.js';
import { deferredMessageId } from '../../queue/message-id.js';
import type { SyncDeps } from '../sync-deps.js';

export type SyncOutcome =
  | { readonly status: 'synced'; readonly mode: 'full' | 'delta'; readonly upserted: number; readonly deleted: number; readonly rejected: number; readonly requests: number }
  | { readonly status: 'cleared'; readonly deleted: number; readonly state: string }
  | { readonly status: 'invalid'; readonly reason: string }
  | { readonly status: 'refused'; readonly reason: string }
  | { readonly status: 'held'; readonly reason: string }
  | { readonly status: 'disabled'; readonly reason: string }
  | { readonly status: 'deferred'; readonly until: string }
  | { readonly status: 'lifecycle'; readonly action: LifecycleAction }
  | { readonly status: 'unknown-mailbox' };

/** A mailbox declared invalid is probed again at least once a day (the roster re-evaluates it too). */
const REPROBE_MAX_MS = 24 * 3_600_000;

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

  const probing = mailbox.state === 'invalid' && mailbox.retryAt !== undefined && Date.parse(mailbox.retryAt) <= deps.now().getTime();
  if (!SYNCED_STATES.has(mailbox.state) && !probing) return clearInactive(deps, mailbox);

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

  // A retry follows a failure that may not have been recorded (the store itself failed).
  const plan = await planMailbox(deps, mailbox, { full: job.full, recount: redelivered || mailbox.failures > 0 || job.reason === 'retry' });
  if (plan.kind === 'held') {
    log.info('sync.held', { reason: plan.reason });
    return { status: 'held', reason: plan.reason };
  }
  if (plan.kind === 'refused') return refused(deps, mailbox, plan.reason, plan.circuitOpen);
  if (plan.kind === 'unavailable') return declareInvalid(deps, mailbox, plan.reason);

  const applied = await applyOperations(deps, mailbox, plan.operations);
  if (applied.unknownUser) return disableUnknownUser(deps, mailbox);
  if (plan.recordRepair) await repairRecord(deps, mailbox, plan.recordRepair);

  // Only now, with every operation acknowledged, may the token advance (nothing lost).
  let activityCount = plan.activityCountBefore;
  for (const id of applied.upsertedIds) if (!plan.heldBefore.has(id)) activityCount += 1;
  for (const id of applied.deletedIds) if (plan.heldBefore.has(id)) activityCount -= 1;
  await saveMailbox(deps, mailbox, (m) => afterSync(m, plan, applied, activityCount, deps.now().toISOString()));
  if (job.reason === 'notification') deps.telemetry.record('notificationLag', deps.now().getTime() - Date.parse(job.enqueuedAt), { provider: plan.provider.kind });
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
    state: m.state === 'failing' || m.state === 'invalid' ? 'active' : m.state,
    stateReason: m.state === 'failing' || m.state === 'invalid' ? undefined : m.stateReason,
    retryAt: undefined,
    refusedSince: undefined,
    profile: plan.provider.profileName,
    provider: plan.provider.kind,
    syncToken: plan.fetched.nextSyncToken,
    window: plan.tokenWindow,
    configHash: plan.configHash,
    directoryId: plan.fetched.directoryUser?.id,
    directoryIdAddress: plan.fetched.directoryUser?.address,
    timeZone: plan.timeZone,
    automaticRepliesSince: plan.automaticRepliesSince,
    automaticRepliesSeen: plan.automaticRepliesSeen,
    lastSyncAt: at,
    lastSyncMode: plan.fetched.mode,
    lastError: applied.rejected.length > 0 ? `CMG refused ${applied.rejected.length} activit${applied.rejected.length === 1 ? 'y' : 'ies'} (${[...new Set(applied.rejected.map((r) => r.code))].join(', ')})` : undefined,
    lastErrorAt: applied.rejected.length > 0 ? at : undefined,
    failures: 0,
    activityCount,
  };
}

/**
 * The provider refused without saying the mailbox is gone: CMG keeps what it holds and the
 * mailbox backs off. Only refusals unbroken for INVALID_AFTER, while the profile's circuit is
 * closed (others of the profile are served), make it invalid.
 */
async function refused(deps: SyncDeps, mailbox: StoredMailbox, reason: string, circuitOpen: boolean): Promise<SyncOutcome> {
  const now = deps.now().getTime();
  const since = mailbox.refusedSince ?? new Date(now).toISOString();
  const { invalidAfterMs, jobRetryBaseMs, jobRetryMaxMs } = deps.config.sync;
  if (!circuitOpen && now - Date.parse(since) >= invalidAfterMs) {
    return declareInvalid(deps, mailbox, `refused since ${since}: ${reason}`);
  }
  const failures = mailbox.failures + 1;
  const retryAt = new Date(now + backoffDelay(failures - 1, jobRetryBaseMs, jobRetryMaxMs)).toISOString();
  deps.logger.warn('sync.refused', { mailbox: mailbox.key, reason, since, circuitOpen, retryAt });
  await saveMailbox(deps, mailbox, (m) => ({
    ...m,
    state: m.state === 'active' ? 'failing' : m.state,
    stateReason: m.state === 'active' || m.state === 'failing' ? reason : m.stateReason,
    failures,
    retryAt,
    refusedSince: since,
    lastError: reason,
    lastErrorAt: new Date(now).toISOString(),
  }));
  return { status: 'refused', reason };
}

/** Positive evidence (or refusals over hours): invalid, activities removed, re-probed with backoff. */
async function declareInvalid(deps: SyncDeps, mailbox: StoredMailbox, reason: string): Promise<SyncOutcome> {
  const failures = mailbox.state === 'invalid' ? mailbox.failures + 1 : 1;
  const wait = Math.min(REPROBE_MAX_MS, deps.config.sync.invalidReprobeMs * 2 ** (failures - 1));
  const retryAt = new Date(deps.now().getTime() + wait).toISOString();
  deps.logger.warn('sync.mailbox-invalid', { mailbox: mailbox.key, reason, retryAt });
  await saveMailbox(deps, mailbox, (m) => ({ ...m, state: 'invalid', stateReason: reason, syncToken: undefined, failures, retryAt, refusedSince: undefined }));
  await clearActivities(deps, mailbox);
  return { status: 'invalid', reason };
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

/** A full sync found our record and CMG apart where no operation mended it: the record follows CMG. */
async function repairRecord(deps: SyncDeps, mailbox: StoredMailbox, repair: RecordRepair): Promise<void> {
  if (repair.put.length + repair.forget.length === 0) return;
  deps.logger.info('sync.record-repaired', { mailbox: mailbox.key, recorded: repair.put.length, forgotten: repair.forget.length });
  await deps.store.activities.writeAll(mailbox.key, repair);
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
