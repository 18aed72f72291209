/**
 * docs/mapping.md says what the code does: each sentence that states a bound or an order is
 * pinned here, next to the behaviour it describes, so the two cannot drift apart again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calendarWindow } from '../../shared/domain/calendar-window.js';
import { mapEvent } from '../../shared/domain/map-event.js';
import { normalizeGoogleEvent } from '../../shared/domain/normalize-google-event.js';
import { contextWith, eventOf } from './domain/mapping-test-context.js';

const MAPPING = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'mapping.md'), 'utf8').replace(/\s+/g, ' ');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('docs/mapping.md, the window', () => {
  it('when the docs state the window, then they say it is in whole UTC days, reaching from LOOKBACK to LOOKBACK + 24 hours back and VIEW_DAYS to VIEW_DAYS + 1 days ahead', () => {
    expect(MAPPING).toContain(
      'in whole UTC days: it starts `CALENDAR_LOOKBACK_HOURS` (default 24) hours before midnight UTC today and ends `CALENDAR_VIEW_DAYS` (default 14) days after midnight UTC tonight.',
    );
    expect(MAPPING).toContain(
      'So it reaches from `CALENDAR_LOOKBACK_HOURS` to `CALENDAR_LOOKBACK_HOURS` + 24 hours back, and from `CALENDAR_VIEW_DAYS` to `CALENDAR_VIEW_DAYS` + 1 days ahead, depending on the hour.',
    );
  });

  it.each([
    [24, 14],
    [0, 1],
    [744, 366],
  ])('when the window is worked out at any hour with lookback %i h and view %i days, then it lies within the bounds the docs state', (lookbackHours, viewDays) => {
    for (const time of ['00:00:00.000', '00:00:00.001', '06:30:00.000', '12:00:00.000', '23:59:59.999']) {
      const now = new Date(`2026-12-06T${time}Z`);
      const window = calendarWindow(now, { lookbackHours, viewDays });
      const back = now.getTime() - Date.parse(window.start);
      const ahead = Date.parse(window.end) - now.getTime();
      expect(back).toBeGreaterThanOrEqual(lookbackHours * HOUR);
      expect(back).toBeLessThan(lookbackHours * HOUR + DAY);
      expect(ahead).toBeGreaterThan(viewDays * DAY);
      expect(ahead).toBeLessThanOrEqual(viewDays * DAY + DAY);
      // The same all day: midnight UTC to midnight UTC.
      expect(window).toEqual(calendarWindow(new Date('2026-12-06T00:00:00Z'), { lookbackHours, viewDays }));
    }
  });
});

describe('docs/mapping.md, the order of the rules', () => {
  const RULES = [
    'cancelled',
    'a Google birthday',
    'outside the window',
    'declined by the mailbox owner',
    'shown as free',
    'an invitation the owner has not answered',
    'tentative',
    'working elsewhere',
    'without duration',
    'out of office',
    'Google focus time',
    'anything else',
  ];

  it('when the rule table is read, then its rows stand in the order the mapping decides in', () => {
    const rows = [...MAPPING.matchAll(/\| (cancelled|a Google birthday|outside the window|declined by the mailbox owner|shown as free|an invitation the owner has not answered|tentative|working elsewhere|without duration|out of office|Google focus time|anything else)[ (]/g)].map((m) => m[1]);
    expect(rows).toEqual(RULES);
  });

  it('when the docs state how a Google working-location event counts, then they say it is working elsewhere whatever its transparency', () => {
    expect(MAPPING).toContain('Google `transparency: transparent`, except a working-location event, which is working elsewhere below)');
    expect(MAPPING).toContain('Google `eventType: workingLocation`, whatever its transparency');
  });

  const workingLocation = {
    id: 'wl-1',
    status: 'confirmed',
    summary: 'Home',
    start: { dateTime: '2026-03-30T08:00:00Z' },
    end: { dateTime: '2026-03-30T16:00:00Z' },
    eventType: 'workingLocation',
    transparency: 'transparent',
    visibility: 'public',
    workingLocationProperties: { type: 'homeOffice', homeOffice: {} },
  };

  it.each([
    ['false', { kind: 'skipped', skipped: expect.objectContaining({ reason: 'working-elsewhere' }) }],
    ['true', { kind: 'activity', activity: expect.anything() }],
  ])('when a transparent Google working-location event is mapped with SYNC_WORKING_ELSEWHERE=%s and SYNC_FREE=false, then the working-elsewhere rule decides, not the free one', (syncWorkingElsewhere, expected) => {
    const ctx = contextWith({ env: { SYNC_FREE: 'false', SYNC_WORKING_ELSEWHERE: syncWorkingElsewhere }, mailbox: { provider: 'google' } });
    expect(mapEvent(eventOf(normalizeGoogleEvent(workingLocation)), ctx)).toMatchObject(expected);
  });
});
