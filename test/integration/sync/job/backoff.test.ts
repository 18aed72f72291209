/**
 * A job that arrives while its mailbox backs off after a transient failure calls no provider:
 * the wait the service asked for (here Exchange's BackOffMilliseconds) holds for every job, not
 * only for the retry; a full sync asked for meanwhile is not lost.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { ChaosWorld } from '../../../../bench/chaos/chaos-world.js';
import { runMailboxJob } from '../../../../shared/sync/job/run-mailbox-job.js';
import { aJob } from '../../../support/mailbox-job-harness.js';
import { uniqueTablePrefix } from '../../../support/test-store.js';

const MINUTE = 60_000;
const delivery = (messageId: string) => ({ messageId, deliveryCount: 1, deadLetter: async () => undefined });

let world: ChaosWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('a job during its mailbox backoff', () => {
  it('when Exchange answered ErrorServerBusy with BackOffMilliseconds, then a poll and a scheduled full job sent meanwhile call no provider, and the retry after the back-off syncs the whole window', { timeout: 120_000 }, async () => {
    world = await ChaosWorld.start({ tablesConnectionString: inject('tablesConnectionString'), tablePrefix: uniqueTablePrefix(), exchangeUsers: 2 });
    await world.settle();
    const person = world.people.find((p) => p.provider === 'exchange')!;
    const asked = () => world!.exchange.control.requestCount({ mailbox: person.address });
    world.exchange.control.addFault({ kind: 'ErrorServerBusy', mailbox: person.address, backOffMs: 5 * MINUTE, times: 1 });

    const failed = await runMailboxJob(world.deps, aJob(person.key), delivery('poll-1'));
    expect(failed).toMatchObject({ status: 'retry-scheduled', at: new Date(world.clock.now() + 5 * MINUTE).toISOString() });
    const before = asked();

    world.clock.advance(MINUTE);
    expect(await runMailboxJob(world.deps, aJob(person.key), delivery('poll-2'))).toMatchObject({ status: 'deferred' });
    expect(await runMailboxJob(world.deps, aJob(person.key, { full: true }), delivery('full-1'))).toMatchObject({ status: 'deferred' });
    expect(asked()).toBe(before);
    // The full sync asked for is owed: the next sync has no token to go on.
    expect((await world.deps.store.mailboxes.get(person.key))?.syncToken).toBeUndefined();

    await world.advance(5 * MINUTE);
    expect(await world.deps.store.mailboxes.get(person.key)).toMatchObject({ state: 'active', failures: 0 });
    // Nothing changed in the calendar: only a full sync reads the window again.
    const after = world.exchange.control.requests().filter((r) => r.mailbox === person.address).slice(before);
    expect(after.filter((r) => r.operation === 'FindItem')).toHaveLength(1);
    expect(await world.converged()).toBe(true);
  });

  it('when an operator asks for a resync during the backoff, then it runs at once: it is asked for by hand, and after a dead letter no retry is pending', { timeout: 120_000 }, async () => {
    world = await ChaosWorld.start({ tablesConnectionString: inject('tablesConnectionString'), tablePrefix: uniqueTablePrefix(), exchangeUsers: 2 });
    await world.settle();
    const person = world.people.find((p) => p.provider === 'exchange')!;
    world.exchange.control.addFault({ kind: 'ErrorServerBusy', mailbox: person.address, backOffMs: 5 * MINUTE, times: 1 });
    expect(await runMailboxJob(world.deps, aJob(person.key), delivery('poll-1'))).toMatchObject({ status: 'retry-scheduled' });

    world.clock.advance(MINUTE);
    expect(await runMailboxJob(world.deps, aJob(person.key, { reason: 'manual', full: true }), delivery('manual-1'))).toMatchObject({ status: 'synced' });
    expect(await world.deps.store.mailboxes.get(person.key)).toMatchObject({ state: 'active', failures: 0 });
    expect(await world.converged()).toBe(true);
  });
});
