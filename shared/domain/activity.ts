/** What CMG receives for one event, and what we remember CMG acknowledged. */
import type { ProviderKind } from './calendar-event.js';

export interface Activity {
  /** Stable, URL-safe, ≤ 64 characters: the same event always gives the same id. */
  readonly externalId: string;
  readonly code: string;
  /** ISO 8601 with offset. */
  readonly start: string;
  readonly end: string;
  readonly text: string;
  readonly forward: boolean;
  readonly inConference: boolean;
  readonly sign: string;
  /** The event was private; its text has been masked when masking is on. */
  readonly private: boolean;
  /** The event (or occurrence) it comes from; for an occurrence, its series too. */
  readonly source: { readonly provider: ProviderKind; readonly eventId: string; readonly seriesId?: string | undefined };
}

/** A record of an activity CMG acknowledged (the Activities table row). */
export interface AcknowledgedActivity {
  readonly externalId: string;
  /** Content hash of the activity as sent (activityHash). */
  readonly hash: string;
  readonly sourceEventId: string;
  /** The series the source occurrence belongs to; absent for single events and for rows written before series were recorded. */
  readonly seriesId?: string | undefined;
}

export type Operation =
  | { readonly op: 'upsert'; readonly activity: Activity; readonly hash: string }
  | { readonly op: 'delete'; readonly externalId: string };

/** Why an event gave no activity (calsync preview --explain, admin preview). */
export type SkipReason =
  | 'cancelled'
  | 'declined'
  | 'free'
  | 'tentative'
  | 'unanswered'
  | 'working-elsewhere'
  | 'outside-window'
  | 'unmatched'
  | 'not-an-event'
  | 'invalid'
  /** A Graph occurrence stub whose series master could not be found. */
  | 'unresolved-series'
  /** A Graph series master: its occurrences are the activities. */
  | 'series-master';

export interface Skipped {
  readonly eventId: string;
  readonly reason: SkipReason;
  /** For `invalid`: a short detail, never the event's text. */
  readonly detail?: string | undefined;
}
