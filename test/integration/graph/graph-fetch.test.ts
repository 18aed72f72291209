import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CalendarEvent, NormalizeResult } from '../../../shared/domain/calendar-event.js';
import type { RunningGraphEmulator } from '../../../tools/emulators/graph/graph-emulator.js';
import { at, calendarRequests, providerFor, startKit, windowAround } from './graph-harness.js';

const ADELE = 'adele@contoso.com';
const now = new Date();
const window = windowAround(now);

const events = (items: readonly NormalizeResult[]): CalendarEvent[] => items.flatMap((i) => (i.kind === 'event' ? [i.event] : []));
const removed = (items: readonly NormalizeResult[]): string[] => items.flatMap((i) => (i.kind === 'removed' ? [i.id] : []));

describe('Graph provider fetchCalendar against the emulator', () => {
  let emulator: RunningGraphEmulator;
  beforeEach(async () => {
    emulator = await startKit();
    emulator.control.addUser({ address: ADELE, timeZone: 'W. Europe Standard Time' });
  });
  afterEach(async () => emulator.close());

  it('when the window holds more events than a page, then the full fetch follows every nextLink and ends with the deltaLink', async () => {
    for (let n = 0; n < 12; n += 1) emulator.control.addEvent(ADELE, { subject: `Meeting ${n}`, start: at(now, n + 1), end: at(now, n + 2) });
    emulator.control.addEvent(ADELE, { subject: 'Outside the window', start: at(now, 24 * 30), end: at(now, 24 * 30 + 1) });
    const provider = providerFor(emulator, { pageSize: 5 });

    const result = await provider.fetchCalendar({ address: ADELE, window });

    expect(result.mode).toBe('full');
    expect(events(result.items).map((e) => e.subject).sort()).toEqual(Array.from({ length: 12 }, (_, n) => `Meeting ${n}`).sort());
    expect(result.nextSyncToken).toContain('$deltatoken=');
    expect(result.timeZone).toBe('Europe/Berlin');
    // 1 $batch (first page + mailboxSettings) + 2 further pages.
    expect(result.requests).toBe(3);
    expect(emulator.record.filter((r) => r.path === '/v1.0/$batch')).toHaveLength(1);
    expect(emulator.control.apiRequests().map((r) => `${r.method} ${r.path}${r.batched ? ' (batched)' : ''}`)).toEqual([
      `GET /users/${ADELE}/calendarView/delta (batched)`,
      `GET /users/${ADELE}/mailboxSettings (batched)`,
      expect.stringMatching(/^GET \/users\/.+\/calendarView\/delta$/),
      expect.stringMatching(/^GET \/users\/.+\/calendarView\/delta$/),
    ]);
    const pageRequests = emulator.record.filter((r) => r.path.endsWith('/calendarView/delta'));
    for (const r of pageRequests) expect(r.headers.prefer).toBe('outlook.timezone="UTC", odata.maxpagesize=5');
  });

  it('when single events are created, updated and deleted, then the delta holds exactly those changes', async () => {
    const keep = emulator.control.addEvent(ADELE, { subject: 'Unchanged', start: at(now, 1), end: at(now, 2) });
    const change = emulator.control.addEvent(ADELE, { subject: 'Before', start: at(now, 3), end: at(now, 4) });
    const drop = emulator.control.addEvent(ADELE, { subject: 'Dropped', start: at(now, 5), end: at(now, 6) });
    const provider = providerFor(emulator);
    const full = await provider.fetchCalendar({ address: ADELE, window });
    expect(events(full.items).map((e) => e.id).sort()).toEqual([keep, change, drop].sort());

    const created = emulator.control.addEvent(ADELE, { subject: 'New', start: at(now, 7), end: at(now, 8), showAs: 'oof' });
    emulator.control.updateEvent(ADELE, change, { subject: 'After', sensitivity: 'private' });
    emulator.control.deleteEvent(ADELE, drop);
    const delta = await provider.fetchCalendar({ address: ADELE, window, syncToken: full.nextSyncToken });

    expect(delta.mode).toBe('delta');
    expect(events(delta.items).map((e) => [e.id, e.subject, e.showAs, e.private]).sort()).toEqual(
      [
        [created, 'New', 'oof', false],
        [change, 'After', 'busy', true],
      ].sort(),
    );
    expect(removed(delta.items)).toEqual([drop]);
    expect(delta.nextSyncToken).not.toBe(full.nextSyncToken);
  });

  it('when an event moves out of the window, then the delta reports it removed', async () => {
    const id = emulator.control.addEvent(ADELE, { subject: 'Moves', start: at(now, 1), end: at(now, 2) });
    const provider = providerFor(emulator);
    const full = await provider.fetchCalendar({ address: ADELE, window });
    emulator.control.updateEvent(ADELE, id, { start: at(now, 24 * 40), end: at(now, 24 * 40 + 1) });
    const delta = await provider.fetchCalendar({ address: ADELE, window, syncToken: full.nextSyncToken });
    expect(removed(delta.items)).toEqual([id]);
  });

  it('when one occurrence of a series is changed and another cancelled, then the delta lists the series anew, without the cancelled one, and puts the series in scope', async () => {
    const series = emulator.control.addEvent(ADELE, { subject: 'Stand-up', start: at(now, 2), end: at(now, 2.25), recurrence: { type: 'daily', count: 5 } });
    const provider = providerFor(emulator);
    const full = await provider.fetchCalendar({ address: ADELE, window });
    const occurrences = events(full.items);
    expect(occurrences).toHaveLength(5);
    expect(new Set(occurrences.map((e) => e.seriesId))).toEqual(new Set([series]));

    const [, second, third] = emulator.control.occurrences(ADELE, series);
    if (!second || !third) throw new Error('series not expanded');
    emulator.control.updateOccurrence(ADELE, series, second.id, { subject: 'Stand-up (moved)', start: at(now, 27), end: at(now, 27.5) });
    emulator.control.cancelOccurrence(ADELE, series, third.id);
    const delta = await provider.fetchCalendar({ address: ADELE, window, syncToken: full.nextSyncToken });

    // Graph announces no removal for the cancelled occurrence: it is simply not listed any more.
    const listed = events(delta.items);
    expect(listed.map((e) => e.id).sort()).toEqual(occurrences.map((e) => e.id).filter((id) => id !== third.id).sort());
    expect(listed.map((e) => [e.subject, e.seriesId])).toContainEqual(['Stand-up (moved)', series]);
    expect(listed.find((e) => e.id === second.id)?.timing).toEqual({ allDay: false, start: at(now, 27).replace(/\.\d+Z$/, '.000Z'), end: at(now, 27.5).replace(/\.\d+Z$/, '.000Z') });
    expect(removed(delta.items)).toEqual([]);
    expect(delta.seriesInScope).toEqual([series]);
  });

  it('when the delta token expired, then the fetch fails with resync and a full fetch recovers', async () => {
    emulator.control.addEvent(ADELE, { subject: 'Kept', start: at(now, 1), end: at(now, 2) });
    const provider = providerFor(emulator);
    const full = await provider.fetchCalendar({ address: ADELE, window });
    emulator.control.expireDeltaTokens(ADELE);

    await expect(provider.fetchCalendar({ address: ADELE, window, syncToken: full.nextSyncToken })).rejects.toMatchObject({ kind: 'resync' });
    expect(emulator.record.filter((r) => r.path === '/v1.0/$batch').at(-1)?.status).toBe(200);

    const again = await provider.fetchCalendar({ address: ADELE, window });
    expect(again.mode).toBe('full');
    expect(events(again.items).map((e) => e.subject)).toEqual(['Kept']);
  });

  it('when nothing changed, then each incremental sync is exactly one request and the token is fetched once', async () => {
    emulator.control.addEvent(ADELE, { subject: 'Quiet', start: at(now, 1), end: at(now, 2) });
    const provider = providerFor(emulator);
    let token = (await provider.fetchCalendar({ address: ADELE, window })).nextSyncToken;
    emulator.clearRecord();

    for (let round = 0; round < 3; round += 1) {
      const result = await provider.fetchCalendar({ address: ADELE, window, syncToken: token });
      expect(result.items).toEqual([]);
      expect(result.requests).toBe(1);
      token = result.nextSyncToken;
    }
    expect(emulator.record.map((r) => `${r.method} ${r.path}`)).toEqual(Array(3).fill('POST /v1.0/$batch'));
    expect(calendarRequests(emulator)).toHaveLength(3);
    expect(emulator.control.tokensIssued()).toBe(1);
  });

  it('when many mailboxes sync at once on a fresh provider, then one token request serves them all', async () => {
    const addresses = Array.from({ length: 10 }, (_, n) => `user${n}@contoso.com`);
    for (const address of addresses) emulator.control.addUser({ address });
    const provider = providerFor(emulator);
    await Promise.all(addresses.map((address) => provider.fetchCalendar({ address, window })));
    expect(emulator.control.tokensIssued()).toBe(1);
    expect(emulator.record.filter((r) => r.path.endsWith('/openid-configuration'))).toHaveLength(1);
  });

  it('when automatic replies are scheduled in a Windows zone, then they arrive in UTC', async () => {
    emulator.control.setAutomaticReplies(ADELE, {
      status: 'scheduled',
      scheduledStartDateTime: { dateTime: '2026-07-01T09:00:00.0000000', timeZone: 'W. Europe Standard Time' },
      scheduledEndDateTime: { dateTime: '2026-07-10T17:00:00.0000000', timeZone: 'W. Europe Standard Time' },
    });
    const result = await providerFor(emulator).fetchCalendar({ address: ADELE, window });
    expect(result.automaticReplies).toEqual({ status: 'scheduled', start: '2026-07-01T07:00:00.000Z', end: '2026-07-10T15:00:00.000Z' });
  });

  it('when an all-day event is in the window, then it arrives as local dates', async () => {
    const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 2));
    const next = new Date(day.getTime() + 86_400_000);
    emulator.control.addEvent(ADELE, { subject: 'Holiday', isAllDay: true, start: day.toISOString(), end: next.toISOString(), showAs: 'oof' });
    const result = await providerFor(emulator).fetchCalendar({ address: ADELE, window });
    expect(events(result.items)[0]?.timing).toEqual({ allDay: true, startDate: day.toISOString().slice(0, 10), endDate: next.toISOString().slice(0, 10) });
  });
});
