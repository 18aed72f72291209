import { describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../../../shared/observability/logger.js';
import type { EwsFailure, SyncFolderItemsResult } from '../../../../shared/providers/exchange/ews-responses.js';
import {
  exchangeToken,
  readExchangeCalendar,
  type CalendarViewPage,
  type ExchangeReadCalls,
  type ExchangeReadOptions,
} from '../../../../shared/providers/exchange/exchange-calendar-read.js';

interface Item {
  readonly itemId: string;
  readonly start: string;
  readonly end: string;
}
interface Oof {
  readonly state: 'Disabled' | 'Enabled';
}

const T0 = Date.parse('2026-03-02T00:00:00Z');
const HOUR = 3_600_000;
const WINDOW = { start: new Date(T0 - 24 * HOUR).toISOString(), end: new Date(T0 + 15 * 24 * HOUR).toISOString() };

const fault = (responseCode: string, extra: Partial<EwsFailure> = {}): EwsFailure => ({ kind: 'ews-failure', responseCode, message: responseCode, httpStatus: 500, ...extra });

/**
 * A mailbox as EWS shows it: a change log for SyncFolderItems (states are positions in it),
 * items for CalendarView (overlapping the range, truncated at MaxEntriesReturned, refused above
 * 1,000 as EWSFindCountLimit does), automatic replies, and faults queued per operation.
 */
class FakeMailbox implements ExchangeReadCalls<Item, Oof> {
  changes: Array<{ change: 'create' | 'update' | 'delete' | 'readFlag'; itemId: string }> = [];
  items: Item[] = [];
  oof: Oof | EwsFailure = { state: 'Disabled' };
  /** The regional configuration's Windows zone id (undefined: none in it), or its failure. */
  zone: { windowsZone: string | undefined } | EwsFailure = { windowsZone: 'Tokyo Standard Time' };
  readonly faults: Record<'sync' | 'view' | 'oof', EwsFailure[]> = { sync: [], view: [], oof: [] };
  readonly log: string[] = [];
  inFlight = 0;
  maxInFlight = 0;

  private async enter<T>(name: string, work: () => T): Promise<T> {
    this.log.push(name);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.inFlight -= 1;
    return work();
  }

  syncFolderItems(syncState: string | undefined, maxChanges: number): Promise<SyncFolderItemsResult | EwsFailure> {
    return this.enter('sync', () => {
      const queued = this.faults.sync.shift();
      if (queued) return queued;
      const from = syncState === undefined ? 0 : Number(syncState.replace('state-', ''));
      const page = this.changes.slice(from, from + maxChanges);
      const to = from + page.length;
      return { syncState: `state-${to}`, includesLastItemInRange: to >= this.changes.length, changes: page };
    });
  }

  calendarView(start: string, end: string, maxEntries: number): Promise<CalendarViewPage<Item> | EwsFailure> {
    return this.enter(`view ${start}..${end}`, () => {
      const queued = this.faults.view.shift();
      if (queued) return queued;
      const inRange = this.items.filter((i) => i.start < end && i.end > start);
      if (inRange.length > 1000) return fault('ErrorExceededFindCountLimit');
      return { items: inRange.slice(0, maxEntries), includesLastItemInRange: inRange.length <= maxEntries, totalItemsInView: inRange.length };
    });
  }

  userOofSettings(): Promise<Oof | EwsFailure> {
    return this.enter('oof', () => this.faults.oof.shift() ?? this.oof);
  }

  regionalTimeZone(): Promise<{ windowsZone: string | undefined } | EwsFailure> {
    return this.enter('zone', () => this.zone);
  }
}

const event = (id: string, startMs: number, hours = 1): Item => ({ itemId: id, start: new Date(startMs).toISOString(), end: new Date(startMs + hours * HOUR).toISOString() });

function setup(overrides: Partial<ExchangeReadOptions> = {}) {
  const clock = { now: T0 };
  const slept: number[] = [];
  const options: ExchangeReadOptions = {
    profileName: 'ONPREM',
    access: 'impersonation',
    maxRetries: 3,
    maxRetryWaitMs: 30_000,
    retryBaseMs: 1_000,
    automaticRepliesEveryMs: 15 * 60_000,
    defaultTimeZone: 'Europe/Paris',
    now: () => clock.now,
    sleep: async (ms) => {
      slept.push(ms);
    },
    random: () => 0.5,
    logger: silentLogger,
    ...overrides,
  };
  return { clock, slept, options };
}

describe('reading an Exchange calendar', () => {
  it('when there is no token, then the sync state is read to its end first, then the window and the automatic replies', async () => {
    const mailbox = new FakeMailbox();
    mailbox.changes = Array.from({ length: 1100 }, (_, i) => ({ change: 'create' as const, itemId: `m${i}` }));
    mailbox.items = [event('a', T0 + 10 * HOUR), event('b', T0 + 30 * HOUR)];
    mailbox.oof = { state: 'Enabled' };
    const { options } = setup();
    const read = await readExchangeCalendar(mailbox, { address: 'alice@corp.example.com', window: WINDOW }, options);
    expect(read.mode).toBe('full');
    expect(read.items.map((i) => i.itemId).sort()).toEqual(['a', 'b']);
    expect(read.automaticReplies).toEqual({ read: { state: 'Enabled' } });
    // 1,100 changes: three SyncFolderItems of at most 512, all before the window is read
    expect(mailbox.log.slice(0, 3)).toEqual(['sync', 'sync', 'sync']);
    // …then the window, the automatic replies and the mailbox's zone
    expect(read.requests).toBe(6);
    expect(read.timeZone).toBe('Asia/Tokyo');
    expect(read.nextSyncToken).toBe(exchangeToken('state-1100', T0, 'Asia/Tokyo'));
  });

  it('when nothing changed, then one SyncFolderItems is the whole poll', async () => {
    const mailbox = new FakeMailbox();
    mailbox.changes = [{ change: 'create', itemId: 'm1' }];
    const { options, clock } = setup();
    clock.now = T0 + 60_000;
    const read = await readExchangeCalendar(mailbox, { address: 'alice@corp.example.com', window: WINDOW, syncToken: exchangeToken('state-1', T0) }, options);
    expect(read).toMatchObject({ mode: 'delta', items: [], automaticReplies: undefined, requests: 1 });
    expect(mailbox.log).toEqual(['sync']);
    // The replies' last read is kept, so that the next poll knows when they are due
    expect(read.nextSyncToken).toBe(exchangeToken('state-1', T0));
  });

  it('when nothing changed, then the zone the token remembers is the answer, without asking Exchange', async () => {
    const mailbox = new FakeMailbox();
    mailbox.changes = [{ change: 'create', itemId: 'm1' }];
    const { options } = setup();
    const read = await readExchangeCalendar(mailbox, { address: 'alice@corp.example.com', window: WINDOW, syncToken: exchangeToken('state-1', T0, 'America/Los_Angeles') }, options);
    expect(read).toMatchObject({ mode: 'delta', requests: 1, timeZone: 'America/Los_Angeles' });
    expect(read.nextSyncToken).toBe(exchangeToken('state-1', T0, 'America/Los_Angeles'));
  });

  it('when a change comes with a token that remembers no zone (an older token), then the zone is read with the window', async () => {
    const mailbox = new FakeMailbox();
    mailbox.changes = [{ change: 'create', itemId: 'm1' }, { change: 'update', itemId: 'm1' }];
    mailbox.zone = { windowsZone: 'Pacific Standard Time' };
    const { options } = setup();
    const read = await readExchangeCalendar(mailbox, { address: 'alice@corp.example.com', window: WINDOW, syncToken: exchangeToken('state-1', T0) }, options);
    expect(read).toMatchObject({ mode: 'full', requests: 4, timeZone: 'America/Los_Angeles' });
  });

  it.each([
    ['the configuration does not exist (the user never chose a zone)', fault('ErrorItemNotFound', { httpStatus: 200 }), 'not set'],
    ['the configuration holds no time zone', { windowsZone: undefined }, 'not set'],
    ['the zone id is none Windows or IANA knows', { windowsZone: 'Atlantis Standard Time' }, 'unknown zone'],
    ['a delegate may not read the root folder', fault('ErrorAccessDenied', { httpStatus: 200 }), 'refused (delegate)'],
  ])('when %s, then the default zone is used and the log says why', async (_, zone, reason) => {
    const mailbox = new FakeMailbox();
    mailbox.zone = zone;
    mailbox.items = [event('a', T0)];
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({ sink: (_, line) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const { options } = setup({ access: 'delegate', logger });
    const read = await readExchangeCalendar(mailbox, { address: 'alice@corp.example.com', window: WINDOW }, options);
    expect(read).toMatchObject({ mode: 'full', timeZone: 'Europe/Paris' });
    expect(read.items.map((i) => i.itemId)).toEqual(['a']);
    expect(lines).toContainEqual(expect.objectContaining({ op: 'exchange.time-zone-default', address: 'alice@corp.example.com', reason, using: 'Europe/Paris' }));
  });

  it('when reading the zone fails for a passing reason past the retries, then the read fails as any other', async () => {
    const mailbox = new FakeMailbox();
    mailbox.zone = fault('ErrorServerBusy', { backOffMs: 10 });
    const { options } = setup({ maxRetries: 1 });
    await expect(readExchangeCalendar(mailbox, { address: 'alice@corp.example.com', window: WINDOW }, options)).rejects.toMatchObject({ kind: 'transient' });
  });

  it('when nothing changed but the automatic replies are due, then they are read too, and nothing else', async () => {
    const mailbox = new FakeMailbox();
    mailbox.changes = [{ change: 'create', itemId: 'm1' }];
    const { options, clock } = setup();
    clock.now = T0 + 15 * 60_000;
    const read = await readExchangeCalendar(mailbox, { address: 'alice@corp.example.com', window: WINDOW, syncToken: exchangeToken('state-1', T0) }, options);
    expect(read).toMatchObject({ mode: 'delta', items: [], automaticReplies: { read: { state: 'Disabled' } }, requests: 2 });
    expect(read.nextSyncToken).toBe(exchangeToken('state-1', clock.now));
  });

  it('when something changed, then the whole window is read again as a full sync, with the automatic replies', async () => {
    const mailbox = new FakeMailbox();
    mailbox.changes = [{ change: 'create', itemId: 'm1' }, { change: 'update', itemId: 'm1' }];
    mailbox.items = [event('a', T0 + 10 * HOUR)];
    const { options } = setup();
    const read = await readExchangeCalendar(mailbox, { address: 'alice@corp.example.com', window: WINDOW, syncToken: exchangeToken('state-1', T0, 'Asia/Tokyo') }, options);
    // The zone the last full sync read is remembered: no GetUserConfiguration
    expect(read).toMatchObject({ mode: 'full', requests: 3, automaticReplies: { read: { state: 'Disabled' } }, timeZone: 'Asia/Tokyo' });
    expect(mailbox.log).not.toContain('zone');
    expect(read.items.map((i) => i.itemId)).toEqual(['a']);
    expect(read.nextSyncToken).toBe(exchangeToken('state-2', T0, 'Asia/Tokyo'));
  });

  it('when only read flags changed, then it is a quiet poll', async () => {
    const mailbox = new FakeMailbox();
    mailbox.changes = [{ change: 'create', itemId: 'm1' }, { change: 'readFlag', itemId: 'm1' }];
    const { options } = setup();
    const read = await readExchangeCalendar(mailbox, { address: 'alice@corp.example.com', window: WINDOW, syncToken: exchangeToken('state-1', T0) }, options);
    expect(read).toMatchObject({ mode: 'delta', requests: 1 });
  });

  it('when a full read is asked for with the last token beside it, then SyncFolderItems starts from its state, and the window is read whole', async () => {
    const mailbox = new FakeMailbox();
    mailbox.changes = Array.from({ length: 1100 }, (_, i) => ({ change: 'create' as const, itemId: `m${i}` }));
    mailbox.items = [event('a', T0)];
    const { options } = setup();
    const read = await readExchangeCalendar(mailbox, { address: 'alice@corp.example.com', window: WINDOW, previousSyncToken: exchangeToken('state-1100', T0 - HOUR, 'Europe/Berlin') }, options);
    // A full sync reads the zone again, whatever the last token remembered
    expect(read).toMatchObject({ mode: 'full', requests: 4, timeZone: 'Asia/Tokyo' });
    expect(mailbox.log.filter((l) => l === 'sync')).toHaveLength(1);
    expect(read.items.map((i) => i.itemId)).toEqual(['a']);
  });

  it('when the last token\'s state is no longer known, then a full read starts SyncFolderItems from nothing instead of failing', async () => {
    const mailbox = new FakeMailbox();
    mailbox.changes = [{ change: 'create', itemId: 'm1' }];
    mailbox.faults.sync.push(fault('ErrorInvalidSyncStateData', { httpStatus: 200 }));
    const { options } = setup();
    const read = await readExchangeCalendar(mailbox, { address: 'alice@corp.example.com', window: WINDOW, previousSyncToken: exchangeToken('state-9', T0) }, options);
    expect(read.mode).toBe('full');
    expect(read.nextSyncToken).toBe(exchangeToken('state-1', T0, 'Asia/Tokyo'));
    expect(mailbox.log.filter((l) => l === 'sync')).toHaveLength(2);
  });

  it('when the token is not one of ours, then the read starts over', async () => {
    const mailbox = new FakeMailbox();
    mailbox.changes = [{ change: 'create', itemId: 'm1' }];
    mailbox.items = [event('a', T0)];
    const { options } = setup();
    const read = await readExchangeCalendar(mailbox, { address: 'alice@corp.example.com', window: WINDOW, syncToken: 'a-google-sync-token' }, options);
    expect(read.mode).toBe('full');
    expect(mailbox.log[0]).toBe('sync');
  });

  it('when the window holds more than one answer takes (truncated, then over the find limit), then it is split until every item is read, each once', async () => {
    const mailbox = new FakeMailbox();
    // 1,200 items over the first 6 days, one long event across the whole window
    mailbox.items = [...Array.from({ length: 1200 }, (_, i) => event(`e${i}`, T0 + i * 7 * 60_000, 0.1)), event('long', T0 - 20 * HOUR, 24 * 14)];
    const { options } = setup();
    const read = await readExchangeCalendar(mailbox, { address: 'alice@corp.example.com', window: WINDOW }, options);
    expect(read.items).toHaveLength(1201);
    expect(new Set(read.items.map((i) => i.itemId)).size).toBe(1201);
    expect(mailbox.log.filter((l) => l.startsWith('view')).length).toBeGreaterThan(3);
  });

  it('when Exchange says the range is too big, then the window is split and read in halves', async () => {
    const mailbox = new FakeMailbox();
    mailbox.items = [event('a', T0), event('b', T0 + 10 * 24 * HOUR)];
    mailbox.faults.view.push(fault('ErrorCalendarViewRangeTooBig'));
    const { options } = setup();
    const read = await readExchangeCalendar(mailbox, { address: 'alice@corp.example.com', window: WINDOW }, options);
    expect(read.items.map((i) => i.itemId).sort()).toEqual(['a', 'b']);
    expect(mailbox.log.filter((l) => l.startsWith('view'))).toHaveLength(3);
  });

  it('when an hour holds more items than one answer, then reading stops with an error naming the mailbox, not a loop', async () => {
    const mailbox = new FakeMailbox();
    mailbox.items = Array.from({ length: 600 }, (_, i) => event(`e${i}`, T0 + i * 1000, 0.01));
    const { options } = setup();
    await expect(readExchangeCalendar(mailbox, { address: 'room@corp.example.com', window: WINDOW }, options)).rejects.toMatchObject({ kind: 'configuration', code: 'read-limit' });
  });

  it('when Exchange is busy, then the read waits BackOffMilliseconds and goes on', async () => {
    const mailbox = new FakeMailbox();
    mailbox.faults.sync.push(fault('ErrorServerBusy', { backOffMs: 2_345 }));
    const { options, slept } = setup();
    const read = await readExchangeCalendar(mailbox, { address: 'alice@corp.example.com', window: WINDOW }, options);
    expect(slept).toEqual([2_345]);
    expect(read.mode).toBe('full');
  });

  it('when Exchange asks for a longer wait than is slept in-process, then the job gets the wait to reschedule with', async () => {
    const mailbox = new FakeMailbox();
    mailbox.faults.sync.push(fault('ErrorServerBusy', { backOffMs: 120_000 }));
    const { options, slept } = setup();
    await expect(readExchangeCalendar(mailbox, { address: 'alice@corp.example.com', window: WINDOW }, options)).rejects.toMatchObject({ kind: 'transient', code: 'throttled', retryAfterMs: 120_000 });
    expect(slept).toEqual([]);
  });

  it('when every retry is throttled, then the retries stop at maxRetries', async () => {
    const mailbox = new FakeMailbox();
    for (let i = 0; i < 10; i += 1) mailbox.faults.sync.push(fault('ErrorExceededConnectionCount'));
    const { options, slept } = setup({ maxRetries: 2 });
    await expect(readExchangeCalendar(mailbox, { address: 'alice@corp.example.com', window: WINDOW }, options)).rejects.toMatchObject({ kind: 'transient', code: 'throttled' });
    expect(slept).toHaveLength(2);
    expect(mailbox.log).toHaveLength(3);
  });

  it('when the sync state is refused, then the job is told to start over', async () => {
    const mailbox = new FakeMailbox();
    mailbox.faults.sync.push(fault('ErrorInvalidSyncStateData', { httpStatus: 200 }));
    const { options } = setup();
    await expect(readExchangeCalendar(mailbox, { address: 'alice@corp.example.com', window: WINDOW, syncToken: exchangeToken('state-9', T0) }, options)).rejects.toMatchObject({ kind: 'resync' });
  });

  it('when impersonation is refused, then the read fails as a refusal (the circuit counts it), not as evidence', async () => {
    const mailbox = new FakeMailbox();
    mailbox.faults.sync.push(fault('ErrorImpersonateUserDenied'));
    const { options } = setup();
    await expect(readExchangeCalendar(mailbox, { address: 'alice@corp.example.com', window: WINDOW }, options)).rejects.toMatchObject({ kind: 'permanent', code: 'mailbox-unavailable' });
  });

  it('when a delegate is refused the automatic replies, then the calendar is still read and the refusal says why', async () => {
    const mailbox = new FakeMailbox();
    mailbox.items = [event('a', T0)];
    mailbox.oof = fault('Client', { message: 'Microsoft.Exchange.Data.Storage.AccessDeniedException: User is not mailbox owner.' });
    const { options } = setup({ access: 'delegate' });
    const read = await readExchangeCalendar(mailbox, { address: 'alice@corp.example.com', window: WINDOW }, options);
    expect(read.mode).toBe('full');
    expect(read.items).toHaveLength(1);
    expect(read.automaticReplies).toEqual({ refused: expect.stringContaining('ACCESS=delegate') });
  });

  it('when the window is split and the replies read, then no more than 2 requests of the mailbox are in flight', async () => {
    const mailbox = new FakeMailbox();
    mailbox.items = Array.from({ length: 2500 }, (_, i) => event(`e${i}`, T0 + i * 5 * 60_000, 0.05));
    const { options } = setup();
    const read = await readExchangeCalendar(mailbox, { address: 'alice@corp.example.com', window: WINDOW }, options);
    expect(read.items).toHaveLength(2500);
    expect(mailbox.maxInFlight).toBe(2);
  });
});
