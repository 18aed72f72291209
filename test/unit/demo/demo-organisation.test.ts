/**
 * The demo organisation is built from `now` forward: whatever the weekday or hour (in UTC and in
 * each person's zone), the sync window holds every person's working days, so `npm start` and the
 * tests that change a demo event see the change reach CMG on a Sunday night as on a Tuesday.
 */
import { describe, expect, it } from 'vitest';
import { calendarWindow } from '../../../shared/domain/calendar-window.js';
import { comingWorkingDays, demoOrganisation } from '../../../tools/demo/demo-organisation.js';
import { expectedActivities } from '../../../tools/demo/expected-activities.js';

const DEFAULT_WINDOW = { lookbackHours: 24, viewDays: 14 };
/** A week, Monday 2026-12-07 to Sunday 2026-12-13, at the hours where a day boundary is near somewhere. */
const MOMENTS = Array.from({ length: 7 }, (_, day) => ['00:30', '06:00', '12:00', '18:00', '23:30'].map((time) => new Date(`2026-12-${String(7 + day).padStart(2, '0')}T${time}:00Z`))).flat();

describe('demo organisation', () => {
  it('when the working days are counted from a weekend, then they start on the Monday after it', () => {
    expect(comingWorkingDays(new Date('2026-12-12T12:00:00Z'), 'Europe/Stockholm', 3)).toEqual(['2026-12-14', '2026-12-15', '2026-12-16']);
    // Sunday 23:30 UTC is already Monday in Stockholm, still Sunday in New York.
    expect(comingWorkingDays(new Date('2026-12-13T23:30:00Z'), 'Europe/Stockholm', 2)).toEqual(['2026-12-14', '2026-12-15']);
    expect(comingWorkingDays(new Date('2026-12-13T23:30:00Z'), 'America/New_York', 2)).toEqual(['2026-12-14', '2026-12-15']);
    // A Friday evening in New York is Saturday in UTC: Friday still counts there.
    expect(comingWorkingDays(new Date('2026-12-12T02:00:00Z'), 'America/New_York', 2)).toEqual(['2026-12-11', '2026-12-14']);
  });

  it.each(MOMENTS)('when the demo is built at %s, then every event of every person lies in the window', (now) => {
    const org = demoOrganisation({ now });
    const window = calendarWindow(now, DEFAULT_WINDOW);
    for (const person of org.people) {
      for (const event of org.events[person.key]!) {
        expect(Date.parse(event.start), `${event.id} starts before the window`).toBeGreaterThanOrEqual(Date.parse(window.start));
        expect(Date.parse(event.end), `${event.id} ends after the window`).toBeLessThanOrEqual(Date.parse(window.end));
      }
      // The stand-up series alone is five activities; the rest of the demo adds at least six.
      expect(expectedActivities(org, person, window).length).toBeGreaterThanOrEqual(11);
    }
  });
});
