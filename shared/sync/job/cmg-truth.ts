/**
 * A full sync diffs against what CMG itself holds (our sign only), not only against our record
 * of it: an activity deleted or changed by hand in CMG, or lost in a restore from backup, comes
 * back, and one with our sign that we no longer know goes. The cost is one `list activities`
 * request per user per full sync.
 */
import { activityHash } from '../../domain/activity-hash.js';
import type { Activity } from '../../domain/activity.js';
import type { CmgActivityBody } from '../../cmg/cmg-gateway.js';
import type { ActivityWrites, StoredActivity } from '../../store/activity-repository.js';
import { toCmgBody } from './apply-operations.js';

export type CmgHeldActivity = CmgActivityBody & { readonly externalId: string };

/** Our record brought in line with CMG after a full plan: rows to write and rows to forget. */
export type RecordRepair = ActivityWrites;

export interface CmgTruth {
  /** The planner's input: CMG's activities (hashed as the desired one when CMG's copy is equal), plus refused rows. */
  readonly acknowledged: readonly StoredActivity[];
  readonly repair: RecordRepair;
}

/** A hash no desired activity has: CMG's copy differs, so the planner sends ours again. */
const DIFFERS = 'differs-in-cmg';

export function cmgTruth(
  held: readonly CmgHeldActivity[],
  desired: readonly Activity[],
  recorded: readonly StoredActivity[],
  messageSystems: readonly number[],
  now: Date,
): CmgTruth {
  const wanted = new Map(desired.map((a) => [a.externalId, a]));
  const rows = new Map(recorded.map((r) => [r.externalId, r]));
  const inCmg = new Set(held.map((h) => h.externalId));
  const acknowledged: StoredActivity[] = [];
  const put: StoredActivity[] = [];
  for (const h of held) {
    const mine = wanted.get(h.externalId);
    const equal = mine !== undefined && sameContent(h, toCmgBody(mine, messageSystems));
    const hash = equal ? activityHash(mine) : DIFFERS;
    const row = rows.get(h.externalId);
    const entry: StoredActivity = {
      externalId: h.externalId,
      hash,
      sourceEventId: h.source.eventId,
      // CMG does not keep the series; ours is the desired one's when CMG's copy is equal.
      ...(equal && mine.source.seriesId !== undefined ? { seriesId: mine.source.seriesId } : {}),
      code: h.code,
      start: h.start,
      end: h.end,
      acknowledgedAt: row?.acknowledgedAt ?? now.toISOString(),
    };
    acknowledged.push(entry);
    // CMG holds what we want, but our record does not say so: write it (no request to CMG).
    if (equal && (row === undefined || row.hash !== hash || row.seriesId !== entry.seriesId || row.rejected !== undefined)) put.push(entry);
  }
  const forget: string[] = [];
  for (const row of recorded) {
    if (inCmg.has(row.externalId)) continue;
    // A refused row stays: its hash keeps the same content from being sent again.
    if (row.rejected !== undefined) acknowledged.push(row);
    // CMG lost it: if it is still wanted the plan sends it again and records it anew.
    else if (!wanted.has(row.externalId)) forget.push(row.externalId);
  }
  return { acknowledged, repair: { put, forget } };
}

function sameContent(a: CmgActivityBody, b: CmgActivityBody): boolean {
  return (
    a.code === b.code &&
    Date.parse(a.start) === Date.parse(b.start) &&
    Date.parse(a.end) === Date.parse(b.end) &&
    a.text === b.text &&
    a.forward === b.forward &&
    a.inConference === b.inConference &&
    a.sign === b.sign &&
    a.source.provider === b.source.provider &&
    a.source.eventId === b.source.eventId &&
    [...a.messageSystems].sort().join(',') === [...b.messageSystems].sort().join(',')
  );
}
