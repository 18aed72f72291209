import { describe, expect, it } from 'vitest';
import { expandSeries, type Recurrence } from '../../../../tools/emulators/exchange/ews-recurrence.js';

const series = (start: string, end: string, recurrence: Recurrence, zone = 'Europe/Paris', isAllDay = false) => ({ startMs: Date.parse(start), endMs: Date.parse(end), zone, isAllDay, recurrence });
const starts = (s: ReturnType<typeof series>, until = '2027-01-01T00:00:00Z'): string[] => expandSeries(s, Date.parse(until)).map((o) => new Date(o.startMs).toISOString().slice(0, 16));

describe('EWS emulator recurrence', () => {
  it('when a series is every other week on Monday and Friday from a Wednesday, then the first week keeps only the Friday and weeks alternate from the Sunday-based week', () => {
    const s = series('2026-06-03T07:00:00Z', '2026-06-03T08:00:00Z', { pattern: { type: 'weekly', interval: 2, days: ['Friday', 'Monday'] }, range: { type: 'numbered', count: 5 } });
    expect(starts(s)).toEqual(['2026-06-05T07:00', '2026-06-15T07:00', '2026-06-19T07:00', '2026-06-29T07:00', '2026-07-03T07:00']);
  });

  it('when the week starts on Monday, then a fortnightly Sunday falls in the other week', () => {
    const sundayFirst = series('2026-06-01T07:00:00Z', '2026-06-01T08:00:00Z', { pattern: { type: 'weekly', interval: 2, days: ['Sunday'] }, range: { type: 'numbered', count: 2 } });
    const mondayFirst = series('2026-06-01T07:00:00Z', '2026-06-01T08:00:00Z', { pattern: { type: 'weekly', interval: 2, days: ['Sunday'], firstDayOfWeek: 'Monday' }, range: { type: 'numbered', count: 2 } });
    expect(starts(sundayFirst)).toEqual(['2026-06-14T07:00', '2026-06-28T07:00']);
    expect(starts(mondayFirst)).toEqual(['2026-06-07T07:00', '2026-06-21T07:00']);
  });

  it('when a daily all-day series crosses the autumn DST change, then each day still runs midnight to midnight (a 25-hour day included)', () => {
    const s = series('2026-10-23T22:00:00Z', '2026-10-24T22:00:00Z', { pattern: { type: 'daily', interval: 1 }, range: { type: 'endDate', endDate: '2026-10-26' } }, 'Europe/Paris', true);
    const occurrences = expandSeries(s, Date.parse('2027-01-01T00:00:00Z')).map((o) => [new Date(o.startMs).toISOString(), (o.endMs - o.startMs) / 3_600_000]);
    expect(occurrences).toEqual([
      ['2026-10-23T22:00:00.000Z', 24],
      ['2026-10-24T22:00:00.000Z', 25],
      ['2026-10-25T23:00:00.000Z', 24],
    ]);
  });

  it('when "last Friday" is asked every three months, then it is the month\'s last Friday', () => {
    const s = series('2026-01-30T09:00:00Z', '2026-01-30T10:00:00Z', { pattern: { type: 'relativeMonthly', interval: 3, dayOfWeek: 'Friday', index: 'Last' }, range: { type: 'noEnd' } }, 'UTC');
    expect(starts(s, '2027-01-01T00:00:00Z')).toEqual(['2026-01-30T09:00', '2026-04-24T09:00', '2026-07-31T09:00', '2026-10-30T09:00']);
  });
});
