/** A fetch's normalised items (plus automatic replies) → the desired activities of one mailbox. */
import type { Activity, Skipped } from './activity.js';
import type { AutomaticReplies } from './automatic-replies.js';
import type { NormalizeResult } from './calendar-event.js';
import { AUTOMATIC_REPLIES_EVENT_ID, mapAutomaticReplies } from './map-automatic-replies.js';
import { mapEventTimed, type MapResult, type TimedMapResult } from './map-event.js';
import { prepare, type MappingContext, type PreparedContext } from './mapping-context.js';

export interface MappedCalendar {
  /** Sorted by start instant, then externalId; one per externalId. */
  readonly activities: Activity[];
  readonly skipped: Skipped[];
  /** Events removed from the calendar or cancelled: their activities must go. */
  readonly removedEventIds: string[];
  /** Every event id the items spoke of: in a delta, only activities of these may be deleted. */
  readonly touchedEventIds: string[];
}

/** An activity with its sort key: its start instant, then its externalId. */
type Entry = TimedMapResult & { readonly kind: 'activity' };

// Within these instants (years 1000 to 9000) the mapped start is exactly what parsing the
// activity's start text gives back; outside them the text is parsed, as it always was.
const EXACT_FROM = -30_610_224_000_000;
const EXACT_TO = 221_845_392_000_000;

function entryOf(result: Entry): Entry {
  const { activity, startMs } = result;
  if (Number.isSafeInteger(startMs) && startMs >= EXACT_FROM && startMs <= EXACT_TO) return result;
  return { kind: 'activity', activity, startMs: Date.parse(activity.start) };
}

const byStart = (a: Entry, b: Entry): number => a.startMs - b.startMs;
const byStartThenExternalId = (a: Entry, b: Entry): number =>
  a.startMs - b.startMs || (a.activity.externalId < b.activity.externalId ? -1 : a.activity.externalId > b.activity.externalId ? 1 : 0);

/**
 * Sorted by start, then externalId. Numbers first, then only the runs that share a start order
 * their ids, with the built-in string sort (UTF-16 code units, as `<` compares): one full sort
 * whose every comparison may reach the ids costs about twice as much when many events start
 * together. `byId` holds every entry under its externalId, which is unique.
 */
function sortEntries(entries: Entry[], byId: ReadonlyMap<string, Entry>): void {
  let comparable = true;
  for (const entry of entries) if (Number.isNaN(entry.startMs)) comparable = false;
  if (!comparable) {
    // An unreadable start: the one comparator, whatever order it gives.
    entries.sort(byStartThenExternalId);
    return;
  }
  entries.sort(byStart);
  for (let i = 0; i < entries.length; ) {
    const start = entries[i]!.startMs;
    let j = i + 1;
    while (j < entries.length && entries[j]!.startMs === start) j++;
    if (j - i > 1) {
      const ids: string[] = [];
      for (let k = i; k < j; k++) ids.push(entries[k]!.activity.externalId);
      ids.sort(); // strings: the default order is the one wanted
      for (let k = 0; k < ids.length; k++) entries[i + k] = byId.get(ids[k]!)!;
    }
    i = j;
  }
}

export function mapCalendar(items: readonly NormalizeResult[], ctx: MappingContext, automaticReplies?: AutomaticReplies): MappedCalendar {
  const entries = new Map<string, Entry>();
  const skipped: Skipped[] = [];
  const removed = new Set<string>();
  const touched = new Set<string>();
  let prepared: PreparedContext | undefined;
  const collect = (result: TimedMapResult | undefined): void => {
    if (result === undefined) return;
    // A delta page may repeat an event; the later item is the newer state.
    if (result.kind === 'activity') entries.set(result.activity.externalId, entryOf(result));
    else skipped.push(result.skipped);
  };

  for (const item of items) {
    if (item.kind === 'removed') {
      touched.add(item.id);
      removed.add(item.id);
      skipped.push({ eventId: item.id, reason: 'cancelled' });
    } else if (item.kind === 'invalid') {
      if (item.id !== undefined) touched.add(item.id);
      skipped.push({ eventId: item.id ?? '(no id)', reason: 'invalid', detail: item.detail });
    } else if (item.kind === 'stub') {
      // Still a stub: its series master could not be found, so what it is remains unknown.
      touched.add(item.id);
      skipped.push({ eventId: item.id, reason: 'unresolved-series' });
    } else if (item.kind === 'master') {
      // Its start and end are the first occurrence's; the occurrences are the activities.
      touched.add(item.master.id);
      skipped.push({ eventId: item.master.id, reason: 'series-master' });
    } else {
      touched.add(item.event.id);
      if (item.event.cancelled) removed.add(item.event.id);
      prepared ??= prepare(ctx);
      collect(mapEventTimed(item.event, ctx, prepared));
    }
  }
  if (automaticReplies !== undefined) {
    // Read on every job, so its activity is in scope even of a delta (one that maps it as the last
    // sync did leaves it out again: automatic-replies-seen.ts).
    touched.add(AUTOMATIC_REPLIES_EVENT_ID);
    const result: MapResult | undefined = mapAutomaticReplies(automaticReplies, ctx);
    collect(result?.kind === 'activity' ? { kind: 'activity', activity: result.activity, startMs: Date.parse(result.activity.start) } : result);
  }

  const sorted = [...entries.values()];
  sortEntries(sorted, entries);
  const activities = sorted.map((entry) => entry.activity);
  return { activities, skipped, removedEventIds: [...removed], touchedEventIds: [...touched] };
}
