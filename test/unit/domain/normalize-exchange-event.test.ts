import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CalendarEvent } from '../../../shared/domain/calendar-event.js';
import { normalizeExchangeEvent } from '../../../shared/domain/normalize-exchange-event.js';
import { addDays, zonedTimeToInstant } from '../../../shared/domain/time-zone.js';
import { eventOf } from './mapping-test-context.js';
import { exchangeItem } from './raw-events.js';

const UID = '040000008200E00074C5B7101A82E00800000000D0C1D2E3F4A5B6C7';
const STOCKHOLM = 'Europe/Stockholm';

describe('normalizeExchangeEvent: identity', () => {
  it('when a single item is read, then its id is its UID, not its ItemId', () => {
    expect(eventOf(normalizeExchangeEvent(exchangeItem({ uid: UID }), STOCKHOLM))).toMatchObject({ provider: 'exchange', id: UID, seriesId: undefined });
  });

  it('when an occurrence becomes an exception (new ItemId, new start, new subject), then its id stays the same: UID and original start', () => {
    const occurrence = exchangeItem({ itemId: 'AAMkOcc1', uid: UID, calendarItemType: 'Occurrence', recurrenceId: '2026-04-07T08:00:00Z', start: '2026-04-07T08:00:00Z', end: '2026-04-07T09:00:00Z' });
    const exception = exchangeItem({ itemId: 'AAMkExc9', uid: UID, calendarItemType: 'Exception', recurrenceId: '2026-04-07T10:00:00+02:00', start: '2026-04-07T12:00:00Z', end: '2026-04-07T13:00:00Z', subject: 'Moved' });
    const a = eventOf(normalizeExchangeEvent(occurrence, STOCKHOLM));
    const b = eventOf(normalizeExchangeEvent(exception, STOCKHOLM));
    expect(a.id).toBe(`${UID}|2026-04-07T08:00:00.000Z`);
    expect(b.id).toBe(a.id);
    expect(a.seriesId).toBe(UID);
    expect(b.seriesId).toBe(UID);
  });

  it('when two occurrences of one series are read, then their ids differ by original start', () => {
    const ids = ['2026-04-07T08:00:00Z', '2026-04-14T08:00:00Z'].map((recurrenceId) => eventOf(normalizeExchangeEvent(exchangeItem({ uid: UID, calendarItemType: 'Occurrence', recurrenceId }), STOCKHOLM)).id);
    expect(new Set(ids).size).toBe(2);
  });

  it('when an item has no UID, then its ItemId is all there is', () => {
    expect(eventOf(normalizeExchangeEvent(exchangeItem({ itemId: 'AAMkNoUid', uid: undefined }), STOCKHOLM)).id).toBe('AAMkNoUid');
  });

  it('when an occurrence has no readable RecurrenceId, then its ItemId, still in its series', () => {
    expect(eventOf(normalizeExchangeEvent(exchangeItem({ itemId: 'AAMkOcc2', uid: UID, calendarItemType: 'Occurrence', recurrenceId: undefined }), STOCKHOLM))).toMatchObject({ id: 'AAMkOcc2', seriesId: UID });
  });

  it('when a recurring master is read, then it is a master, never an event', () => {
    expect(normalizeExchangeEvent(exchangeItem({ uid: UID, calendarItemType: 'RecurringMaster' }), STOCKHOLM)).toEqual({ kind: 'master', master: { id: UID, changeKey: 'DwAAABYAAAA3', fields: {} } });
  });
});

describe('normalizeExchangeEvent: times', () => {
  it('when a timed event is read, then UTC instants', () => {
    expect(eventOf(normalizeExchangeEvent(exchangeItem({ start: '2026-03-31T10:00:00+02:00', end: '2026-03-31T08:30:00.5Z' }), STOCKHOLM)).timing).toEqual({ allDay: false, start: '2026-03-31T08:00:00.000Z', end: '2026-03-31T08:30:00.500Z' });
  });

  it.each([
    // [what, zone, start, end, startDate, endDate]
    ['Paris, one day in summer (UTC date is the day before)', 'Europe/Paris', '2026-06-12T22:00:00Z', '2026-06-13T22:00:00Z', '2026-06-13', '2026-06-14'],
    ['Stockholm, the day the clocks go forward (23 hours)', STOCKHOLM, '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', '2026-03-29', '2026-03-30'],
    ['Stockholm, the day the clocks go back (25 hours)', STOCKHOLM, '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', '2026-10-25', '2026-10-26'],
    ['Stockholm, a week across the spring change', STOCKHOLM, '2026-03-26T23:00:00Z', '2026-04-01T22:00:00Z', '2026-03-27', '2026-04-02'],
    ['Tokyo, east of UTC', 'Asia/Tokyo', '2026-03-31T15:00:00Z', '2026-04-01T15:00:00Z', '2026-04-01', '2026-04-02'],
    ['Kiritimati, UTC+14', 'Pacific/Kiritimati', '2026-05-05T10:00:00Z', '2026-05-06T10:00:00Z', '2026-05-06', '2026-05-07'],
    ['Auckland in its summer, UTC+13', 'Pacific/Auckland', '2026-01-09T11:00:00Z', '2026-01-10T11:00:00Z', '2026-01-10', '2026-01-11'],
    ['Los Angeles, west of UTC, the day the clocks go back', 'America/Los_Angeles', '2026-11-01T07:00:00Z', '2026-11-02T08:00:00Z', '2026-11-01', '2026-11-02'],
    ['Pago Pago, UTC−11', 'Pacific/Pago_Pago', '2026-05-06T11:00:00Z', '2026-05-07T11:00:00Z', '2026-05-06', '2026-05-07'],
    ['UTC', 'UTC', '2026-05-06T00:00:00Z', '2026-05-08T00:00:00Z', '2026-05-06', '2026-05-08'],
    // 6 September starts at 01:00 (no midnight) and lasts 23 hours: noon on the wall is nearer its start than its end.
    ['Santiago, an invitation made 11 hours east, ending on the day whose midnight is skipped', 'America/Santiago', '2026-09-05T15:00:00Z', '2026-09-06T15:00:00Z', '2026-09-05', '2026-09-06'],
  ])('when an all-day event arrives as the UTC instants of local midnight (%s), then the local dates', (_name, zone, start, end, startDate, endDate) => {
    const event = eventOf(normalizeExchangeEvent(exchangeItem({ isAllDayEvent: true, start, end }), zone));
    expect(event.timing).toEqual({ allDay: true, startDate, endDate });
  });

  it('when any all-day event in any zone arrives as its local midnights, then its own dates come back (DST, half-hour and +13:45 zones, midnight transitions)', () => {
    const zones = ['Europe/Stockholm', 'America/Los_Angeles', 'America/Santiago', 'America/Havana', 'Asia/Kathmandu', 'Asia/Tokyo', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'UTC'];
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: 0, max: 2 * 366 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: -11, max: 11 }), (zone, offset, days, organizerShiftHours) => {
        const startDate = addDays('2026-01-01', offset);
        const endDate = addDays(startDate, days);
        // An invitation made in another zone carries that zone's midnights: up to 11 hours either way.
        const shift = organizerShiftHours * 3_600_000;
        const start = new Date(zonedTimeToInstant(startDate, 0, 0, zone) + shift).toISOString();
        const end = new Date(zonedTimeToInstant(endDate, 0, 0, zone) + shift).toISOString();
        const event = eventOf(normalizeExchangeEvent(exchangeItem({ isAllDayEvent: true, start, end }), zone));
        expect(event.timing).toEqual({ allDay: true, startDate, endDate });
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['New York (midnight there is 06:00 in Stockholm)', '2026-04-10T04:00:00Z', '2026-04-11T04:00:00Z'],
    ['Tokyo (midnight there is 17:00 the evening before in Stockholm)', '2026-04-09T15:00:00Z', '2026-04-10T15:00:00Z'],
  ])('when an all-day invitation was made in another zone, %s, then the nearest local midnight keeps its day', (_name, start, end) => {
    expect(eventOf(normalizeExchangeEvent(exchangeItem({ isAllDayEvent: true, start, end }), STOCKHOLM)).timing).toEqual({ allDay: true, startDate: '2026-04-10', endDate: '2026-04-11' });
  });

  it.each([
    ['a start without an offset', { start: '2026-03-31T08:00:00' }, /not a date-time/],
    ['an empty end', { end: '' }, /not a date-time/],
    ['a day February does not have', { start: '2026-02-30T08:00:00Z' }, /not a date-time/],
    ['an end before its start', { end: '2026-03-31T07:00:00Z' }, /before start/],
    ['an all-day event shorter than a day', { isAllDayEvent: true, start: '2026-03-30T22:00:00Z', end: '2026-03-31T04:00:00Z' }, /whole day/],
  ])('when an item has %s, then it is invalid with a reason and its id', (_name, overrides, detail) => {
    const result = normalizeExchangeEvent(exchangeItem({ uid: UID, ...overrides }), STOCKHOLM);
    expect(result).toMatchObject({ kind: 'invalid', id: UID });
    if (result.kind === 'invalid') expect(result.detail).toMatch(detail);
  });

  it('when an item has no ItemId, then it is invalid', () => {
    expect(normalizeExchangeEvent(exchangeItem({ itemId: '' }), STOCKHOLM)).toMatchObject({ kind: 'invalid', id: undefined });
  });
});

describe('normalizeExchangeEvent: fields', () => {
  const read = (overrides: Parameters<typeof exchangeItem>[0], mailbox?: string): CalendarEvent => eventOf(normalizeExchangeEvent(exchangeItem(overrides), STOCKHOLM, mailbox));

  it.each([
    ['Free', 'free'],
    ['Tentative', 'tentative'],
    ['Busy', 'busy'],
    ['OOF', 'oof'],
    ['WorkingElsewhere', 'workingElsewhere'],
    ['NoData', 'busy'],
    [undefined, 'busy'],
  ])('when LegacyFreeBusyStatus is %s, then showAs %s', (status, showAs) => {
    expect(read({ legacyFreeBusyStatus: status }).showAs).toBe(showAs);
  });

  it.each([
    ['Normal', false],
    ['Personal', false],
    ['Private', true],
    ['Confidential', true],
  ])('when Sensitivity is %s, then private is %s', (sensitivity, expected) => {
    expect(read({ sensitivity }).private).toBe(expected);
  });

  it.each([
    // [MyResponseType, organizer, mailbox given, declined, tentative, unanswered]
    ['Organizer', 'sam@example.com', 'sam@example.com', false, false, false],
    ['Accept', 'dan@example.com', 'sam@example.com', false, false, false],
    ['Decline', 'dan@example.com', 'sam@example.com', true, false, false],
    ['Tentative', 'dan@example.com', 'sam@example.com', false, true, false],
    ['NoResponseReceived', 'dan@example.com', 'sam@example.com', false, true, true],
    ['NoResponseReceived', 'dan@example.com', undefined, false, true, true],
    ['NoResponseReceived', 'Sam@Example.com', 'sam@example.com', false, false, false],
    ['Unknown', 'dan@example.com', 'sam@example.com', false, true, true],
    ['Unknown', 'sam@example.com', 'sam@example.com', false, false, false],
    ['Unknown', 'dan@example.com', undefined, false, false, false],
    ['Unknown', undefined, 'sam@example.com', false, false, false],
  ] as const)('when MyResponseType is %s, the organizer %s and the mailbox %s, then declined %s, tentative %s, unanswered %s', (myResponseType, organizer, mailbox, declined, tentative, unanswered) => {
    expect(read({ myResponseType, organizer, legacyFreeBusyStatus: 'Busy' }, mailbox)).toMatchObject({ declined, tentative, unanswered });
  });

  it('when the item carries subject, location, categories, cancellation and an online meeting, then each is kept', () => {
    expect(read({ subject: 'Standup', location: 'Room 1', categories: ['Travel', 'Blue'], isCancelled: true, isOnlineMeeting: true })).toMatchObject({
      subject: 'Standup',
      location: 'Room 1',
      categories: ['Travel', 'Blue'],
      cancelled: true,
      onlineMeeting: true,
      kind: 'default',
    });
  });

  it('when the server has no IsOnlineMeeting, subject or location, then not online and empty texts', () => {
    expect(read({ isOnlineMeeting: undefined, subject: undefined, location: undefined })).toMatchObject({ onlineMeeting: false, subject: '', location: '' });
  });
});
