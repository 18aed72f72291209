import { describe, expect, it } from 'vitest';
import { addDays, formatInZone, isTimeZone, zonedTimeToInstant } from '../../../shared/domain/time-zone.js';

const iso = (ms: number): string => new Date(ms).toISOString();

describe('zonedTimeToInstant', () => {
  it.each([
    ['2026-03-29', 0, 'Europe/Stockholm', '2026-03-28T23:00:00.000Z'],
    ['2026-03-30', 0, 'Europe/Stockholm', '2026-03-29T22:00:00.000Z'],
    ['2026-03-08', 0, 'America/New_York', '2026-03-08T05:00:00.000Z'],
    ['2026-04-05', 0, 'Australia/Sydney', '2026-04-04T13:00:00.000Z'],
    ['2026-04-06', 0, 'Australia/Sydney', '2026-04-05T14:00:00.000Z'],
    ['2026-06-01', 0, 'Asia/Kolkata', '2026-05-31T18:30:00.000Z'],
  ])('when %s %i:00 is local in %s, then it is %s', (date, hour, zone, expected) => {
    expect(iso(zonedTimeToInstant(date, hour, 0, zone))).toBe(expected);
  });

  it('when the local time is skipped by the spring change, then it moves forward by the gap', () => {
    expect(iso(zonedTimeToInstant('2026-03-29', 2, 30, 'Europe/Stockholm'))).toBe('2026-03-29T01:30:00.000Z');
  });

  it('when the local time occurs twice in autumn, then the earlier instant', () => {
    expect(iso(zonedTimeToInstant('2026-10-25', 2, 30, 'Europe/Stockholm'))).toBe('2026-10-25T00:30:00.000Z');
  });

  it('when midnight itself is skipped (America/Santiago), then the first instant of the day', () => {
    const instant = zonedTimeToInstant('2026-09-06', 0, 0, 'America/Santiago');
    expect(formatInZone(instant, 'America/Santiago')).toBe('2026-09-06T01:00:00-03:00');
  });
});

describe('formatInZone', () => {
  it.each([
    ['2026-03-28T23:00:00Z', 'Europe/Stockholm', '2026-03-29T00:00:00+01:00'],
    ['2026-07-01T12:34:56Z', 'America/New_York', '2026-07-01T08:34:56-04:00'],
    ['2026-07-01T12:00:00Z', 'Asia/Kolkata', '2026-07-01T17:30:00+05:30'],
    ['2026-07-01T12:00:00.250Z', 'UTC', '2026-07-01T12:00:00.250+00:00'],
  ])('when %s is shown in %s, then %s', (instant, zone, expected) => {
    expect(formatInZone(Date.parse(instant), zone)).toBe(expected);
    expect(Date.parse(expected)).toBe(Date.parse(instant));
  });
});

describe('isTimeZone and addDays', () => {
  it('when the zone is known or not, then true or false', () => {
    expect(isTimeZone('Europe/Stockholm')).toBe(true);
    expect(isTimeZone('W. Europe Standard Time')).toBe(false);
  });
  it('when days are added across a month and year end, then calendar dates', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});
