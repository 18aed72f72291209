/**
 * The sync job for one mailbox (ARCHITECTURE.md "The sync job"), serialised per mailbox by the
 * queue's sessions. Reads like the story: load, defer in quiet hours, plan, apply, remember.
 * Transient and configuration errors are thrown for run-mailbox-job.ts to schedule or report.
 */
import type { MailboxJob } from '../../queue/mailbox-job.js';
import type { StoredMailbox } from '../../store/mailbox-repository.js';
import { cleared, declaredInvalid, fullSyncOwed, jobStart, refused, refusedTooLong, synced, unknownToCmg, UNKNOWN_TO_CMG, type Mailbox } from '../../domain/mailbox.js';
import { applyOperations, clearActivities } from './apply-operations.js';
import type { RecordRepair } from './cmg-truth.js';
import { actOnLifecycleEvent, type LifecycleAction } from './graph-lifecycle-job.js';
import { replacePushSecrets } from './push-secrets-job.js';
import { isQuiet, quietPeriodEnd } from '../../domain/pacing.js';
import { planMailbox } from './plan-mailbox.js';
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

/**
 * `redelivered`: an earlier delivery of this message ended without settling it (a crash or a
 * lost lock), so it may have recorded activities without saving the mailbox.
 */
export async function syncMailbox(deps: SyncDeps, job: MailboxJob, redelivered = false): Promise<SyncOutcome> {
  const mailbox = await deps.store.mailboxes.get(job.mailboxKey);
  if (!mailbox) return { status: 'unknown-mailbox' };
  const log = deps.logger.child({ mailbox: mailbox.key });

  const start = jobStart(mailbox, deps.now().getTime());
  if (start === 'clear' || start === 'forget') return clearInactive(deps, mailbox, start);

  const now = deps.now().getTime();
  const quiet = deps.config.sync.subscribeOff;
  if (isQuiet(now, quiet)) {
    const until = new Date(quietPeriodEnd(now, quiet));
    await deps.queue.send(
      { ...job, enqueuedAt: deps.now().toISOString() },
      { messageId: deferredMessageId(mailbox.key, until, job.full, job.lifecycle?.event ?? (job.replaceSecrets ? 'secrets' : undefined)), scheduledAt: until },
    );
    log.info('sync.deferred', { until: until.toISOString(), reason: job.reason });
    return { status: 'deferred', until: until.toISOString() };
  }

  // A job that was sent before the mailbox began backing off after a transient failure (a poll
  // or a scheduled job enqueued ahead, a notification, an older retry) calls no provider until
  // the backoff ends: the service asked for the wait (ErrorServerBusy's BackOffMilliseconds,
  // Retry-After), and calling sooner would only be refused again and fork the retries. Its work
  // is done by the next sync (the pending retry, or the first job dispatch sends once the
  // backoff is over), which reads every change since the token; a full one drops the token
  // so that the next sync is full. An operator's resync runs at once: it is asked for by hand,
  // typically once the cause is fixed, and after a dead letter no retry is pending to do it.
  const backingOffUntil = transientBackoffEnd(mailbox, now);
  if (backingOffUntil !== undefined && job.reason !== 'manual' && !job.lifecycle && !job.replaceSecrets) {
    if (job.full && mailbox.syncToken !== undefined) await deps.store.mailboxes.change(mailbox.key, fullSyncOwed);
    log.info('sync.backing-off', { until: backingOffUntil.toISOString(), reason: job.reason, full: job.full });
    return { status: 'deferred', until: backingOffUntil.toISOString() };
  }

  if (job.replaceSecrets) await replacePushSecrets(deps, mailbox);

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
  if (plan.kind === 'refused') return afterRefusal(deps, mailbox, plan.reason, plan.circuitOpen);
  if (plan.kind === 'unavailable') return afterEvidence(deps, mailbox, plan.reason);

  const applied = await applyOperations(deps, mailbox, plan.operations);
  if (applied.unknownUser) return disableUnknownUser(deps, mailbox);
  if (plan.recordRepair) await repairRecord(deps, mailbox, plan.recordRepair);

  // Only now, with every operation acknowledged, may the token advance (nothing lost).
  let activityCount = plan.activityCountBefore;
  for (const id of applied.upsertedIds) if (!plan.heldBefore.has(id)) activityCount += 1;
  for (const id of applied.deletedIds) if (plan.heldBefore.has(id)) activityCount -= 1;
  const learnt = {
    profile: plan.provider.profileName,
    provider: plan.provider.kind,
    mode: plan.fetched.mode,
    syncToken: plan.fetched.nextSyncToken,
    window: plan.tokenWindow,
    configHash: plan.configHash,
    directoryUser: plan.fetched.directoryUser,
    timeZone: plan.timeZone,
    automaticRepliesSince: plan.automaticRepliesSince,
    automaticRepliesSeen: plan.automaticRepliesSeen,
    rejectedCodes: applied.rejected.map((r) => r.code),
    activityCount,
  };
  await deps.store.mailboxes.change(mailbox.key, (m) => synced(m, learnt, deps.now().getTime()), mailbox);
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

/** When a mailbox backing off after a transient failure may be called again; undefined when it is not backing off. */
function transientBackoffEnd(mailbox: StoredMailbox, now: number): Date | undefined {
  // A refusal's backoff is the circuit's business (fetch-with-failover.ts): its jobs go on as probes.
  if (mailbox.failures === 0 || mailbox.refusedSince !== undefined || mailbox.retryAt === undefined) return undefined;
  const end = Date.parse(mailbox.retryAt);
  return end > now ? new Date(end) : undefined;
}

/** The provider refused without saying the mailbox is gone (domain/mailbox.ts `refused`): backoff, or invalid after hours. */
async function afterRefusal(deps: SyncDeps, mailbox: StoredMailbox, reason: string, circuitOpen: boolean): Promise<SyncOutcome> {
  const transition = (m: Mailbox): Mailbox => refused(m, { reason, circuitOpen, jitter: Math.random() }, deps.now().getTime(), deps.config.sync);
  const next = (await deps.store.mailboxes.change(mailbox.key, transition, mailbox)) ?? transition(mailbox);
  if (refusedTooLong(mailbox, circuitOpen, deps.now().getTime(), deps.config.sync)) return declaredGone(deps, mailbox, next);
  deps.logger.warn('sync.refused', { mailbox: mailbox.key, reason, since: next.refusedSince, circuitOpen, retryAt: next.retryAt });
  return { status: 'refused', reason };
}

/** Positive evidence that the user is gone (domain/mailbox.ts `declaredInvalid`). */
async function afterEvidence(deps: SyncDeps, mailbox: StoredMailbox, reason: string): Promise<SyncOutcome> {
  const transition = (m: Mailbox): Mailbox => declaredInvalid(m, { reason }, deps.now().getTime(), deps.config.sync);
  return declaredGone(deps, mailbox, (await deps.store.mailboxes.change(mailbox.key, transition, mailbox)) ?? transition(mailbox));
}

/** An invalid mailbox's activities leave CMG; it is probed again at `retryAt`. */
async function declaredGone(deps: SyncDeps, mailbox: StoredMailbox, invalid: Mailbox): Promise<SyncOutcome> {
  const reason = invalid.stateReason ?? '';
  deps.logger.warn('sync.mailbox-invalid', { mailbox: mailbox.key, reason, retryAt: invalid.retryAt });
  await clearActivities(deps, mailbox);
  return { status: 'invalid', reason };
}

async function clearInactive(deps: SyncDeps, mailbox: StoredMailbox, start: 'clear' | 'forget'): Promise<SyncOutcome> {
  const clearedNow = await clearActivities(deps, mailbox);
  if (start === 'forget') {
    await deps.store.mailboxes.delete(mailbox.key);
  } else if (mailbox.activityCount !== 0 || mailbox.syncToken) {
    await deps.store.mailboxes.change(mailbox.key, cleared, mailbox);
  }
  if (clearedNow.deletedIds.length > 0) deps.logger.info('sync.cleared', { mailbox: mailbox.key, state: mailbox.state, deleted: clearedNow.deletedIds.length });
  return { status: 'cleared', deleted: clearedNow.deletedIds.length, state: mailbox.state };
}

/** A full sync found our record and CMG apart where no operation mended it: the record follows CMG. */
async function repairRecord(deps: SyncDeps, mailbox: StoredMailbox, repair: RecordRepair): Promise<void> {
  if (repair.put.length + repair.forget.length === 0) return;
  deps.logger.info('sync.record-repaired', { mailbox: mailbox.key, recorded: repair.put.length, forgotten: repair.forget.length });
  await deps.store.activities.writeAll(mailbox.key, repair);
}

async function disableUnknownUser(deps: SyncDeps, mailbox: StoredMailbox): Promise<SyncOutcome> {
  deps.logger.warn('sync.unknown-user', { mailbox: mailbox.key });
  await deps.store.activities.deleteAllForMailbox(mailbox.key);
  await deps.store.mailboxes.change(mailbox.key, unknownToCmg, mailbox);
  return { status: 'disabled', reason: UNKNOWN_TO_CMG };
}
