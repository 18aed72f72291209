import { describe, expect, it } from 'vitest';
import { normalizeGoogleEvent } from '../../../shared/domain/normalize-google-event.js';
import type { CalendarEvent, NormalizeResult } from '../../../shared/domain/calendar-event.js';

// The event of Google's "Create events" guide (https://developers.google.com/calendar/api/guides/create-events),
// as events.list returns it: offsets on every dateTime, the calendar's zone beside it.
const GUIDE_EVENT = {
  kind: 'calendar#event',
  etag: '"3181161784712000"',
  id: '7cbh8rpc10lrc0ckih9tafss99',
  status: 'confirmed',
  htmlLink: 'https://www.google.com/calendar/event?eid=N2NiaDhycGMxMGxyYzBja2loOXRhZnNzOTkgZW4jaG9saWRheUB2',
  summary: 'Google I/O 2015',
  location: '800 Howard St., San Francisco, CA 94103',
  description: "A chance to hear more about Google's developer products.",
  start: { dateTime: '2015-05-28T09:00:00-07:00', timeZone: 'America/Los_Angeles' },
  end: { dateTime: '2015-05-28T17:00:00-07:00', timeZone: 'America/Los_Angeles' },
  recurrence: ['RRULE:FREQ=DAILY;COUNT=2'],
  attendees: [
    { email: 'lpage@example.com', responseStatus: 'needsAction' },
    { email: 'sbrin@example.com', self: true, responseStatus: 'accepted' },
  ],
  reminders: { useDefault: false, overrides: [{ method: 'email', minutes: 1440 }] },
  eventType: 'default',
};

const event = (result: NormalizeResult): CalendarEvent => {
  if (result.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(result)}`);
  return result.event;
};

describe('normalizeGoogleEvent', () => {
  it('when the guide example is read, then every field maps and instants are UTC', () => {
    expect(event(normalizeGoogleEvent(GUIDE_EVENT))).toEqual({
      provider: 'google',
      id: '7cbh8rpc10lrc0ckih9tafss99',
      seriesId: undefined,
      cancelled: false,
      declined: false,
      tentative: false,
      unanswered: false,
      showAs: 'busy',
      kind: 'default',
      subject: 'Google I/O 2015',
      location: '800 Howard St., San Francisco, CA 94103',
      categories: [],
      private: false,
      onlineMeeting: false,
      timing: { allDay: false, start: '2015-05-28T16:00:00.000Z', end: '2015-05-29T00:00:00.000Z' },
    });
  });

  it('when an instance of a series is read, then its series id is the recurringEventId', () => {
    const instance = {
      ...GUIDE_EVENT,
      id: '7cbh8rpc10lrc0ckih9tafss99_20150529T160000Z',
      recurringEventId: '7cbh8rpc10lrc0ckih9tafss99',
      originalStartTime: { dateTime: '2015-05-29T09:00:00-07:00', timeZone: 'America/Los_Angeles' },
      recurrence: undefined,
    };
    expect(event(normalizeGoogleEvent(instance)).seriesId).toBe('7cbh8rpc10lrc0ckih9tafss99');
  });

  it('when an all-day event is read, then it keeps local dates with the exclusive end', () => {
    const allDay = { ...GUIDE_EVENT, start: { date: '2015-05-28' }, end: { date: '2015-05-30' } };
    expect(event(normalizeGoogleEvent(allDay)).timing).toEqual({ allDay: true, startDate: '2015-05-28', endDate: '2015-05-30' });
  });

  it('when a deleted entry of an incremental sync has only id and status, then it is a removal', () => {
    // Deleted events are "only guaranteed to have the id field populated" (sync guide).
    expect(normalizeGoogleEvent({ kind: 'calendar#event', etag: '"1"', id: 'abc123', status: 'cancelled' })).toEqual({ kind: 'removed', id: 'abc123' });
  });

  it('when a cancelled entry still carries its start, end and summary, then it is a removal all the same', () => {
    // OutlookGoogleCalendarSync #2123, #2124: deleted series and invitations with their details.
    expect(normalizeGoogleEvent({ ...GUIDE_EVENT, status: 'cancelled' })).toEqual({ kind: 'removed', id: GUIDE_EVENT.id });
  });

  it('when a cancelled entry carries details that cannot be read, then it is still a removal, not an invalid item', () => {
    const series = { id: 'series1', status: 'cancelled', start: { dateTime: '2025-01-31T15:00:00Z' }, end: { date: null }, recurrence: ['RRULE:FREQ=WEEKLY;UNTIL=20250214T045959Z;BYDAY=FR'], summary: null };
    expect(normalizeGoogleEvent(series)).toEqual({ kind: 'removed', id: 'series1' });
  });

  it.each([
    ['declined', { declined: true, tentative: false, unanswered: false, showAs: 'busy' }],
    ['tentative', { declined: false, tentative: true, unanswered: false, showAs: 'tentative' }],
    ['accepted', { declined: false, tentative: false, unanswered: false, showAs: 'busy' }],
    // MAPPING.md §1: an unanswered invitation holds the time like a tentative one.
    ['needsAction', { declined: false, tentative: true, unanswered: true, showAs: 'tentative' }],
  ] as const)('when the owner (self) answered %s, then declined / tentative / unanswered follow', (responseStatus, expected) => {
    const answered = { ...GUIDE_EVENT, attendees: [{ email: 'lpage@example.com', responseStatus: 'declined' }, { email: 'sbrin@example.com', self: true, responseStatus }] };
    expect(event(normalizeGoogleEvent(answered))).toMatchObject(expected);
  });

  it.each([
    // An invitation to a group the owner belongs to: the group is the attendee, nobody is `self`.
    ['organised by someone else, invited through a group', { self: false }, [{ email: 'team@example.com', responseStatus: 'needsAction' }], true],
    ['organised by someone else, with no attendee list', { self: false }, undefined, true],
    ['organised by the owner, with guests', { self: true }, [{ email: 'lpage@example.com', responseStatus: 'needsAction' }], false],
    ['organised by the owner alone', { self: true }, undefined, false],
    ['without an organizer field (a file cut short)', undefined, [{ email: 'team@example.com', responseStatus: 'needsAction' }], false],
  ] as const)('when an event with no self attendee is %s, then unanswered is %s', (_name, organizer, attendees, unanswered) => {
    const item = { ...GUIDE_EVENT, organizer, attendees };
    expect(event(normalizeGoogleEvent(item))).toMatchObject({ unanswered, tentative: unanswered, declined: false });
  });

  it('when another attendee declined, then the owner has not', () => {
    const other = { ...GUIDE_EVENT, attendees: [{ email: 'lpage@example.com', responseStatus: 'declined' }] };
    expect(event(normalizeGoogleEvent(other)).declined).toBe(false);
  });

  it.each([
    [{ transparency: 'transparent' }, { showAs: 'free', kind: 'default' }],
    [{ transparency: 'opaque' }, { showAs: 'busy', kind: 'default' }],
    [{ eventType: 'outOfOffice', outOfOfficeProperties: { autoDeclineMode: 'declineAllConflictingInvitations' } }, { showAs: 'oof', kind: 'default' }],
    [{ eventType: 'workingLocation', transparency: 'transparent', workingLocationProperties: { type: 'homeOffice', homeOffice: {} } }, { showAs: 'workingElsewhere', kind: 'default' }],
    [{ eventType: 'focusTime', focusTimeProperties: { chatStatus: 'doNotDisturb' } }, { showAs: 'busy', kind: 'focusTime' }],
    [{ eventType: 'birthday', transparency: 'transparent', birthdayProperties: { type: 'birthday' } }, { showAs: 'free', kind: 'birthday' }],
    [{ eventType: 'fromGmail' }, { showAs: 'busy', kind: 'fromGmail' }],
    [{ eventType: 'someFutureType' }, { showAs: 'busy', kind: 'default' }],
  ] as const)('when the event has %j, then it shows as %j', (fields, expected) => {
    expect(event(normalizeGoogleEvent({ ...GUIDE_EVENT, ...fields }))).toMatchObject(expected);
  });

  it.each([
    ['private', true],
    ['confidential', true],
    ['public', false],
    ['default', false],
  ] as const)('when visibility is %s, then private is %s', (visibility, expected) => {
    expect(event(normalizeGoogleEvent({ ...GUIDE_EVENT, visibility })).private).toBe(expected);
  });

  it('when conferenceData is present, then it is an online meeting', () => {
    const meet = { ...GUIDE_EVENT, conferenceData: { conferenceId: 'aaa-bbbb-ccc', conferenceSolution: { key: { type: 'hangoutsMeet' } } } };
    expect(event(normalizeGoogleEvent(meet)).onlineMeeting).toBe(true);
  });

  it('when summary and location are absent, then they are empty', () => {
    const { summary: _s, location: _l, ...bare } = GUIDE_EVENT;
    expect(event(normalizeGoogleEvent(bare))).toMatchObject({ subject: '', location: '' });
  });

  it.each([
    ['a dateTime without offset', { start: { dateTime: '2015-05-28T09:00:00' } }],
    ['a date that is not on the calendar', { start: { date: '2015-02-30' }, end: { date: '2015-03-01' } }],
    ['a date start with a dateTime end', { start: { date: '2015-05-28' } }],
    ['an end before the start', { end: { dateTime: '2015-05-28T08:00:00-07:00' } }],
    ['an all-day end not after its start', { start: { date: '2015-05-28' }, end: { date: '2015-05-28' } }],
    ['no end', { end: undefined }],
    ['a summary that is not text', { summary: 42 }],
  ])('when the item has %s, then it is invalid, with its id, without quoting it', (_what, fields) => {
    const secretish = { ...GUIDE_EVENT, summary: 'Salary talk with Bob', location: 'Room Secret', ...fields };
    const result = normalizeGoogleEvent(secretish);
    expect(result).toMatchObject({ kind: 'invalid', id: '7cbh8rpc10lrc0ckih9tafss99' });
    const detail = result.kind === 'invalid' ? result.detail : '';
    for (const text of ['Salary', 'Room Secret', '2015-', '42']) expect(detail).not.toContain(text);
  });

  it('when the item has no id, then it is invalid without an id', () => {
    expect(normalizeGoogleEvent({ summary: 'x', start: GUIDE_EVENT.start, end: GUIDE_EVENT.end })).toMatchObject({ kind: 'invalid', id: undefined });
  });

  it('when the item is not an object, then it is invalid', () => {
    expect(normalizeGoogleEvent('nope')).toMatchObject({ kind: 'invalid', id: undefined });
  });
});
