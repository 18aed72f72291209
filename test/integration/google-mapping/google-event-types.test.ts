/**
 * Google's special entries through the real provider (emulator over HTTP) and the mapping:
 * all-day events and the outOfOffice / focusTime / workingLocation / birthday event types map
 * as MAPPING.md §1 and §5 say.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readMappingSettings } from '../../../shared/config/mapping-setting-specs.js';
import { calendarWindow } from '../../../shared/domain/calendar-window.js';
import { mapCalendar, type MappedCalendar } from '../../../shared/domain/map-calendar.js';
import type { MappingContext } from '../../../shared/domain/mapping-context.js';
import { createGoogleCalendarProvider } from '../../../shared/providers/google/google-calendar-provider.js';
import { startGoogleFixture, type GoogleFixture } from '../google/google-harness.js';

const BOB = 'bob@example.com';
const ZONE = 'Europe/Stockholm';
const NOW = new Date('2026-03-30T07:00:00Z');

let fx: GoogleFixture;
beforeAll(async () => {
  fx = await startGoogleFixture();
});
afterAll(async () => {
  await fx.emulator.close();
});
beforeEach(() => {
  fx.reset();
  fx.emulator.control.addUser(BOB, { timeZone: ZONE });
});

async function syncAndMap(env: Record<string, string> = {}): Promise<{ mapped: MappedCalendar; ids: Map<string, string> }> {
  const read = readMappingSettings({ OOF_CODE: '5', DEFAULT_CODE: '11', ...env });
  if (!read.ok) throw new Error(JSON.stringify(read.problems));
  const window = calendarWindow(NOW, read.settings);
  const provider = createGoogleCalendarProvider(fx.profile, { timeoutMs: 2_000, maxRetries: 1 });
  const fetched = await provider.fetchCalendar({ address: BOB, window });
  const ctx: MappingContext = {
    settings: read.settings,
    codes: [
      { code: '5', descriptions: { en: 'Out of office' } },
      { code: '11', descriptions: { en: 'Meeting' } },
      { code: '13', descriptions: { en: 'Training' } },
    ],
    mailbox: { key: 'user-7', provider: 'google', language: 'en', forwardByDefault: false, timeZone: fetched.timeZone },
    window,
  };
  const ids = new Map(fetched.items.flatMap((i) => (i.kind === 'event' ? [[i.event.subject, i.event.id] as const] : [])));
  return { mapped: mapCalendar(fetched.items, ctx), ids };
}

const put = (event: Record<string, unknown>) => fx.emulator.control.putEvent(BOB, event);

describe('Google event types through provider and mapping', () => {
  it('when an all-day event spans two days, then the activity runs from local midnight to the midnight after the last day', async () => {
    put({ summary: 'Training days', start: { date: '2026-03-31' }, end: { date: '2026-04-02' } });

    const { mapped } = await syncAndMap();

    expect(mapped.activities).toHaveLength(1);
    expect(mapped.activities[0]).toMatchObject({ code: '13', text: 'Training days', start: '2026-03-31T00:00:00+02:00', end: '2026-04-02T00:00:00+02:00' });
  });

  it('when an all-day event crosses the DST change, then both ends are local midnights with their own offsets', async () => {
    put({ summary: 'Conference', start: { date: '2026-03-28' }, end: { date: '2026-03-30' } });

    const { mapped } = await syncAndMap({ CALENDAR_LOOKBACK_HOURS: '72' });

    expect(mapped.activities[0]).toMatchObject({ start: '2026-03-28T00:00:00+01:00', end: '2026-03-30T00:00:00+02:00' });
  });

  it('when the event is out of office, then it gets OOF_CODE whatever its title', async () => {
    put({ summary: 'Meeting-free: dentist', eventType: 'outOfOffice', start: { dateTime: '2026-03-31T13:00:00+02:00' }, end: { dateTime: '2026-03-31T15:00:00+02:00' } });

    const { mapped } = await syncAndMap();

    expect(mapped.activities).toMatchObject([{ code: '5', start: '2026-03-31T13:00:00+02:00', end: '2026-03-31T15:00:00+02:00' }]);
  });

  it('when the event is focus time, then it is an activity with the code of the normal rules', async () => {
    put({ summary: 'Focus time', eventType: 'focusTime', start: { dateTime: '2026-03-31T09:00:00+02:00' }, end: { dateTime: '2026-03-31T11:00:00+02:00' } });

    const { mapped } = await syncAndMap();

    expect(mapped.activities).toMatchObject([{ code: '11', text: 'Focus time' }]);
  });

  it('when the event is a working location, then no activity by default and one with SYNC_WORKING_ELSEWHERE=true', async () => {
    put({ summary: 'Home', eventType: 'workingLocation', transparency: 'transparent', visibility: 'public', start: { date: '2026-03-31' }, end: { date: '2026-04-01' } });

    const off = await syncAndMap();
    const on = await syncAndMap({ SYNC_WORKING_ELSEWHERE: 'true' });

    expect(off.mapped.activities).toEqual([]);
    expect(off.mapped.skipped).toMatchObject([{ eventId: off.ids.get('Home'), reason: 'working-elsewhere' }]);
    expect(on.mapped.activities).toHaveLength(1);
  });

  it('when the entry is a birthday, then it never becomes an activity', async () => {
    put({ summary: "Ann's birthday", eventType: 'birthday', transparency: 'transparent', start: { date: '2026-04-01' }, end: { date: '2026-04-02' }, recurrence: ['RRULE:FREQ=WEEKLY;INTERVAL=52;COUNT=2'] });

    const { mapped } = await syncAndMap({ SYNC_FREE: 'true' });

    expect(mapped.activities).toEqual([]);
    expect(mapped.skipped.map((s) => s.reason)).toEqual(['not-an-event']);
  });

  it('when a private event has an online meeting and the owner declined another, then text is masked and the declined one is skipped', async () => {
    put({
      summary: 'Salary review',
      visibility: 'private',
      conferenceData: { conferenceId: 'abc-defg-hij', conferenceSolution: { key: { type: 'hangoutsMeet' } } },
      start: { dateTime: '2026-03-31T10:00:00+02:00' },
      end: { dateTime: '2026-03-31T10:30:00+02:00' },
    });
    put({
      summary: 'Declined sync',
      attendees: [{ email: 'carol@example.com', responseStatus: 'accepted' }, { email: BOB, responseStatus: 'declined' }],
      start: { dateTime: '2026-03-31T12:00:00+02:00' },
      end: { dateTime: '2026-03-31T12:30:00+02:00' },
    });

    const { mapped } = await syncAndMap({ CMG_IN_CONFERENCE: 'true' });

    expect(mapped.activities).toMatchObject([{ text: 'Private appointment', private: true, inConference: true }]);
    expect(mapped.skipped.map((s) => s.reason)).toEqual(['declined']);
  });
});
