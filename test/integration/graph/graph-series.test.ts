/**
 * Recurring series between the Graph emulator and the production provider: the wire shapes the
 * field reports describe (occurrence stubs, masters, no `@removed` for occurrences), masters
 * fetched in `$batch` and remembered, series listed anew with `instances`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NormalizeResult, SeriesMaster } from '../../../shared/domain/calendar-event.js';
import { mapCalendar } from '../../../shared/domain/map-calendar.js';
import type { SeriesMemory } from '../../../shared/providers/calendar-provider.js';
import type { RunningGraphEmulator } from '../../../tools/emulators/graph/graph-emulator.js';
import { contextWith } from '../../unit/domain/mapping-test-context.js';
import { at, bearer, call, providerFor, startKit, windowAround } from './graph-harness.js';

const ADELE = 'adele@contoso.com';
const now = new Date();
const window = windowAround(now);
const STUB_KEYS = ['@odata.etag', '@odata.type', 'end', 'id', 'seriesMasterId', 'start', 'type'];

/** Remembers masters in memory, counting what it is asked. */
class MemoryOfMasters implements SeriesMemory {
  readonly masters = new Map<string, SeriesMaster>();
  recalls = 0;
  async recall() {
    this.recalls += 1;
    return [...this.masters.values()];
  }
  async remember(list: readonly SeriesMaster[]) {
    for (const m of list) this.masters.set(m.id, m);
  }
  async forget(ids: readonly string[]) {
    for (const id of ids) this.masters.delete(id);
  }
}

const subjects = (items: readonly NormalizeResult[]) => items.flatMap((i) => (i.kind === 'event' ? [i.event.subject] : []));
const stubs = (items: readonly NormalizeResult[]) => items.filter((i) => i.kind === 'stub');

describe('Graph emulator: recurring series on the wire', () => {
  let emulator: RunningGraphEmulator;
  beforeEach(async () => {
    emulator = await startKit();
    emulator.control.addUser({ address: ADELE });
  });
  afterEach(async () => emulator.close());

  const delta = async (link?: string) => {
    const path = link ? link.slice(emulator.url.length) : `/v1.0/users/${ADELE}/calendarView/delta?startDateTime=${window.start}&endDateTime=${window.end}`;
    return (await call(emulator, 'GET', path, undefined, { ...(await bearer(emulator)), prefer: 'outlook.timezone="UTC", odata.maxpagesize=100' })).body;
  };

  it('when a series is in the window, then delta sends occurrences as stubs, the master with the first occurrence’s times, and exceptions in full', async () => {
    const series = emulator.control.addEvent(ADELE, { subject: 'Stand-up', start: at(now, 2), end: at(now, 2.5), recurrence: { type: 'daily', count: 3 } });
    const [, second] = emulator.control.occurrences(ADELE, series);
    emulator.control.updateOccurrence(ADELE, series, second!.id, { subject: 'Stand-up (late)' });
    const page = await delta();
    const items = page.value as Array<Record<string, unknown>>;
    const master = items.find((i) => i.id === series)!;
    expect(master).toMatchObject({ type: 'seriesMaster', subject: 'Stand-up', showAs: 'busy', start: { dateTime: `${at(now, 2).slice(0, 19)}.0000000`, timeZone: 'UTC' } });
    const occurrences = items.filter((i) => i.type === 'occurrence');
    expect(occurrences).toHaveLength(2);
    for (const o of occurrences) {
      expect(Object.keys(o).sort()).toEqual(STUB_KEYS);
      expect(o['@odata.etag']).toBe(master['@odata.etag']);
    }
    expect(items.find((i) => i.type === 'exception')).toMatchObject({ id: second!.id, subject: 'Stand-up (late)', showAs: 'busy', seriesMasterId: series });
  });

  it('when a series started before the window, then its master is not in the delta', async () => {
    emulator.control.addEvent(ADELE, { subject: 'Old series', start: at(now, -24 * 5), end: at(now, -24 * 5 + 1), recurrence: { type: 'daily', count: 10 } });
    const items = (await delta()).value as Array<Record<string, unknown>>;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.type === 'occurrence' && Object.keys(i).sort().join() === STUB_KEYS.join())).toBe(true);
  });

  it('when an occurrence is cancelled or the series re-timed, then the next delta has no @removed for old occurrences, only the master and the occurrences left', async () => {
    const series = emulator.control.addEvent(ADELE, { subject: 'Stand-up', start: at(now, 2), end: at(now, 2.5), recurrence: { type: 'daily', count: 3 } });
    const first = await delta();
    const [one, two, three] = emulator.control.occurrences(ADELE, series);
    emulator.control.cancelOccurrence(ADELE, series, two!.id);
    const afterCancel = await delta(first['@odata.deltaLink']);
    expect((afterCancel.value as Array<Record<string, unknown>>).map((i) => i.id)).toEqual([series, one!.id, three!.id]);

    emulator.control.updateEvent(ADELE, series, { start: at(now, 3), end: at(now, 3.5) });
    const afterMove = await delta(afterCancel['@odata.deltaLink']);
    const ids = (afterMove.value as Array<Record<string, unknown>>).map((i) => i.id);
    expect(ids).toHaveLength(4);
    for (const old of [one, two, three]) expect(ids).not.toContain(old!.id);
    expect(JSON.stringify(afterMove.value)).not.toContain('@removed');
  });

  it('when a master or a series’ instances are read, directly or in $batch, then full fields come back, paged, and 404 for a gone series', async () => {
    const series = emulator.control.addEvent(ADELE, { subject: 'Stand-up', showAs: 'oof', start: at(now, 2), end: at(now, 2.5), recurrence: { type: 'daily', count: 5 } });
    const auth = await bearer(emulator);
    const master = await call(emulator, 'GET', `/v1.0/users/${ADELE}/events/${series}`, undefined, auth);
    expect(master.body).toMatchObject({ id: series, type: 'seriesMaster', showAs: 'oof', recurrence: { pattern: { type: 'daily' }, range: { numberOfOccurrences: 5 } } });

    const instances = `/users/${ADELE}/events/${series}/instances?startDateTime=${window.start}&endDateTime=${window.end}&$top=3`;
    const page = await call(emulator, 'GET', `/v1.0${instances}`, undefined, auth);
    expect(page.body.value).toHaveLength(3);
    expect(page.body.value[0]).toMatchObject({ type: 'occurrence', subject: 'Stand-up', showAs: 'oof', seriesMasterId: series });
    const rest = await call(emulator, 'GET', (page.body['@odata.nextLink'] as string).slice(emulator.url.length), undefined, auth);
    expect(rest.body.value).toHaveLength(2);

    const batch = await call(emulator, 'POST', '/v1.0/$batch', { requests: [{ id: 'm', method: 'GET', url: `/users/${ADELE}/events/${series}` }, { id: 'i', method: 'GET', url: instances }] }, auth);
    expect(batch.body.responses.map((r: { id: string; status: number }) => [r.id, r.status]).sort()).toEqual([['i', 200], ['m', 200]]);

    emulator.control.deleteEvent(ADELE, series);
    const gone = await call(emulator, 'GET', `/v1.0/users/${ADELE}/events/${series}`, undefined, auth);
    expect([gone.status, gone.body.error.code]).toEqual([404, 'ErrorItemNotFound']);
    expect((await call(emulator, 'GET', `/v1.0${instances}`, undefined, auth)).status).toBe(404);
  });

  it('when calendarView is read without delta, then occurrences come in full', async () => {
    emulator.control.addEvent(ADELE, { subject: 'Stand-up', start: at(now, 2), end: at(now, 2.5), recurrence: { type: 'daily', count: 2 } });
    const page = await call(emulator, 'GET', `/v1.0/users/${ADELE}/calendarView?startDateTime=${window.start}&endDateTime=${window.end}`, undefined, await bearer(emulator));
    expect(page.body.value.map((e: Record<string, unknown>) => [e.type, e.subject, e.showAs])).toEqual([
      ['occurrence', 'Stand-up', 'busy'],
      ['occurrence', 'Stand-up', 'busy'],
    ]);
  });
});

describe('Graph provider: recurring series', () => {
  let emulator: RunningGraphEmulator;
  beforeEach(async () => {
    emulator = await startKit();
    emulator.control.addUser({ address: ADELE });
  });
  afterEach(async () => emulator.close());

  /** `count` series whose first occurrence lies before the window: Graph sends their stubs without masters. */
  const oldSeries = (count: number) =>
    Array.from({ length: count }, (_, n) =>
      emulator.control.addEvent(ADELE, { subject: `Series ${n}`, start: at(now, -48 + n * 0.25), end: at(now, -47.9 + n * 0.25), recurrence: { type: 'daily', count: 5 } }),
    );

  it('when the first sync meets 25 series without their masters, then the masters come in two $batches: 1 + ⌈25/20⌉ requests, every stub completed', async () => {
    oldSeries(25);
    const result = await providerFor(emulator).fetchCalendar({ address: ADELE, window });
    expect(result.requests).toBe(3);
    expect(stubs(result.items)).toEqual([]);
    expect(new Set(subjects(result.items)).size).toBe(25);
    const masterReads = emulator.control.apiRequests().filter((r) => /\/events\/[^/]+$/.test(r.path));
    expect(masterReads).toHaveLength(25);
    expect(masterReads.every((r) => r.batched)).toBe(true);
  });

  it('when series of every kind started before the window, then their stubs are completed from the masters read in one $batch: busy across DST, free, out of office all day, private; an exception keeps its own fields', async () => {
    const BERIT = 'berit@contoso.com';
    emulator.control.addUser({ address: BERIT, timeZone: 'W. Europe Standard Time' });
    // The window holds Sunday 29 March 2026, when Stockholm moves from +01:00 to +02:00.
    const dstNow = new Date('2026-03-27T00:00:00Z');
    const standUp = emulator.control.addEvent(BERIT, { subject: 'Daily stand-up', categories: ['Meeting'], isOnlineMeeting: true, start: '2026-03-23T08:00:00Z', end: '2026-03-23T08:15:00Z', recurrence: { type: 'daily', count: 14 } });
    emulator.control.addEvent(BERIT, { subject: 'Gym', showAs: 'free', start: '2026-03-20T16:00:00Z', end: '2026-03-20T17:00:00Z', recurrence: { type: 'weekly', count: 4 } });
    emulator.control.addEvent(BERIT, { subject: 'Parental leave', showAs: 'oof', isAllDay: true, start: '2026-03-20T00:00:00Z', end: '2026-03-21T00:00:00Z', recurrence: { type: 'weekly', count: 4 } });
    emulator.control.addEvent(BERIT, { subject: 'Therapy', sensitivity: 'private', start: '2026-03-17T14:00:00Z', end: '2026-03-17T15:00:00Z', recurrence: { type: 'weekly', count: 4 } });
    const moved = emulator.control.occurrences(BERIT, standUp).find((o) => o.start.startsWith('2026-04-01'))!;
    emulator.control.updateOccurrence(BERIT, standUp, moved.id, { subject: 'Stand-up with guests', categories: [] });

    const result = await providerFor(emulator).fetchCalendar({ address: BERIT, window: windowAround(dstNow) });
    expect(result.requests).toBe(2);
    expect(stubs(result.items)).toEqual([]);
    const ctx = contextWith({ now: dstNow, env: { CATEGORY_CODES: '{"Meeting":"13"}' }, mailbox: { timeZone: 'Europe/Stockholm' } });
    const { activities, skipped } = mapCalendar(result.items, ctx);

    const standUps = activities.filter((a) => a.text === 'Daily stand-up');
    expect(standUps.map((a) => a.start.slice(11))).toEqual(Array(standUps.length).fill('09:00:00+01:00').fill('09:00:00+02:00', 3));
    expect(new Set(standUps.map((a) => a.code))).toEqual(new Set(['13']));
    expect(activities.find((a) => a.source.eventId === moved.id)).toMatchObject({ text: 'Stand-up with guests', code: '11', start: '2026-04-01T09:00:00+02:00' });
    expect(activities.some((a) => a.text === 'Gym')).toBe(false);
    expect(skipped.filter((s) => s.reason === 'free')).toHaveLength(2);
    expect(activities.filter((a) => a.text === 'Parental leave').map((a) => [a.start, a.end, a.code])).toEqual([
      ['2026-03-27T00:00:00+01:00', '2026-03-28T00:00:00+01:00', '5'],
      ['2026-04-03T00:00:00+02:00', '2026-04-04T00:00:00+02:00', '5'],
    ]);
    expect(activities.filter((a) => a.private).map((a) => [a.text, a.start])).toEqual([
      ['Private appointment', '2026-03-31T15:00:00+02:00'],
      ['Private appointment', '2026-04-07T15:00:00+02:00'],
    ]);
    expect(JSON.stringify(activities)).not.toContain('Therapy');
  });

  it('when masters are remembered, then a later full fetch and a quiet delta cost one request each; a changed series is read again', async () => {
    const [renamed] = oldSeries(3);
    const memory = new MemoryOfMasters();
    const provider = providerFor(emulator);
    const first = await provider.fetchCalendar({ address: ADELE, window, seriesMemory: memory });
    expect(memory.masters.size).toBe(3);

    const again = await provider.fetchCalendar({ address: ADELE, window, seriesMemory: memory });
    expect(again.requests).toBe(1);
    expect(new Set(subjects(again.items))).toEqual(new Set(['Series 0', 'Series 1', 'Series 2']));
    const recalls = memory.recalls;
    const quiet = await provider.fetchCalendar({ address: ADELE, window, syncToken: first.nextSyncToken, seriesMemory: memory });
    expect([quiet.requests, quiet.items, memory.recalls]).toEqual([1, [], recalls]);

    // The stubs' etags now carry a change key the remembered master does not have.
    emulator.control.updateEvent(ADELE, renamed!, { subject: 'Series 0, renamed' });
    const fresh = await provider.fetchCalendar({ address: ADELE, window, seriesMemory: memory });
    expect(fresh.requests).toBe(2);
    expect(subjects(fresh.items)).toContain('Series 0, renamed');
    expect(subjects(fresh.items)).not.toContain('Series 0');
    expect(memory.masters.get(renamed!)?.fields.subject).toBe('Series 0, renamed');
  });

  it('when a delta touches a series, then its instances are listed anew in a $batch and it is in scope; a gone occurrence is simply absent', async () => {
    const [series] = oldSeries(1);
    const memory = new MemoryOfMasters();
    const provider = providerFor(emulator);
    const full = await provider.fetchCalendar({ address: ADELE, window, seriesMemory: memory });
    const occurrences = emulator.control.occurrences(ADELE, series!).filter((o) => o.end > window.start);
    emulator.control.cancelOccurrence(ADELE, series!, occurrences[1]!.id);

    const delta = await provider.fetchCalendar({ address: ADELE, window, syncToken: full.nextSyncToken, seriesMemory: memory });
    expect(delta.seriesInScope).toEqual([series]);
    expect(delta.requests).toBe(2);
    const ids = delta.items.flatMap((i) => (i.kind === 'event' ? [i.event.id] : []));
    expect(ids.sort()).toEqual(occurrences.filter((o) => o.id !== occurrences[1]!.id).map((o) => o.id).sort());
    expect(emulator.control.apiRequests().some((r) => r.batched && r.path.endsWith(`/events/${series}/instances`))).toBe(true);
  });

  it('when a master is gone by the time it is read (404), then its stubs stay unresolved and it is forgotten', async () => {
    const [series] = oldSeries(1);
    const memory = new MemoryOfMasters();
    memory.masters.set(series!, { id: series!, changeKey: 'outdated', fields: { subject: 'Series 0', showAs: 'busy' } });
    // Throttled once; while the provider waits, the series is deleted.
    emulator.switches.faults.push({ kind: 'status', status: 429, retryAfter: '1', path: /\/events\/[^/]+$/, times: 1 });
    const provider = providerFor(emulator, { sleep: async () => emulator.control.deleteEvent(ADELE, series!) });

    const result = await provider.fetchCalendar({ address: ADELE, window, seriesMemory: memory });
    expect(stubs(result.items).length).toBeGreaterThan(0);
    expect(subjects(result.items)).toEqual([]);
    expect(memory.masters.has(series!)).toBe(false);
  });

  it('when a touched series is gone by the time its instances are listed (404), then it is in scope with no occurrences', async () => {
    const [series] = oldSeries(1);
    const provider0 = providerFor(emulator);
    const full = await provider0.fetchCalendar({ address: ADELE, window });
    emulator.control.updateEvent(ADELE, series!, { subject: 'Renamed' });
    emulator.switches.faults.push({ kind: 'status', status: 429, retryAfter: '1', path: /\/instances$/, times: 1 });
    const provider = providerFor(emulator, { sleep: async () => emulator.control.deleteEvent(ADELE, series!) });

    const delta = await provider.fetchCalendar({ address: ADELE, window, syncToken: full.nextSyncToken });
    expect(delta.seriesInScope).toEqual([series]);
    expect(subjects(delta.items)).toEqual([]);
  });
});
