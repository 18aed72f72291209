/**
 * Step 7 of the sync job: apply the plan to CMG with bounded concurrency, recording each
 * acknowledgement in the Activities table as soon as CMG gives it — so a crash or an outage
 * midway leaves a record that the next plan continues from (nothing lost, nothing doubled).
 */
import { AppError } from '../errors/app-error.js';
import type { Activity, Operation } from '../domain/activity.js';
import type { CmgActivityBody } from '../cmg/cmg-gateway.js';
import type { StoredMailbox } from '../store/mailbox-repository.js';
import { forEachBounded } from './bounded.js';
import type { SyncDeps } from './sync-deps.js';

export interface Rejection {
  readonly externalId: string;
  /** CMG's error code: invalid_activity or unknown_code. */
  readonly code: string;
}

export interface ApplyResult {
  /** ExternalIds CMG acknowledged a PUT or DELETE for. */
  readonly upsertedIds: readonly string[];
  readonly deletedIds: readonly string[];
  /** Activities CMG refused for good; reported on the mailbox, not retried until they change. */
  readonly rejected: readonly Rejection[];
  /** CMG no longer knows the user: the mailbox must be disabled. */
  readonly unknownUser: boolean;
}

const PER_ACTIVITY_REFUSALS = new Set(['invalid_activity', 'unknown_code']);

export function toCmgBody(activity: Activity, messageSystems: readonly number[]): CmgActivityBody {
  return {
    code: activity.code,
    start: activity.start,
    end: activity.end,
    text: activity.text,
    forward: activity.forward,
    inConference: activity.inConference,
    sign: activity.sign,
    messageSystems,
    source: activity.source,
  };
}

/** Throws the first transient or configuration error after in-flight operations have settled. */
export async function applyOperations(deps: SyncDeps, mailbox: StoredMailbox, operations: readonly Operation[]): Promise<ApplyResult> {
  const upsertedIds: string[] = [];
  const deletedIds: string[] = [];
  let unknownUser = false;
  const rejected: Rejection[] = [];
  const messageSystems = deps.config.cmg.messageSystems;

  await forEachBounded(operations, deps.config.sync.applyConcurrency, async (operation) => {
    if (unknownUser) return;
    try {
      if (operation.op === 'upsert') {
        const { activity } = operation;
        await deps.cmg.upsertActivity(mailbox.key, activity.externalId, toCmgBody(activity, messageSystems));
        await deps.store.activities.put(mailbox.key, {
          externalId: activity.externalId,
          hash: operation.hash,
          sourceEventId: activity.source.eventId,
          ...(activity.source.seriesId === undefined ? {} : { seriesId: activity.source.seriesId }),
          code: activity.code,
          start: activity.start,
          end: activity.end,
          acknowledgedAt: deps.now().toISOString(),
        });
        upsertedIds.push(activity.externalId);
      } else {
        await deps.cmg.deleteActivity(mailbox.key, operation.externalId);
        await deps.store.activities.delete(mailbox.key, operation.externalId);
        deletedIds.push(operation.externalId);
      }
    } catch (error) {
      if (error instanceof AppError && error.kind === 'permanent' && error.code === 'unknown_user') {
        unknownUser = true;
        return;
      }
      if (error instanceof AppError && error.kind === 'permanent' && PER_ACTIVITY_REFUSALS.has(error.code)) {
        const externalId = operation.op === 'upsert' ? operation.activity.externalId : operation.externalId;
        rejected.push({ externalId, code: error.code });
        deps.logger.warn('cmg.activity-rejected', { mailbox: mailbox.key, externalId, code: error.code });
        return;
      }
      throw error;
    }
  });
  return { upsertedIds, deletedIds, rejected, unknownUser };
}

/** Removes every activity CMG holds for the mailbox (it left active sync). */
export async function clearActivities(deps: SyncDeps, mailbox: StoredMailbox): Promise<ApplyResult> {
  const held = await deps.store.activities.listForMailbox(mailbox.key);
  const result = await applyOperations(
    deps,
    mailbox,
    held.map((a) => ({ op: 'delete', externalId: a.externalId }) as const),
  );
  if (result.unknownUser) {
    // CMG dropped the user and its activities with it: nothing left to delete there.
    await deps.store.activities.deleteAllForMailbox(mailbox.key);
  }
  return result;
}
