import { describe, expect, it } from 'vitest';
import { calendarWindow } from '../../../shared/domain/calendar-window.js';

describe('calendarWindow', () => {
  it('when the defaults apply, then whole UTC days covering now − 24 h to now + 14 days', () => {
    expect(calendarWindow(new Date('2026-03-30T07:00:00Z'), { lookbackHours: 24, viewDays: 14 })).toEqual({
      start: '2026-03-29T00:00:00.000Z',
      end: '2026-04-14T00:00:00.000Z',
    });
  });

  it('when the time of day changes within one UTC day, then the window stays the same', () => {
    const settings = { lookbackHours: 5, viewDays: 3 };
    expect(calendarWindow(new Date('2026-03-30T00:00:00Z'), settings)).toEqual(calendarWindow(new Date('2026-03-30T23:59:59Z'), settings));
  });

  it('when any time of day, then the window covers the exact interval', () => {
    const settings = { lookbackHours: 5, viewDays: 3 };
    for (const now of ['2026-03-30T00:00:00Z', '2026-03-30T04:59:00Z', '2026-03-30T23:59:59Z']) {
      const window = calendarWindow(new Date(now), settings);
      expect(Date.parse(window.start)).toBeLessThanOrEqual(Date.parse(now) - 5 * 3_600_000);
      expect(Date.parse(window.end)).toBeGreaterThanOrEqual(Date.parse(now) + 3 * 86_400_000);
    }
  });
});
