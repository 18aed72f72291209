/**
 * Step 7 of the sync job: apply the plan to CMG with bounded concurrency, recording CMG's
 * acknowledgements in the Activities table in batches of up to 100 rows (one Table request
 * each, not one per operation: per-row writes cost the job as much CPU as the CMG requests
 * themselves, and the CMG budget is spent waiting on that CPU).
 *
 * Nothing is lost or doubled by the batching: every acknowledgement is written before the job
 * saves its token, and also when the apply fails midway. One that a crash keeps from its batch
 * only makes the next job — whose token did not advance — plan that operation again, which CMG
 * takes idempotently (PUT by externalId; DELETE of an activity already gone).
 */
import { AppError } from '../../errors/app-error.js';
import type { Activity, Operation } from '../../domain/activity.js';
import type { CmgActivityBody } from '../../cmg/cmg-gateway.js';
import type { StoredActivity } from '../../store/activity-repository.js';
import type { StoredMailbox } from '../../store/mailbox-repository.js';
import { forEachBounded } from '../bounded.js';
import type { SyncDeps } from '../sync-deps.js';

export interface Rejection {
  readonly externalId: string;
  /** CMG's error code, e.g. invalid_activity, unknown_code, http_413. */
  readonly code: string;
}

export interface ApplyResult {
  /** ExternalIds CMG acknowledged a PUT or DELETE for. */
  readonly upsertedIds: readonly string[];
  readonly deletedIds: readonly string[];
  /**
   * Activities CMG refused for good: recorded on their Activities row (`rejected`) and reported,
   * not sent again until their content changes.
   */
  readonly rejected: readonly Rejection[];
  /** CMG no longer knows the user: the mailbox must be disabled. */
  readonly unknownUser: boolean;
}

/**
 * CMG refused this one activity for good: any permanent answer but a gone user. Authentication
 * and configuration answers (401, 403, a 404 off the contract) are `configuration` errors and
 * stop the job instead; busy and 5xx are `transient`.
 */
const refusesOneActivity = (error: unknown): error is AppError =>
  error instanceof AppError && error.kind === 'permanent' && error.code !== 'unknown_user';

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

function record(activity: Activity, hash: string, at: Date): StoredActivity {
  return {
    externalId: activity.externalId,
    hash,
    sourceEventId: activity.source.eventId,
    ...(activity.source.seriesId === undefined ? {} : { seriesId: activity.source.seriesId }),
    code: activity.code,
    start: activity.start,
    end: activity.end,
    acknowledgedAt: at.toISOString(),
  };
}

/** Throws the first transient or configuration error after in-flight operations have settled. */
export async function applyOperations(deps: SyncDeps, mailbox: StoredMailbox, operations: readonly Operation[]): Promise<ApplyResult> {
  const upsertedIds: string[] = [];
  const deletedIds: string[] = [];
  let unknownUser = false;
  const rejected: Rejection[] = [];
  const messageSystems = deps.config.cmg.messageSystems;

  const acknowledged = new AcknowledgementBatch(deps, mailbox.key);
  try {
    await forEachBounded(operations, deps.config.sync.applyConcurrency, async (operation) => {
      if (unknownUser) return;
      try {
        if (operation.op === 'upsert') {
          const { activity } = operation;
          await deps.cmg.upsertActivity(mailbox.key, activity.externalId, toCmgBody(activity, messageSystems));
          upsertedIds.push(activity.externalId);
          await acknowledged.put(record(activity, operation.hash, deps.now()));
        } else {
          await deps.cmg.deleteActivity(mailbox.key, operation.externalId);
          deletedIds.push(operation.externalId);
          await acknowledged.forget(operation.externalId);
        }
      } catch (error) {
        if (error instanceof AppError && error.kind === 'permanent' && error.code === 'unknown_user') {
          unknownUser = true;
          return;
        }
        if (refusesOneActivity(error)) {
          const externalId = operation.op === 'upsert' ? operation.activity.externalId : operation.externalId;
          // The refused content is remembered with its hash, so the planner does not send it again
          // until the event changes (a full sync included); the rest of the mailbox goes on.
          if (operation.op === 'upsert') await acknowledged.put({ ...record(operation.activity, operation.hash, deps.now()), rejected: error.code });
          rejected.push({ externalId, code: error.code });
          deps.logger.warn('cmg.activity-rejected', { mailbox: mailbox.key, externalId, op: operation.op, code: error.code });
          return;
        }
        throw error;
      }
    });
  } catch (error) {
    // What CMG acknowledged before the failure is recorded all the same: the retry sends less.
    await acknowledged.write().catch((writeError: unknown) => deps.logger.warn('sync.record-failed', { mailbox: mailbox.key, error: writeError }));
    throw error;
  }
  await acknowledged.write();
  return { upsertedIds, deletedIds, rejected, unknownUser };
}

/** One entity group transaction holds at most 100 rows. */
const BATCH_ROWS = 100;

/** Acknowledgements waiting for their Table write; a full batch is written at once. */
class AcknowledgementBatch {
  private readonly pending = new Map<string, StoredActivity | undefined>();

  constructor(
    private readonly deps: SyncDeps,
    private readonly mailboxKey: string,
  ) {}

  put(row: StoredActivity): Promise<void> {
    this.pending.set(row.externalId, row);
    return this.pending.size >= BATCH_ROWS ? this.write() : Promise.resolve();
  }

  forget(externalId: string): Promise<void> {
    this.pending.set(externalId, undefined);
    return this.pending.size >= BATCH_ROWS ? this.write() : Promise.resolve();
  }

  /** Writes what is pending (none of it is written twice, whoever calls). */
  async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const put: StoredActivity[] = [];
    const forget: string[] = [];
    for (const [externalId, row] of this.pending) {
      if (row) put.push(row);
      else forget.push(externalId);
    }
    this.pending.clear();
    await this.deps.store.activities.writeAll(this.mailboxKey, { put, forget });
  }
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
