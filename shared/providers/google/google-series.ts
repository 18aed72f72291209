/**
 * What an incremental sync does not say about a series. Google's delta names what changed, not
 * what a change took away: a series re-timed or split "this and following" gives its occurrences
 * new ids (google-api-php-client #2009: the later occurrences get another recurringEventId), and
 * nothing promises that the old ids come back as cancelled (odoo/odoo #287171 had to remove such
 * leftovers itself). So a delta that names an occurrence of a series lists that series'
 * occurrences in the window again with events.instances, as the Graph provider lists a changed
 * series again: the series is then in scope (FetchCalendarResult.seriesInScope), and the
 * activities of its occurrences not listed go. A series gone meanwhile (404 / 410) is in scope
 * with no occurrences. A quiet delta lists nothing again.
 * https://developers.google.com/calendar/api/v3/reference/events/instances
 */
import { z } from 'zod';
import type { calendar_v3 } from '@googleapis/calendar';
import { AppError, transientError } from '../../errors/app-error.js';
import type { CalendarWindow } from '../../domain/calendar-window.js';
import type { NormalizeResult } from '../../domain/calendar-event.js';
import { normalizeGoogleEvent } from '../../domain/normalize-google-event.js';
import { pageBudget, type ReadLimits } from '../read-limits.js';
import { EVENT_ITEM_FIELDS } from './google-events.js';

const InstancesPage = z.object({
  items: z.array(z.unknown()).optional(),
  nextPageToken: z.string().min(1).optional(),
});

// A series split "this and following" continues as `{old id}_R{start}` (odoo/odoo #287171): the
// old series lost its later occurrences and is listed again too. Ids are opaque and their format
// may change (OutlookGoogleCalendarSync #2205): without the suffix, only the new series is.
const SPLIT_FROM = /^(.+)_R\d{8}(?:T\d{6}Z?)?$/;

export interface SeriesQuery {
  readonly calendarId: string;
  /** The window of the delta's sync token. */
  readonly window: CalendarWindow;
  readonly pageSize: number;
  readonly limits?: ReadLimits | undefined;
}

export interface RelistedSeries {
  readonly items: NormalizeResult[];
  readonly seriesInScope: string[];
}

/** `listPage` performs one events.instances request (with its retries). */
export async function relistSeries(
  query: SeriesQuery,
  delta: readonly NormalizeResult[],
  listPage: (params: calendar_v3.Params$Resource$Events$Instances) => Promise<unknown>,
): Promise<RelistedSeries> {
  const series = new Set<string>();
  for (const item of delta) {
    const seriesId = item.kind === 'event' ? item.event.seriesId : undefined;
    if (seriesId === undefined) continue;
    series.add(seriesId);
    const splitFrom = SPLIT_FROM.exec(seriesId)?.[1];
    if (splitFrom !== undefined) series.add(splitFrom);
  }
  if (series.size === 0) return { items: [...delta], seriesInScope: [] };

  const listed: NormalizeResult[] = [];
  for (const seriesId of series) listed.push(...(await occurrences(query, seriesId, listPage)));
  // A listed series' occurrences come from the listing, not from the delta.
  const kept = delta.filter((item) => !(item.kind === 'event' && item.event.seriesId !== undefined && series.has(item.event.seriesId)));
  return { items: [...kept, ...listed], seriesInScope: [...series] };
}

async function occurrences(
  query: SeriesQuery,
  seriesId: string,
  listPage: (params: calendar_v3.Params$Resource$Events$Instances) => Promise<unknown>,
): Promise<NormalizeResult[]> {
  const base: calendar_v3.Params$Resource$Events$Instances = {
    calendarId: query.calendarId,
    eventId: seriesId,
    timeMin: query.window.start,
    timeMax: query.window.end,
    maxResults: query.pageSize,
    maxAttendees: 1,
    fields: `nextPageToken,${EVENT_ITEM_FIELDS}`,
  };
  const countPage = pageBudget('Google', query.calendarId, query.limits);
  const out: NormalizeResult[] = [];
  let pageToken: string | undefined;
  for (;;) {
    let raw: unknown;
    try {
      raw = await listPage(pageToken === undefined ? base : { ...base, pageToken });
    } catch (error) {
      if (error instanceof AppError && error.code === 'series-gone') return [];
      throw error;
    }
    const page = InstancesPage.safeParse(raw);
    if (!page.success) throw transientError(`Google events.instances answered an unexpected shape (${page.error.issues.map((i) => i.path.join('.')).join(', ')})`, 'unexpected-response');
    countPage(page.data.items?.length ?? 0, page.data.nextPageToken);
    for (const item of page.data.items ?? []) out.push(normalizeGoogleEvent(item));
    if (page.data.nextPageToken === undefined) return out;
    pageToken = page.data.nextPageToken;
  }
}
