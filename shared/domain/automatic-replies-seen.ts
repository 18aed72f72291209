/**
 * Graph reads a mailbox's automatic replies on every job, so their activity would be in scope of
 * every delta and its acknowledged row read each time, though it seldom changes. The mailbox
 * remembers what its last sync made of them; a delta that makes the same leaves them out of its
 * scope, as it leaves every event that did not change.
 */
import { activityHash } from './activity-hash.js';
import { AUTOMATIC_REPLIES_EVENT_ID } from './map-automatic-replies.js';
import type { MappedCalendar } from './map-calendar.js';

/**
 * The hash of the activity the automatic replies mapped to, `none` when they map to no
 * activity; undefined when the fetch did not read them (a provider without them).
 */
export function automaticRepliesSeen(mapped: MappedCalendar): string | undefined {
  if (!mapped.touchedEventIds.includes(AUTOMATIC_REPLIES_EVENT_ID)) return undefined;
  const activity = mapped.activities.find((a) => a.source.eventId === AUTOMATIC_REPLIES_EVENT_ID);
  return activity === undefined ? 'none' : activityHash(activity);
}

/** The mapped calendar without the automatic replies: neither desired, skipped nor touched. */
export function withoutAutomaticReplies(mapped: MappedCalendar): MappedCalendar {
  return {
    ...mapped,
    activities: mapped.activities.filter((a) => a.source.eventId !== AUTOMATIC_REPLIES_EVENT_ID),
    skipped: mapped.skipped.filter((s) => s.eventId !== AUTOMATIC_REPLIES_EVENT_ID),
    touchedEventIds: mapped.touchedEventIds.filter((id) => id !== AUTOMATIC_REPLIES_EVENT_ID),
  };
}
