import { afterEach, describe, expect, inject, it } from 'vitest';
import { createEmulatorHost, type EmulatorHost } from '../../../bench/support/emulator-host.js';
import { benchRoster, type BenchRoster } from '../../../bench/support/bench-organisation.js';
import { refreshRoster } from '../../../shared/sync/roster/refresh-roster.js';
import { runMailboxJob } from '../../../shared/sync/job/run-mailbox-job.js';
import { composeLocalProduct, localCredentials, type LocalProduct } from '../../../tools/local-env/local-environment.js';
import { silentLogger } from '../../../shared/observability/logger.js';
import { uniqueTablePrefix } from '../../support/test-store.js';

const MAILBOXES = 4;
const EVENTS = 10;

describe('the emulators host of the benchmarks', () => {
  let host: EmulatorHost | undefined;
  let product: LocalProduct | undefined;
  afterEach(async () => {
    await product?.queue.stop();
    await host?.close();
    host = undefined;
    product = undefined;
  });

  async function start(): Promise<{ host: EmulatorHost; product: LocalProduct; org: BenchRoster }> {
    const now = Date.now();
    const credentials = localCredentials();
    host = createEmulatorHost();
    const endpoints = await host.handle({
      op: 'start',
      options: { nowMs: now, mailboxes: MAILBOXES, eventsPerPerson: EVENTS, providerLatencyMs: 0, cmgLatencyMs: 0, app: credentials.app, serviceAccount: credentials.serviceAccount },
    });
    // The parent holds the roster alone; the events live in the host.
    const org = benchRoster({ mailboxes: MAILBOXES, eventsPerPerson: EVENTS });
    product = await composeLocalProduct({
      org,
      endpoints,
      credentials,
      tablesConnectionString: inject('tablesConnectionString'),
      tablePrefix: uniqueTablePrefix(),
      now: () => new Date(),
      logger: silentLogger,
    });
    const p = product;
    p.queue.start((job, delivery) => runMailboxJob(p.deps, job, delivery).then(() => undefined));
    return { host, product, org };
  }

  it('when the product syncs everyone against it, then the counts show one CMG list per mailbox and a PUT per activity held', async () => {
    const { host: h, product: p } = await start();
    await refreshRoster(p.deps, { full: true });
    await p.queue.whenIdle({ horizonMs: 0 });

    const counts = await h.handle({ op: 'counts' });
    expect(counts.activitiesHeld).toBeGreaterThan(0);
    expect(counts.cmg.activityPuts).toBe(counts.activitiesHeld);
    expect(counts.cmg.activityLists).toBe(MAILBOXES);
    expect(counts.graph.httpRequests).toBeGreaterThanOrEqual(MAILBOXES / 2);
    expect(counts.google.apiRequests).toBeGreaterThanOrEqual(MAILBOXES / 2);

    await h.handle({ op: 'clearRecords' });
    const cleared = await h.handle({ op: 'counts' });
    expect(cleared.cmg).toEqual({ activityPuts: 0, activityDeletes: 0, activityLists: 0, other: 0, failed: 0 });
    expect(cleared.activitiesHeld).toBe(counts.activitiesHeld);
  });

  it('when an event is renamed in either provider and its mailbox synced, then the acknowledgement is the first CMG PUT carrying the new text', async () => {
    const { host: h, product: p, org } = await start();
    await refreshRoster(p.deps, { full: true });
    await p.queue.whenIdle({ horizonMs: 0 });
    await h.handle({ op: 'clearRecords' });

    const renamed: Array<{ seq: number; at: number }> = [];
    for (const [seq, person] of org.people.slice(0, 2).entries()) {
      const eventId = org.plainEventIds(person.key)[0]!;
      const [at] = await h.handle({ op: 'renameEvents', renames: [{ personKey: person.key, eventId, text: `Renamed ${seq + 7}` }] });
      renamed.push({ seq: seq + 7, at: at! });
      await p.queue.send({ mailboxKey: person.key, reason: 'schedule', full: false, enqueuedAt: new Date().toISOString() }, { messageId: `rename-${seq}` });
    }
    expect(new Set(org.people.slice(0, 2).map((person) => person.provider))).toEqual(new Set(['graph', 'google']));
    await p.queue.whenIdle({ horizonMs: 0 });

    const acks = new Map(await h.handle({ op: 'acknowledgements', pattern: 'Renamed (\\d+)' }));
    expect([...acks.keys()].sort()).toEqual([7, 8]);
    for (const { seq, at } of renamed) expect(acks.get(seq)).toBeGreaterThanOrEqual(at);
  });

  it('when a person is unknown, then renaming fails rather than changing nothing', async () => {
    const { host: h } = await start();
    await expect(h.handle({ op: 'renameEvents', renames: [{ personKey: 'nobody', eventId: 'x', text: 'y' }] })).rejects.toThrow(/no person nobody/);
  });

  it('when asked for usage, then the peak since the previous request is at least the RSS now', async () => {
    const { host: h } = await start();
    const usage = await h.handle({ op: 'usage' });
    expect(usage.cpuMicros).toBeGreaterThan(0);
    expect(usage.peakRssBytes).toBeGreaterThanOrEqual(usage.rssBytes);
  });

  it('when CMG users are changed and removed through it, then the next incremental roster refresh sees exactly those changes', async () => {
    const { host: h, product: p, org } = await start();
    await refreshRoster(p.deps, { full: true });
    // The users change after their first syncs, and no job runs between the refresh and the reads:
    // a first sync meeting the deleted user, or the clean-up the refresh enqueues, would write the
    // mailbox's state too, and this test is about what the roster refresh records.
    await p.queue.whenIdle({ horizonMs: 0 });
    await p.queue.stop();
    const [first, second] = org.people;

    await h.handle({ op: 'changeCmgUsers', changes: [{ userId: first!.key, email: first!.address, calendarSync: false, language: 'en' }], deletions: [second!.key] });
    const report = await refreshRoster(p.deps, { full: false });

    expect(report).toMatchObject({ full: false, changedUsers: 2 });
    expect(await p.deps.store.mailboxes.get(first!.key)).toMatchObject({ state: 'disabled', stateReason: 'calendar sync is off in CMG' });
    expect(await p.deps.store.mailboxes.get(second!.key)).toMatchObject({ state: 'disabled', stateReason: 'removed from CMG' });
  });
});
