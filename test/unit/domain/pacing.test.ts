import { describe, expect, it } from 'vitest';
import { intervalStart, isQuiet, quietPeriodEnd, spreadOffsetMs } from '../../../shared/domain/pacing.js';

const at = (iso: string): number => Date.parse(iso);

describe('calendar spread', () => {
  it('when many mailboxes are spread over an interval, then offsets are stable, inside it and roughly even', () => {
    const interval = 15 * 60_000;
    const offsets = Array.from({ length: 4000 }, (_, i) => spreadOffsetMs(`user-${i}`, interval));
    expect(offsets.every((o) => o >= 0 && o < interval)).toBe(true);
    expect(spreadOffsetMs('user-7', interval)).toBe(offsets[7]);
    const buckets = new Array(15).fill(0) as number[];
    for (const o of offsets) buckets[Math.floor(o / 60_000)]! += 1;
    // 4000 over 15 minutes ≈ 267 a minute; a hash spread stays well within ±30 %.
    expect(Math.min(...buckets)).toBeGreaterThan(187);
    expect(Math.max(...buckets)).toBeLessThan(347);
  });

  it('when now is inside an interval, then its start is aligned to the interval', () => {
    expect(intervalStart(at('2026-11-25T10:17:42Z'), 15 * 60_000)).toBe(at('2026-11-25T10:15:00Z'));
  });
});

describe('quiet period', () => {
  const overnight = { start: 22 * 60, end: 5 * 60, timeZone: 'Europe/Stockholm' };

  it('when the period wraps past midnight, then times on both sides of midnight are quiet', () => {
    expect(isQuiet(at('2026-11-25T21:30:00Z'), overnight)).toBe(true); // 22:30 local
    expect(isQuiet(at('2026-11-26T03:59:00Z'), overnight)).toBe(true); // 04:59 local
    expect(isQuiet(at('2026-11-26T04:00:00Z'), overnight)).toBe(false); // 05:00 local
    expect(isQuiet(at('2026-11-25T20:59:00Z'), overnight)).toBe(false); // 21:59 local
  });

  it('when work arrives inside the period, then it is deferred to the local end of the period', () => {
    expect(new Date(quietPeriodEnd(at('2026-11-25T21:30:10Z'), overnight)).toISOString()).toBe('2026-11-26T04:00:00.000Z');
  });

  it('when the clocks change inside the period, then the end is still the local end', () => {
    // Europe/Stockholm moves to summer time at 02:00 on 2026-03-29: 05:00 local is 03:00Z.
    expect(new Date(quietPeriodEnd(at('2026-03-28T22:00:00Z'), overnight)).toISOString()).toBe('2026-03-29T03:00:00.000Z');
  });

  it('when no period is set, then nothing is quiet', () => {
    expect(isQuiet(at('2026-11-25T21:30:00Z'), undefined)).toBe(false);
    expect(quietPeriodEnd(123, undefined)).toBe(123);
  });
});
