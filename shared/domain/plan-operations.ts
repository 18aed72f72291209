/** Desired activities vs. what CMG acknowledged → the writes that make CMG match (ARCHITECTURE.md step 6). */
import type { AcknowledgedActivity, Activity, Operation } from './activity.js';
import { activityHash } from './activity-hash.js';

/**
 * `full`: the desired list is the whole window, so every other acknowledged activity goes.
 * `delta`: the desired list covers only the touched events, and every occurrence of the touched
 * series (their occurrences in the window were listed anew, or the series is gone); others are
 * left alone.
 */
export type PlanScope =
  | { readonly kind: 'full' }
  | { readonly kind: 'delta'; readonly touchedEventIds: readonly string[]; readonly touchedSeriesIds?: readonly string[] | undefined };

export interface PlanInput {
  readonly desired: readonly Activity[];
  readonly acknowledged: readonly AcknowledgedActivity[];
  readonly scope: PlanScope;
}

/** Upserts in desired order, then deletes in acknowledged order; nothing for an unchanged activity. */
export function planOperations({ desired, acknowledged, scope }: PlanInput): Operation[] {
  const held = new Map<string, AcknowledgedActivity>();
  for (const a of acknowledged) held.set(a.externalId, a);
  const operations: Operation[] = [];
  // Only acknowledged activities can be deleted: with none, nothing need be remembered.
  const wanted = new Set<string>();
  const remember = acknowledged.length > 0;
  for (const activity of desired) {
    if (remember) wanted.add(activity.externalId);
    const hash = activityHash(activity);
    const record = held.get(activity.externalId);
    // A record without the activity's series (written before series were recorded) is written
    // again, so that a later change of the series finds it.
    if (record?.hash !== hash || record.seriesId !== activity.source.seriesId) operations.push({ op: 'upsert', activity, hash });
  }
  const touched = scope.kind === 'delta' ? new Set(scope.touchedEventIds) : undefined;
  const touchedSeries = new Set(scope.kind === 'delta' ? (scope.touchedSeriesIds ?? []) : []);
  for (const { externalId, sourceEventId, seriesId } of acknowledged) {
    if (wanted.has(externalId)) continue;
    if (touched === undefined || touched.has(sourceEventId) || (seriesId !== undefined && touchedSeries.has(seriesId))) {
      operations.push({ op: 'delete', externalId });
    }
  }
  return operations;
}
