/**
 * Reads one mailbox's primary calendar with `events.list`: the whole window (full) or what
 * changed since a sync token (delta), every page.
 * https://developers.google.com/calendar/api/v3/reference/events/list
 * https://developers.google.com/calendar/api/guides/sync
 */
import { z } from 'zod';
import type { calendar_v3 } from '@googleapis/calendar';
import { transientError } from '../../errors/app-error.js';
import type { CalendarWindow } from '../../domain/calendar-window.js';
import type { NormalizeResult } from '../../domain/calendar-event.js';
import { normalizeGoogleEvent } from '../../domain/normalize-google-event.js';
import { pageBudget, type ReadLimits } from '../read-limits.js';

/**
 * Only what normalize-google-event.ts reads (partial response,
 * https://developers.google.com/calendar/api/guides/performance#partial-response). The
 * Events collection carries the calendar's `timeZone` on every page, so no calendars.get.
 */
export const EVENT_ITEM_FIELDS =
  'items(id,status,summary,location,transparency,visibility,eventType,recurringEventId,start,end,organizer(self),' +
  'attendees(self,organizer,responseStatus),conferenceData(conferenceId,conferenceSolution/key/type))';
export const EVENT_LIST_FIELDS = `nextPageToken,nextSyncToken,timeZone,${EVENT_ITEM_FIELDS}`;

const EventsPage = z.object({
  timeZone: z.string().min(1),
  items: z.array(z.unknown()).optional(),
  nextPageToken: z.string().min(1).optional(),
  nextSyncToken: z.string().min(1).optional(),
});

export interface EventListQuery {
  readonly calendarId: string;
  readonly window: CalendarWindow;
  readonly syncToken: string | undefined;
  /** Google allows at most 2500; fewer pages means fewer requests. */
  readonly pageSize: number;
  /** Pages and items one listing may read; DEFAULT_READ_LIMITS when not given. */
  readonly limits?: ReadLimits | undefined;
}

export interface EventListResult {
  readonly mode: 'full' | 'delta';
  readonly items: NormalizeResult[];
  readonly nextSyncToken: string;
  readonly timeZone: string;
}

/** `listPage` performs one request (with its retries); this walks the pages. */
export async function listEvents(
  query: EventListQuery,
  listPage: (params: calendar_v3.Params$Resource$Events$List) => Promise<unknown>,
): Promise<EventListResult> {
  const mode = query.syncToken === undefined ? 'full' : 'delta';
  // With a sync token Google refuses timeMin / timeMax (and iCalUID, orderBy, q, updatedMin,
  // extended properties); everything else must equal the full sync's parameters. Deleted
  // entries always come back with a token, so showDeleted is left alone in both modes.
  const base: calendar_v3.Params$Resource$Events$List = {
    calendarId: query.calendarId,
    singleEvents: true,
    maxResults: query.pageSize,
    // "only the participant is returned": the owner's own answer is all we read.
    maxAttendees: 1,
    fields: EVENT_LIST_FIELDS,
    ...(query.syncToken === undefined ? { timeMin: query.window.start, timeMax: query.window.end } : { syncToken: query.syncToken }),
  };
  const items: NormalizeResult[] = [];
  const countPage = pageBudget('Google', query.calendarId, query.limits);
  let pageToken: string | undefined;
  for (;;) {
    const page = EventsPage.safeParse(await listPage(pageToken === undefined ? base : { ...base, pageToken }));
    if (!page.success) {
      throw transientError(`Google events.list answered an unexpected shape (${page.error.issues.map((i) => i.path.join('.')).join(', ')})`, 'unexpected-response');
    }
    countPage(page.data.items?.length ?? 0, page.data.nextPageToken);
    for (const raw of page.data.items ?? []) items.push(normalizeGoogleEvent(raw));
    if (page.data.nextPageToken !== undefined) {
      pageToken = page.data.nextPageToken;
      continue;
    }
    if (page.data.nextSyncToken === undefined) throw transientError('Google events.list ended without a nextSyncToken', 'unexpected-response');
    return { mode, items, nextSyncToken: page.data.nextSyncToken, timeZone: page.data.timeZone };
  }
}
