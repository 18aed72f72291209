import { beforeEach, describe, expect, it } from 'vitest';
import { createEwsEmulator, type EwsEmulator } from '../../../tools/emulators/exchange/ews-emulator-control.js';
import { M, SERVICE_ACCOUNT, T, calendarItems, calendarView, call, getItem, messages, one, textOf } from './ews-test-xml.js';

const ANNA = 'anna@contoso.com';

describe('EWS emulator: FindItem with CalendarView', () => {
  let ews: EwsEmulator;
  beforeEach(() => {
    ews = createEwsEmulator();
    ews.control.addMailbox({ address: ANNA, timeZone: 'Europe/Paris', impersonators: [SERVICE_ACCOUNT] });
  });
  const view = (start: string, end: string, options: Parameters<typeof calendarView>[2] = {}) => call(ews.service, calendarView(start, end, options), { impersonate: ANNA });

  it('when a weekly 09:00 Paris meeting crosses the spring DST change, then it stays 09:00 local: 08:00Z before, 07:00Z after; the master is hidden', async () => {
    const { itemId, uid } = ews.control.createItem(ANNA, {
      subject: 'Stand-up',
      start: '2026-03-16T08:00:00Z',
      end: '2026-03-16T08:30:00Z',
      recurrence: { pattern: { type: 'weekly', interval: 1, days: ['Monday'] }, range: { type: 'numbered', count: 4 } },
    });

    const answer = await view('2026-03-01T00:00:00Z', '2026-04-30T00:00:00Z');

    expect(answer.status).toBe(200);
    expect(messages(answer).map((m) => [m.cls, m.code])).toEqual([['Success', 'NoError']]);
    const items = calendarItems(answer.doc);
    expect(items.map((i) => [i.Start, i.End])).toEqual([
      ['2026-03-16T08:00:00Z', '2026-03-16T08:30:00Z'],
      ['2026-03-23T08:00:00Z', '2026-03-23T08:30:00Z'],
      ['2026-03-30T07:00:00Z', '2026-03-30T07:30:00Z'],
      ['2026-04-06T07:00:00Z', '2026-04-06T07:30:00Z'],
    ]);
    expect(new Set(items.map((i) => i.CalendarItemType))).toEqual(new Set(['Occurrence']));
    expect(items.every((i) => i.UID === uid && i.RecurrenceId === i.Start && i.ItemId !== itemId)).toBe(true);
    expect(one(answer.doc, M, 'RootFolder').getAttribute('IncludesLastItemInRange')).toBe('true');
  });

  it("when a New York organiser's 09:00 series lands in a Paris mailbox, then it follows New York's DST (8 March), not Paris's", async () => {
    ews.control.createItem(ANNA, {
      subject: 'Sync with NY',
      organizer: 'bob@fabrikam.com',
      timeZone: 'America/New_York',
      start: '2026-03-05T14:00:00Z',
      end: '2026-03-05T15:00:00Z',
      recurrence: { pattern: { type: 'weekly', interval: 1, days: ['Thursday'] }, range: { type: 'endDate', endDate: '2026-04-02' } },
    });

    const items = calendarItems((await view('2026-03-01T00:00:00Z', '2026-05-01T00:00:00Z')).doc);

    expect(items.map((i) => i.Start)).toEqual(['2026-03-05T14:00:00Z', '2026-03-12T13:00:00Z', '2026-03-19T13:00:00Z', '2026-03-26T13:00:00Z', '2026-04-02T13:00:00Z']);
    expect(items[0]).toMatchObject({ MyResponseType: 'NoResponseReceived', Organizer: 'bob@fabrikam.com' });
  });

  it('when occurrences are retitled, moved across the window edge or deleted, then exceptions carry their own fields, moved ones follow their new time, deleted ones are absent', async () => {
    const { itemId } = ews.control.createItem(ANNA, {
      subject: 'Daily',
      start: '2026-06-01T07:00:00Z',
      end: '2026-06-01T07:15:00Z',
      recurrence: { pattern: { type: 'daily', interval: 1 }, range: { type: 'noEnd' } },
    });
    ews.control.updateOccurrence(ANNA, itemId, '2026-06-02T07:00:00Z', { subject: 'Daily (demo day)' });
    // Inside the window originally, moved out of it; and outside originally, moved in.
    ews.control.updateOccurrence(ANNA, itemId, '2026-06-03T07:00:00Z', { start: '2026-06-20T07:00:00Z', end: '2026-06-20T07:15:00Z' });
    ews.control.updateOccurrence(ANNA, itemId, '2026-06-15T07:00:00Z', { start: '2026-06-04T12:00:00Z', end: '2026-06-04T12:30:00Z' });
    ews.control.deleteOccurrence(ANNA, itemId, '2026-06-04T07:00:00Z');

    const items = calendarItems((await view('2026-06-01T00:00:00Z', '2026-06-06T00:00:00Z')).doc);

    expect(items.map((i) => [i.Start, i.Subject, i.CalendarItemType, i.RecurrenceId])).toEqual([
      ['2026-06-01T07:00:00Z', 'Daily', 'Occurrence', '2026-06-01T07:00:00Z'],
      ['2026-06-02T07:00:00Z', 'Daily (demo day)', 'Exception', '2026-06-02T07:00:00Z'],
      ['2026-06-04T12:00:00Z', 'Daily', 'Exception', '2026-06-15T07:00:00Z'],
      ['2026-06-05T07:00:00Z', 'Daily', 'Occurrence', '2026-06-05T07:00:00Z'],
    ]);
  });

  it('when GetItem asks for a deleted occurrence, a deleted item and a live one at once, then one answer holds both errors and the success', async () => {
    const { itemId: seriesId } = ews.control.createItem(ANNA, {
      subject: 'Weekly',
      start: '2026-06-01T07:00:00Z',
      end: '2026-06-01T08:00:00Z',
      recurrence: { pattern: { type: 'weekly', interval: 1, days: ['Monday'] }, range: { type: 'noEnd' } },
    });
    const doomed = ews.control.occurrences(ANNA, seriesId, '2026-06-08T00:00:00Z', '2026-06-09T00:00:00Z')[0]!;
    ews.control.deleteOccurrence(ANNA, seriesId, doomed.originalStart);
    const { itemId: single } = ews.control.createItem(ANNA, { subject: 'Gone', start: '2026-06-02T07:00:00Z', end: '2026-06-02T08:00:00Z' });
    ews.control.deleteItem(ANNA, single);
    const live = ews.control.occurrences(ANNA, seriesId, '2026-06-15T00:00:00Z', '2026-06-16T00:00:00Z')[0]!;

    const answer = await call(ews.service, getItem([doomed.itemId, single, live.itemId]), { impersonate: ANNA });

    expect(answer.status).toBe(200);
    expect(messages(answer).map((m) => [m.cls, m.code])).toEqual([
      ['Error', 'ErrorCalendarOccurrenceIsDeletedFromRecurrence'],
      ['Error', 'ErrorItemNotFound'],
      ['Success', 'NoError'],
    ]);
    expect(calendarItems(messages(answer)[2]!.el)[0]).toMatchObject({ Start: '2026-06-15T07:00:00Z', CalendarItemType: 'Occurrence' });
  });

  it('when an all-day event is on 13 June in Paris, then it comes as the UTC instants of Paris midnights', async () => {
    ews.control.createItem(ANNA, { subject: 'Off', isAllDayEvent: true, start: '2026-06-13', end: '2026-06-14', legacyFreeBusyStatus: 'OOF' });

    const [item] = calendarItems((await view('2026-06-10T00:00:00Z', '2026-06-20T00:00:00Z')).doc);

    expect(item).toMatchObject({ Start: '2026-06-12T22:00:00Z', End: '2026-06-13T22:00:00Z', IsAllDayEvent: 'true', LegacyFreeBusyStatus: 'OOF', CalendarItemType: 'Single' });
  });

  it('when a meeting was cancelled and another is an accepted invitation, then IsCancelled and MyResponseType say so', async () => {
    ews.control.createItem(ANNA, { subject: 'Canceled: Review', start: '2026-06-11T09:00:00Z', end: '2026-06-11T10:00:00Z', isCancelled: true, organizer: 'carl@contoso.com', legacyFreeBusyStatus: 'Free' });
    ews.control.createItem(ANNA, { subject: 'Board', start: '2026-06-11T12:00:00Z', end: '2026-06-11T13:00:00Z', organizer: 'carl@contoso.com', myResponseType: 'Accept' });

    const items = calendarItems((await view('2026-06-11T00:00:00Z', '2026-06-12T00:00:00Z')).doc);

    expect(items.map((i) => [i.Subject, i.IsCancelled, i.MyResponseType, i.Organizer])).toEqual([
      ['Canceled: Review', 'true', 'NoResponseReceived', 'carl@contoso.com'],
      ['Board', 'false', 'Accept', 'carl@contoso.com'],
    ]);
  });

  it('when monthly and yearly patterns are expanded, then day 31 falls back to the month end, "second Tuesday" and 29 February behave', async () => {
    ews.control.createItem(ANNA, { subject: 'Month end', start: '2026-01-31T09:00:00Z', end: '2026-01-31T10:00:00Z', recurrence: { pattern: { type: 'absoluteMonthly', interval: 1, dayOfMonth: 31 }, range: { type: 'numbered', count: 4 } } });
    ews.control.createItem(ANNA, { subject: 'Patch Tuesday', start: '2026-01-13T17:00:00Z', end: '2026-01-13T18:00:00Z', recurrence: { pattern: { type: 'relativeMonthly', interval: 1, dayOfWeek: 'Tuesday', index: 'Second' }, range: { type: 'numbered', count: 3 } } });
    ews.control.createItem(ANNA, { subject: 'Leap', isAllDayEvent: true, start: '2024-02-29', end: '2024-03-01', recurrence: { pattern: { type: 'absoluteYearly', month: 2, dayOfMonth: 29 }, range: { type: 'noEnd' } } });

    const items = calendarItems((await view('2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z')).doc);
    const dates = (subject: string): string[] => items.filter((i) => i.Subject === subject).map((i) => i.Start!.slice(0, 10));

    expect(dates('Month end')).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30']);
    expect(dates('Patch Tuesday')).toEqual(['2026-01-13', '2026-02-10', '2026-03-10']);
    // 28 February 2026 in Paris starts at 23:00Z the day before.
    expect(items.filter((i) => i.Subject === 'Leap').map((i) => i.Start)).toEqual(['2026-02-27T23:00:00Z']);
  });

  it('when more items than MaxEntriesReturned are in the window, then the first ones come, TotalItemsInView counts all, IncludesLastItemInRange is false', async () => {
    for (let day = 1; day <= 5; day++) ews.control.createItem(ANNA, { subject: `Day ${day}`, start: `2026-06-0${day}T09:00:00Z`, end: `2026-06-0${day}T10:00:00Z` });

    const truncated = await view('2026-06-01T00:00:00Z', '2026-06-10T00:00:00Z', { max: 2 });
    const whole = await view('2026-06-01T00:00:00Z', '2026-06-10T00:00:00Z', { max: 5 });

    expect(calendarItems(truncated.doc).map((i) => i.Subject)).toEqual(['Day 1', 'Day 2']);
    expect(one(truncated.doc, M, 'RootFolder').getAttribute('TotalItemsInView')).toBe('5');
    expect(one(truncated.doc, M, 'RootFolder').getAttribute('IncludesLastItemInRange')).toBe('false');
    expect(one(whole.doc, M, 'RootFolder').getAttribute('IncludesLastItemInRange')).toBe('true');
  });

  it('when more than 1,000 items would come back, then ErrorExceededFindCountLimit with PolicyLimit 1000; at 1,000 by MaxEntriesReturned it answers', async () => {
    for (const hour of [10, 12]) {
      ews.control.createItem(ANNA, { subject: `Daily ${hour}`, start: `2026-01-01T${hour}:00:00Z`, end: `2026-01-01T${hour}:30:00Z`, recurrence: { pattern: { type: 'daily', interval: 1 }, range: { type: 'noEnd' } } });
    }
    // 2 × 501 days = 1,002 occurrences.
    const refused = await view('2026-01-01T00:00:00Z', '2027-05-17T00:00:00Z');
    const capped = await view('2026-01-01T00:00:00Z', '2027-05-17T00:00:00Z', { max: 1000 });

    const [message] = messages(refused);
    expect(refused.status).toBe(200);
    expect([message!.cls, message!.code]).toEqual(['Error', 'ErrorExceededFindCountLimit']);
    const value = one(message!.el, T, 'Value');
    expect([value.getAttribute('Name'), value.textContent]).toEqual(['PolicyLimit', '1000']);
    expect(calendarItems(capped.doc)).toHaveLength(1000);
    expect(one(capped.doc, M, 'RootFolder').getAttribute('TotalItemsInView')).toBe('1002');
  });

  it('when an item ends exactly at StartDate, then it is returned (MS:calendarview.md: only items ending *before* StartDate are left out); one starting at EndDate is not', async () => {
    ews.control.createItem(ANNA, { subject: 'Ends at start', start: '2026-06-01T08:00:00Z', end: '2026-06-01T09:00:00Z' });
    ews.control.createItem(ANNA, { subject: 'Inside', start: '2026-06-01T10:00:00Z', end: '2026-06-01T11:00:00Z' });
    ews.control.createItem(ANNA, { subject: 'Starts at end', start: '2026-06-01T12:00:00Z', end: '2026-06-01T13:00:00Z' });

    const items = calendarItems((await view('2026-06-01T09:00:00Z', '2026-06-01T12:00:00Z')).doc);

    expect(items.map((i) => i.Subject)).toEqual(['Ends at start', 'Inside']);
  });

  it('when the mailbox moves to another zone, then an all-day event made before keeps its instants (the shift field reports describe)', async () => {
    ews.control.createItem(ANNA, { subject: 'Holiday', isAllDayEvent: true, start: '2026-06-13', end: '2026-06-14' });
    ews.control.setTimeZone(ANNA, 'America/New_York');
    ews.control.createItem(ANNA, { subject: 'Holiday NY', isAllDayEvent: true, start: '2026-06-20', end: '2026-06-21' });

    const items = calendarItems((await view('2026-06-10T00:00:00Z', '2026-06-25T00:00:00Z')).doc);

    expect(items.map((i) => [i.Subject, i.Start])).toEqual([
      ['Holiday', '2026-06-12T22:00:00Z'],
      ['Holiday NY', '2026-06-20T04:00:00Z'],
    ]);
  });

  it('when the window is longer than 2 years, then ErrorCalendarViewRangeTooBig; exactly 2 years is served', async () => {
    const tooBig = await view('2026-01-01T00:00:00Z', '2028-01-01T00:00:01Z');
    const twoYears = await view('2026-01-01T00:00:00Z', '2028-01-01T00:00:00Z');

    expect(messages(tooBig).map((m) => m.code)).toEqual(['ErrorCalendarViewRangeTooBig']);
    expect(messages(twoYears).map((m) => m.code)).toEqual(['NoError']);
    expect(textOf(tooBig.doc, M, 'MessageText')).toMatch(/2 years/);
  });
});
