/**
 * One Microsoft Graph event, as `calendarView` and `calendarView/delta` return it with
 * `Prefer: outlook.timezone="UTC"`, turned into the provider-neutral CalendarEvent.
 * Resource: https://learn.microsoft.com/graph/api/resources/event
 * Delta removals: https://learn.microsoft.com/graph/delta-query-events
 */
import { z } from 'zod';
import type { CalendarEvent, NormalizeResult, SeriesMaster, ShowAs } from './calendar-event.js';

/** Graph's dateTimeTimeZone: a wall-clock time without offset, plus the zone it is in. */
const DateTimeTimeZone = z.object({ dateTime: z.string(), timeZone: z.string().optional() });

const GraphEvent = z.object({
  id: z.string().min(1),
  subject: z.string().nullish(),
  isAllDay: z.boolean().nullish(),
  isCancelled: z.boolean().nullish(),
  isOnlineMeeting: z.boolean().nullish(),
  sensitivity: z.string().nullish(),
  showAs: z.string().nullish(),
  categories: z.array(z.string()).nullish(),
  seriesMasterId: z.string().nullish(),
  responseStatus: z.object({ response: z.string().nullish() }).nullish(),
  location: z.object({ displayName: z.string().nullish() }).nullish(),
  start: DateTimeTimeZone,
  end: DateTimeTimeZone,
});

/** Delta marks a deleted event (or one that left the window) by its id and `@removed`. */
const RemovedEvent = z.object({ id: z.string().min(1), '@removed': z.object({ reason: z.string().optional() }).passthrough() });

const IdOnly = z.object({ id: z.string().min(1) });

/**
 * What tells a stub from an event: `calendarView/delta` sends an occurrence of a series with
 * only id, type, seriesMasterId, start and end (MAPPING.md §1), so it has no `showAs`, which
 * every full event carries. Read from the item, never assumed: `calendarView` and `instances`
 * send full occurrences.
 */
const Stub = z.looseObject({
  id: z.string().min(1),
  seriesMasterId: z.string().min(1),
  showAs: z.undefined().optional(),
});

const SeriesMasterItem = z.looseObject({ id: z.string().min(1), type: z.literal('seriesMaster') });

/** The fields an occurrence takes from its series master: all but id, start, end and type (MAPPING.md §1). */
const MASTER_FIELDS = [
  'subject',
  'categories',
  'showAs',
  'sensitivity',
  'isAllDay',
  'responseStatus',
  'isCancelled',
  'location',
  'isOnlineMeeting',
  'onlineMeetingProvider',
  'organizer',
] as const;

/** `W/"abc"` → `abc`: an etag carries the item's change key. */
function changeKeyOf(item: Record<string, unknown>): string | undefined {
  if (typeof item.changeKey === 'string') return item.changeKey;
  const etag = item['@odata.etag'];
  return typeof etag === 'string' ? /^(?:W\/)?"(.*)"$/.exec(etag)?.[1] : undefined;
}

/** A series master item, kept with just the fields its occurrences take from it. */
export function seriesMasterOf(item: { readonly id: string } & Record<string, unknown>): SeriesMaster {
  const fields: Record<string, unknown> = {};
  for (const name of MASTER_FIELDS) if (item[name] !== undefined) fields[name] = item[name];
  return { id: item.id, changeKey: changeKeyOf(item), fields };
}

// Graph writes 7 fractional digits ("2017-04-15T12:00:00.0000000"); seconds may be absent.
const WALL_CLOCK = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?$/;
const UTC_NAMES = new Set(['utc', 'etc/utc', 'z', 'gmt', 'etc/gmt', 'coordinated universal time']);

const SHOW_AS: Record<string, ShowAs> = {
  free: 'free',
  tentative: 'tentative',
  busy: 'busy',
  oof: 'oof',
  workingelsewhere: 'workingElsewhere',
};

function utcInstant(value: z.infer<typeof DateTimeTimeZone>): string | undefined {
  // We always ask for UTC; a zone other than UTC means the Prefer header was lost, and
  // guessing the offset of a Windows zone name here would be wrong (MAPPING.md §5).
  if (value.timeZone !== undefined && !UTC_NAMES.has(value.timeZone.trim().toLowerCase())) return undefined;
  const m = WALL_CLOCK.exec(value.dateTime.trim().replace(/Z$/, ''));
  if (!m) return undefined;
  const [, date, hh, mm, ss = '00', fraction = ''] = m;
  const millis = (fraction + '000').slice(0, 3);
  const parsed = new Date(`${date}T${hh}:${mm}:${ss}.${millis}Z`);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed.toISOString();
}

function datePart(value: z.infer<typeof DateTimeTimeZone>): string | undefined {
  const m = WALL_CLOCK.exec(value.dateTime.trim().replace(/Z$/, ''));
  if (!m?.[1]) return undefined;
  return Number.isNaN(new Date(`${m[1]}T00:00:00Z`).getTime()) ? undefined : m[1];
}

export function normalizeGraphEvent(raw: unknown): NormalizeResult {
  const removed = RemovedEvent.safeParse(raw);
  if (removed.success) return { kind: 'removed', id: removed.data.id };
  const master = SeriesMasterItem.safeParse(raw);
  if (master.success) return { kind: 'master', master: seriesMasterOf(master.data) };
  const stub = Stub.safeParse(raw);
  if (stub.success) return { kind: 'stub', id: stub.data.id, seriesId: stub.data.seriesMasterId, changeKey: changeKeyOf(stub.data), raw: stub.data };

  const id = IdOnly.safeParse(raw).data?.id;
  const parsed = GraphEvent.safeParse(raw);
  if (!parsed.success) {
    // Name the fields only: an issue's message could quote the event's text.
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(root)'))];
    return { kind: 'invalid', id, detail: `unexpected Graph event shape at ${fields.join(', ')}` };
  }
  const e = parsed.data;

  let timing: CalendarEvent['timing'];
  if (e.isAllDay) {
    // All-day events are whole local days; the date part is the day, whatever zone Graph
    // labels it with. End is exclusive (midnight after the last day), as Graph sends it.
    const startDate = datePart(e.start);
    const endDate = datePart(e.end);
    if (!startDate || !endDate || endDate <= startDate) {
      return { kind: 'invalid', id: e.id, detail: 'all-day event without a valid date range' };
    }
    timing = { allDay: true, startDate, endDate };
  } else {
    const start = utcInstant(e.start);
    const end = utcInstant(e.end);
    if (!start || !end) return { kind: 'invalid', id: e.id, detail: 'start or end is not a UTC date-time' };
    if (end < start) return { kind: 'invalid', id: e.id, detail: 'end is before start' };
    timing = { allDay: false, start, end };
  }

  // `unknown` (and anything new) counts as busy: better an extra activity than a missed one.
  const showAs = SHOW_AS[(e.showAs ?? '').toLowerCase()] ?? 'busy';
  const sensitivity = (e.sensitivity ?? '').toLowerCase();
  const response = (e.responseStatus?.response ?? '').toLowerCase();
  const event: CalendarEvent = {
    provider: 'graph',
    id: e.id,
    seriesId: e.seriesMasterId ?? undefined,
    cancelled: e.isCancelled === true,
    declined: response === 'declined',
    tentative: showAs === 'tentative',
    // Only `notResponded` is the owner's own unanswered invitation. `none` is how Graph reports a
    // response seen from the organizer's side, and the owner's own appointments can carry it too
    // (microsoft-graph-docs issue #12073): reading it as unanswered would take the subject rules
    // away from the owner's own entries.
    unanswered: response === 'notresponded',
    showAs,
    kind: 'default',
    subject: e.subject ?? '',
    location: e.location?.displayName ?? '',
    categories: e.categories ?? [],
    private: sensitivity === 'private' || sensitivity === 'confidential',
    onlineMeeting: e.isOnlineMeeting === true,
    timing,
  };
  return { kind: 'event', event };
}
