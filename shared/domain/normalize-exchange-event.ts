/**
 * One EWS calendar item (FindItem with a CalendarView) → the provider-neutral CalendarEvent.
 * Field values: https://learn.microsoft.com/exchange/client-developer/web-service-reference/calendaritem
 * (LegacyFreeBusyStatus, Sensitivity, MyResponseType, CalendarItemType pages).
 */
import type { CalendarEvent, NormalizeResult, ShowAs } from './calendar-event.js';
import { ExchangeCalendarItemSchema, type ExchangeCalendarItem } from './exchange-calendar-item.js';
import { addDays, offsetAt, zonedTimeToInstant } from './time-zone.js';
import { parseXsDateTime } from './xs-date-time.js';

const SHOW_AS: Readonly<Record<string, ShowAs>> = {
  Free: 'free',
  Tentative: 'tentative',
  Busy: 'busy',
  OOF: 'oof',
  WorkingElsewhere: 'workingElsewhere',
  // NoData (no free/busy information) and anything new count as busy, as Graph's `unknown` does:
  // better an extra activity than a missed one.
};

const DAY_MS = 86_400_000;

// Exchange writes UTC (`Z`); a time without an offset names no instant.
const instant = (value: string | undefined): number | undefined => parseXsDateTime(value);

/**
 * The local date whose midnight in `zone` lies nearest the instant. Exchange stores an all-day
 * event as the UTC instants of local midnight (2026-06-12T22:00:00Z is 13 June in Paris): read in
 * the mailbox's zone these fall exactly on midnight, daylight saving or not. Taking the *nearest*
 * midnight rather than the date the instant falls on also gives the right day when the event was
 * made in another zone (an invitation from New York: midnight there is 06:00 in Stockholm; from
 * Tokyo: 17:00 the evening before), where reading the date alone shifts it by one — the bug calrs
 * and mustang fixed (calrs PR #127, mustang PR #1401).
 */
function nearestLocalDate(ms: number, zone: string): string {
  const date = new Date(Math.floor((ms + offsetAt(zone, ms)) / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
  const next = addDays(date, 1);
  // Nearest in elapsed time, not on the wall clock: a day with a daylight-saving change lasts 23
  // or 25 hours, and its midnight may not exist (Santiago's clocks go from 00:00 to 01:00), in
  // which case zonedTimeToInstant gives the day's first instant.
  return ms - zonedTimeToInstant(date, 0, 0, zone) < zonedTimeToInstant(next, 0, 0, zone) - ms ? date : next;
}

function sameAddress(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * The event's identity, the same across edits (MAPPING.md §6): Microsoft does not promise that an
 * occurrence keeps its ItemId when it is edited into an exception, so the UID (the series' for an
 * occurrence) and, for an occurrence or exception, its original start (RecurrenceId,
 * MS:recurrenceid.md: "used with the UID property to identify a specific instance") name it.
 * Only an item without a UID falls back to its ItemId, which is all there is then.
 */
function eventIdentity(item: ExchangeCalendarItem): { readonly id: string; readonly seriesId: string | undefined } {
  const uid = item.uid?.trim() ? item.uid.trim() : undefined;
  const instance = item.calendarItemType === 'Occurrence' || item.calendarItemType === 'Exception';
  if (uid === undefined) return { id: item.itemId, seriesId: undefined };
  if (!instance) return { id: uid, seriesId: undefined };
  const original = instant(item.recurrenceId);
  if (original === undefined) return { id: item.itemId, seriesId: uid };
  return { id: `${uid}|${new Date(original).toISOString()}`, seriesId: uid };
}

/**
 * `mailboxAddress` (the mailbox's own address) tells an invitation from the owner's own entry
 * when Exchange answers `Unknown`; without it `Unknown` is not taken for an unanswered invitation.
 */
export function normalizeExchangeEvent(raw: ExchangeCalendarItem, timeZone: string, mailboxAddress?: string): NormalizeResult {
  const parsed = ExchangeCalendarItemSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(item)'))];
    return { kind: 'invalid', id: undefined, detail: `unexpected Exchange item shape at ${fields.join(', ')}` };
  }
  const item = parsed.data;
  if (item.itemId === '') return { kind: 'invalid', id: undefined, detail: 'calendar item without an ItemId' };
  const { id, seriesId } = eventIdentity(item);
  // CalendarView hides masters; one read some other way never becomes an activity itself.
  if (item.calendarItemType === 'RecurringMaster') return { kind: 'master', master: { id, changeKey: item.changeKey, fields: {} } };

  const start = instant(item.start);
  const end = instant(item.end);
  if (start === undefined || end === undefined) return { kind: 'invalid', id, detail: 'start or end is not a date-time with an offset' };
  if (end < start) return { kind: 'invalid', id, detail: 'end is before start' };
  let timing: CalendarEvent['timing'];
  if (item.isAllDayEvent) {
    const startDate = nearestLocalDate(start, timeZone);
    const endDate = nearestLocalDate(end, timeZone);
    if (endDate <= startDate) return { kind: 'invalid', id, detail: 'all-day event without a whole day' };
    timing = { allDay: true, startDate, endDate };
  } else {
    timing = { allDay: false, start: new Date(start).toISOString(), end: new Date(end).toISOString() };
  }

  const showAs = SHOW_AS[item.legacyFreeBusyStatus ?? ''] ?? 'busy';
  const response = item.myResponseType;
  // The owner's own entry is never an invitation: Exchange answers `Organizer` for it, and an
  // organizer address equal to the mailbox's says the same. NoResponseReceived is Graph's
  // `notResponded`; Unknown (Graph's `none`) counts only on an item someone else organises, which
  // is what Graph's normaliser guards against by not reading `none` as unanswered.
  const organisedByOwner = response === 'Organizer' || sameAddress(item.organizer, mailboxAddress);
  const organisedByOther = !organisedByOwner && item.organizer !== undefined && mailboxAddress !== undefined;
  const unanswered = !organisedByOwner && (response === 'NoResponseReceived' || (response === 'Unknown' && organisedByOther));
  const event: CalendarEvent = {
    provider: 'exchange',
    id,
    seriesId,
    cancelled: item.isCancelled,
    declined: response === 'Decline',
    // The owner's tentative answer, or the time shown as tentative, or an invitation left
    // unanswered (MAPPING.md §1: treated like a tentative one).
    tentative: response === 'Tentative' || showAs === 'tentative' || unanswered,
    unanswered,
    showAs,
    kind: 'default',
    subject: item.subject ?? '',
    location: item.location ?? '',
    categories: item.categories,
    // Personal is not private, as Graph's `personal` is not (MAPPING.md §4 names Private and Confidential).
    private: item.sensitivity === 'Private' || item.sensitivity === 'Confidential',
    onlineMeeting: item.isOnlineMeeting === true,
    timing,
  };
  return { kind: 'event', event };
}
