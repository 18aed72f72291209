/**
 * The provider-neutral calendar event: what the mapping rules need to know, nothing more.
 * Built by the normalisers (normalize-graph-event.ts, normalize-google-event.ts).
 */

export type ProviderKind = 'graph' | 'google' | 'exchange';

/** How the event shows the owner's time. */
export type ShowAs = 'busy' | 'free' | 'tentative' | 'oof' | 'workingElsewhere';

/** Kinds of calendar entries that are not ordinary meetings. */
export type EventKind = 'default' | 'focusTime' | 'birthday' | 'fromGmail';

export type EventTiming =
  /** Instants in UTC, ISO 8601 with `Z`. */
  | { readonly allDay: false; readonly start: string; readonly end: string }
  /**
   * Local dates `YYYY-MM-DD` in the mailbox's time zone; `endDate` is exclusive (the day after
   * the last day), as both Graph and Google express it.
   */
  | { readonly allDay: true; readonly startDate: string; readonly endDate: string };

export interface CalendarEvent {
  readonly provider: ProviderKind;
  /** The event's id, or the occurrence's id for an instance of a series. */
  readonly id: string;
  /** For an occurrence, the series master's id. */
  readonly seriesId?: string | undefined;
  /** Deleted from the calendar (Graph `@removed`, Google deleted entry) or cancelled. */
  readonly cancelled: boolean;
  /** The mailbox owner declined it. */
  readonly declined: boolean;
  /** The mailbox owner answered tentatively (Google) or it shows as tentative (Graph). */
  readonly tentative: boolean;
  /**
   * An invitation the mailbox owner has not answered (Graph `notResponded`, Google `needsAction`):
   * its subject was written by whoever sent it, so it may neither choose the code nor force forwarding.
   */
  readonly unanswered: boolean;
  readonly showAs: ShowAs;
  readonly kind: EventKind;
  readonly subject: string;
  readonly location: string;
  readonly categories: readonly string[];
  /** Private or confidential. */
  readonly private: boolean;
  readonly onlineMeeting: boolean;
  readonly timing: EventTiming;
}

/**
 * Graph: a recurring series' master item, kept for the fields its occurrences take from it. It
 * never becomes an activity itself (its start and end are the first occurrence's).
 */
export interface SeriesMaster {
  readonly id: string;
  /** Its change key (Graph `changeKey` / etag): what its occurrences' etags carry while it is unchanged. */
  readonly changeKey: string | undefined;
  /** The fields an occurrence takes from it, as the provider sent them. */
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * What a normaliser makes of one raw item: an event; a removal known only by id (Graph
 * `@removed` carries no details); a Graph occurrence sent as a stub (id, series, start and end
 * only) that its series master must complete; a series master; or an item that cannot be read,
 * with a short reason that never quotes the item's text.
 */
export type NormalizeResult =
  | { readonly kind: 'event'; readonly event: CalendarEvent }
  | {
      readonly kind: 'stub';
      readonly id: string;
      readonly seriesId: string;
      /** The change key its etag carries, if any. */
      readonly changeKey: string | undefined;
      /** The item as sent: its id, type, series, start and end. */
      readonly raw: Readonly<Record<string, unknown>>;
    }
  | { readonly kind: 'master'; readonly master: SeriesMaster }
  | { readonly kind: 'removed'; readonly id: string }
  | { readonly kind: 'invalid'; readonly id: string | undefined; readonly detail: string };
