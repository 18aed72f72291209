import { describe, expect, it } from 'vitest';
import { parseNcrontab } from '../../tools/dev-host/ncrontab.js';

describe('NCRONTAB', () => {
  it('when the product schedules are read, then they fire at the seconds Azure would', () => {
    const everyMinute = parseNcrontab('0 * * * * *');
    expect(everyMinute(new Date('2026-11-25T10:17:00Z'))).toBe(true);
    expect(everyMinute(new Date('2026-11-25T10:17:01Z'))).toBe(false);
    const tenMinutes = parseNcrontab('0 */10 * * * *');
    expect(tenMinutes(new Date('2026-11-25T10:20:00Z'))).toBe(true);
    expect(tenMinutes(new Date('2026-11-25T10:25:00Z'))).toBe(false);
    const weekdays = parseNcrontab('0 30 9 * * 1-5');
    expect(weekdays(new Date('2026-11-25T09:30:00Z'))).toBe(true); // Wednesday
    expect(weekdays(new Date('2026-11-29T09:30:00Z'))).toBe(false); // Sunday
  });

  it('when an expression is malformed, then it is refused with the reason', () => {
    expect(() => parseNcrontab('* * * * *')).toThrow(/six fields/);
    expect(() => parseNcrontab('61 * * * * *')).toThrow(/invalid/);
  });
});
