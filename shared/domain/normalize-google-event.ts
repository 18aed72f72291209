/**
 * One Google Calendar `events.list` item → CalendarEvent (or a removal, or an invalid item).
 * Field meanings: https://developers.google.com/calendar/api/v3/reference/events#resource
 * Pure: the provider asks only for the fields read here (`fields=`), so anything else is absent.
 */
import { z } from 'zod';
import type { CalendarEvent, EventKind, NormalizeResult, ShowAs } from './calendar-event.js';

// RFC 3339 as Google writes it in responses: always with an offset (`Z` or ±hh:mm).
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const EventDateTimeSchema = z.object({
  date: z.string().regex(DATE).optional(),
  dateTime: z.string().regex(DATE_TIME).optional(),
  timeZone: z.string().optional(),
});

const GoogleEventSchema = z.object({
  id: z.string().min(1),
  // confirmed | tentative | cancelled; anything new is treated as not cancelled.
  status: z.string().optional(),
  summary: z.string().optional(),
  location: z.string().optional(),
  // opaque (busy, the default) | transparent (free)
  transparency: z.string().optional(),
  // default | public | private | confidential
  visibility: z.string().optional(),
  // default | outOfOffice | focusTime | workingLocation | birthday | fromGmail
  eventType: z.string().optional(),
  recurringEventId: z.string().optional(),
  start: EventDateTimeSchema.optional(),
  end: EventDateTimeSchema.optional(),
  // `self`: the calendar's owner organises it. Absent only where a test or a file leaves it out.
  organizer: z.object({ self: z.boolean().optional() }).optional(),
  attendees: z
    .array(
      z.object({
        self: z.boolean().optional(),
        organizer: z.boolean().optional(),
        // needsAction | declined | tentative | accepted
        responseStatus: z.string().optional(),
      }),
    )
    .optional(),
  conferenceData: z.object({}).loose().optional(),
});

type GoogleEvent = z.infer<typeof GoogleEventSchema>;
type GoogleDateTime = z.infer<typeof EventDateTimeSchema>;

const IdOnly = z.object({ id: z.string().min(1) });
const Cancelled = z.object({ id: z.string().min(1), status: z.literal('cancelled') });

const KINDS: Readonly<Record<string, EventKind>> = { focusTime: 'focusTime', birthday: 'birthday', fromGmail: 'fromGmail' };

export function normalizeGoogleEvent(raw: unknown): NormalizeResult {
  // Deleted events and cancelled instances are "only guaranteed to have the id field populated"
  // (https://developers.google.com/calendar/api/guides/sync#incremental_sync), but some keep
  // their start, end and summary, even outside the window asked for (OutlookGoogleCalendarSync
  // #2123, #2124). Whatever else it carries, a cancelled entry is a removal by id: read as an
  // event it could only be skipped, and read as an invalid one (a detail we cannot parse) it
  // would not remove the occurrences of a series deleted under its own id.
  const cancelled = Cancelled.safeParse(raw);
  if (cancelled.success) return { kind: 'removed', id: cancelled.data.id };
  const parsed = GoogleEventSchema.safeParse(raw);
  if (!parsed.success) {
    const id = IdOnly.safeParse(raw);
    // Paths and issue codes only: zod messages are safe today, but the event's text must never leak.
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(item)'}: ${i.code}`).join('; ');
    return { kind: 'invalid', id: id.success ? id.data.id : undefined, detail: `not a Google event (${where})` };
  }
  const item = parsed.data;

  const timing = readTiming(item.start, item.end);
  if (typeof timing === 'string') return { kind: 'invalid', id: item.id, detail: timing };

  const self = item.attendees?.find((a) => a.self === true);
  const declined = self?.responseStatus === 'declined';
  // An invitation left unanswered (`needsAction`) holds the time like a tentative answer; the
  // organizer's own entry is never an invitation, whatever its status says. An invitation that
  // reached the owner through a group lists the group, not the owner, so it has no `self`
  // attendee (google-api-ruby-client #658 and #881: a group's members are not listed as
  // attendees): someone else organises it and the owner never answered it.
  const organisedByOther = item.organizer !== undefined && item.organizer.self !== true;
  const unanswered = self === undefined ? organisedByOther : self.responseStatus === 'needsAction' && self.organizer !== true;
  const tentative = self?.responseStatus === 'tentative' || unanswered;
  const event: CalendarEvent = {
    provider: 'google',
    id: item.id,
    seriesId: item.recurringEventId,
    cancelled: false,
    declined,
    tentative,
    unanswered,
    showAs: showAs(item, tentative),
    kind: KINDS[item.eventType ?? ''] ?? 'default',
    subject: item.summary ?? '',
    location: item.location ?? '',
    // Google Calendar has no categories (only a colorId): code matching uses the subject.
    categories: [],
    private: item.visibility === 'private' || item.visibility === 'confidential',
    onlineMeeting: item.conferenceData !== undefined,
    timing,
  };
  return { kind: 'event', event };
}

/**
 * Google has no single "show as": the event type wins (out of office, working location), then
 * transparency (free), then the owner's tentative answer. A tentative answer keeps the time busy
 * in Google; it is reported as `tentative` so SYNC_TENTATIVE applies as it does for Graph.
 */
function showAs(item: GoogleEvent, tentative: boolean): ShowAs {
  if (item.eventType === 'outOfOffice') return 'oof';
  if (item.eventType === 'workingLocation') return 'workingElsewhere';
  if (item.transparency === 'transparent') return 'free';
  return tentative ? 'tentative' : 'busy';
}

/** The event's timing, or a reason it cannot be read (never quoting the event). */
function readTiming(start: GoogleDateTime | undefined, end: GoogleDateTime | undefined): CalendarEvent['timing'] | string {
  if (start === undefined || end === undefined) return 'start or end missing';
  // All-day: `date` on both ends, end exclusive, as CalendarEvent wants it.
  if (start.date !== undefined && end.date !== undefined) {
    if (!isRealDate(start.date) || !isRealDate(end.date)) return 'all-day date is not a calendar date';
    if (end.date <= start.date) return 'all-day end is not after start';
    return { allDay: true, startDate: start.date, endDate: end.date };
  }
  if (start.dateTime !== undefined && end.dateTime !== undefined) {
    const from = Date.parse(start.dateTime);
    const to = Date.parse(end.dateTime);
    if (!Number.isFinite(from) || !Number.isFinite(to)) return 'dateTime is not a valid instant';
    if (to < from) return 'end is before start';
    return { allDay: false, start: new Date(from).toISOString(), end: new Date(to).toISOString() };
  }
  return 'start and end are neither both dates nor both dateTimes';
}

function isRealDate(value: string): boolean {
  const parsed = new Date(`${value}T00:00:00Z`);
  return Number.isFinite(parsed.getTime()) && parsed.toISOString().startsWith(value);
}
