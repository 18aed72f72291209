/**
 * The Google emulator is as unkind as Google (issue 27), read through the production provider:
 * the rules it expands, the shapes it refuses, the invitations it hides, the quota it runs out of.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGoogleCalendarProvider } from '../../../shared/providers/google/google-calendar-provider.js';
import type { CalendarEvent, NormalizeResult } from '../../../shared/domain/calendar-event.js';
import { AppError } from '../../../shared/errors/app-error.js';
import { GoogleRefusal } from '../../../tools/emulators/google/google-calendar-store.js';
import { startGoogleFixture, type GoogleFixture } from './google-harness.js';

const ALICE = 'alice@example.com';
const WINDOW = { start: '2030-03-01T00:00:00Z', end: '2030-07-01T00:00:00Z' };

let fx: GoogleFixture;
beforeAll(async () => {
  fx = await startGoogleFixture();
});
afterAll(async () => {
  await fx.emulator.close();
});
beforeEach(() => {
  fx.reset();
  fx.emulator.control.addUser(ALICE, { timeZone: 'Europe/Stockholm' });
});

const fetchAll = () => createGoogleCalendarProvider(fx.profile, { timeoutMs: 2_000, maxRetries: 0 }).fetchCalendar({ address: ALICE, window: WINDOW });
const starts = (items: readonly NormalizeResult[]): string[] =>
  items.flatMap((i) => (i.kind === 'event' && !i.event.timing.allDay ? [i.event.timing.start] : [])).sort();
const events = (items: readonly NormalizeResult[]): CalendarEvent[] => items.flatMap((i) => (i.kind === 'event' ? [i.event] : []));

const monthly = (rule: string) => ({
  summary: 'Monthly',
  start: { dateTime: '2030-03-12T10:00:00+01:00', timeZone: 'Europe/Stockholm' },
  end: { dateTime: '2030-03-12T11:00:00+01:00', timeZone: 'Europe/Stockholm' },
  recurrence: [rule],
});

describe('Google emulator: recurrence beyond DAILY and WEEKLY', () => {
  it('when a series repeats on the second Tuesday of each month, then each month has exactly that day, at 10:00 local across the DST change', async () => {
    fx.emulator.control.putEvent(ALICE, monthly('RRULE:FREQ=MONTHLY;COUNT=4;BYDAY=2TU'));
    expect(starts((await fetchAll()).items)).toEqual(['2030-03-12T09:00:00.000Z', '2030-04-09T08:00:00.000Z', '2030-05-14T08:00:00.000Z', '2030-06-11T08:00:00.000Z']);
  });

  it('when a series repeats on the last day of the month and on the 12th, then both come each month, in order', async () => {
    fx.emulator.control.putEvent(ALICE, monthly('RRULE:FREQ=MONTHLY;UNTIL=20300501T000000Z;BYMONTHDAY=12,-1'));
    expect(starts((await fetchAll()).items)).toEqual(['2030-03-12T09:00:00.000Z', '2030-03-31T08:00:00.000Z', '2030-04-12T08:00:00.000Z', '2030-04-30T08:00:00.000Z']);
  });

  it('when a weekly series names two weekdays, then both come each week from the first', async () => {
    fx.emulator.control.putEvent(ALICE, { ...monthly('RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=TU,TH') });
    expect(starts((await fetchAll()).items)).toEqual(['2030-03-12T09:00:00.000Z', '2030-03-14T09:00:00.000Z', '2030-03-19T09:00:00.000Z', '2030-03-21T09:00:00.000Z']);
  });
});

describe('Google emulator: shapes Google refuses', () => {
  const day = { start: { date: '2030-03-04' }, end: { date: '2030-03-05' } };

  it.each(['outOfOffice', 'focusTime'] as const)('when an all-day %s event is written, then it is refused with a 400', (eventType) => {
    expect(() => fx.emulator.control.putEvent(ALICE, { summary: 'Away', eventType, ...day })).toThrow(GoogleRefusal);
  });

  it.each([
    ['opaque', { transparency: 'opaque', visibility: 'public' }],
    ['not public', { transparency: 'transparent', visibility: 'default' }],
  ] as const)('when a working location event is %s, then it is refused; transparent and public, it is stored', (_label, shape) => {
    expect(() => fx.emulator.control.putEvent(ALICE, { summary: 'Home', eventType: 'workingLocation', ...day, ...shape })).toThrow(GoogleRefusal);
    expect(fx.emulator.control.putEvent(ALICE, { summary: 'Home', eventType: 'workingLocation', ...day, transparency: 'transparent', visibility: 'public' }).eventType).toBe('workingLocation');
  });
});

describe('Google emulator: invitations', () => {
  it('when an invitation is hidden from its owner, then events.list leaves it out; one she can see is organised by its sender', async () => {
    const invitation = (summary: string, hiddenInvitation: boolean) => ({
      summary,
      start: { dateTime: '2030-03-05T10:00:00+01:00' },
      end: { dateTime: '2030-03-05T11:00:00+01:00' },
      attendees: [{ email: 'Alice@Example.com', responseStatus: 'needsAction' as const }, { email: 'sender@partner.org' }],
      hiddenInvitation,
    });
    fx.emulator.control.putEvent(ALICE, invitation('From a stranger', true));
    fx.emulator.control.putEvent(ALICE, invitation('From a partner', false));

    const seen = events((await fetchAll()).items);
    expect(seen.map((e) => e.subject)).toEqual(['From a partner']);
    // `self` is found whatever the address's case; someone else organises it, and it is unanswered.
    expect(seen[0]).toMatchObject({ unanswered: true, tentative: true });
  });

  it('when an invitation reached the owner through a group, then its sender organises it, no attendee is self, and it is unanswered', async () => {
    fx.emulator.control.putEvent(ALICE, {
      summary: 'All hands',
      start: { dateTime: '2030-03-05T10:00:00+01:00' },
      end: { dateTime: '2030-03-05T11:00:00+01:00' },
      attendees: [{ email: 'ceo@example.com', responseStatus: 'accepted' }, { email: 'all-staff@example.com', responseStatus: 'needsAction' }],
    });
    expect(events((await fetchAll()).items)).toMatchObject([{ subject: 'All hands', unanswered: true, tentative: true }]);
  });
});

describe('Google emulator: a day without quota', () => {
  it("when the project's queries for the day are used up, then every call answers 403 rateLimitExceeded naming 'Queries per day' until midnight Pacific Time", async () => {
    const until = fx.emulator.control.exhaustDailyQuota();
    const error = await fetchAll().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('quota-exhausted');
    const pacific = new Intl.DateTimeFormat('en-US', { timeZone: 'America/Los_Angeles', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(until);
    expect(pacific).toBe('00:00');
    expect(until - Date.now()).toBeLessThanOrEqual(25 * 3_600_000);
  });
});
