/** A fetch's normalised items (plus automatic replies) → the desired activities of one mailbox. */
import type { Activity, Skipped } from './activity.js';
import type { AutomaticReplies } from './automatic-replies.js';
import type { NormalizeResult } from './calendar-event.js';
import { AUTOMATIC_REPLIES_EVENT_ID, mapAutomaticReplies } from './map-automatic-replies.js';
import { mapEvent, type MapResult } from './map-event.js';
import type { MappingContext } from './mapping-context.js';

export interface MappedCalendar {
  /** Sorted by start instant, then externalId; one per externalId. */
  readonly activities: Activity[];
  readonly skipped: Skipped[];
  /** Events removed from the calendar or cancelled: their activities must go. */
  readonly removedEventIds: string[];
  /** Every event id the items spoke of: in a delta, only activities of these may be deleted. */
  readonly touchedEventIds: string[];
}

export function mapCalendar(items: readonly NormalizeResult[], ctx: MappingContext, automaticReplies?: AutomaticReplies): MappedCalendar {
  const byExternalId = new Map<string, Activity>();
  const skipped: Skipped[] = [];
  const removed = new Set<string>();
  const touched = new Set<string>();
  const collect = (result: MapResult | undefined): void => {
    if (result === undefined) return;
    // A delta page may repeat an event; the later item is the newer state.
    if (result.kind === 'activity') byExternalId.set(result.activity.externalId, result.activity);
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
    } else {
      touched.add(item.event.id);
      if (item.event.cancelled) removed.add(item.event.id);
      collect(mapEvent(item.event, ctx));
    }
  }
  if (automaticReplies !== undefined) {
    // Read on every job, so its activity is always in scope, even for a delta.
    touched.add(AUTOMATIC_REPLIES_EVENT_ID);
    collect(mapAutomaticReplies(automaticReplies, ctx));
  }

  const activities = [...byExternalId.values()]
    .map((activity) => ({ activity, start: Date.parse(activity.start) }))
    .sort((a, b) => a.start - b.start || (a.activity.externalId < b.activity.externalId ? -1 : a.activity.externalId > b.activity.externalId ? 1 : 0))
    .map(({ activity }) => activity);
  return { activities, skipped, removedEventIds: [...removed], touchedEventIds: [...touched] };
}
