/**
 * Exchange end to end: a series re-timed (its recurrence changed, so every occurrence moves and
 * SyncFolderItems reports only the master), and automatic replies switched on and off (which
 * never show in the calendar folder: a poll reads them once UPDATE_INTERVAL has passed).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { aJob } from '../../support/mailbox-job-harness.js';
import type { DemoEvent } from '../../../tools/demo/demo-organisation.js';
import { exchangeItem } from '../../../tools/demo/seed-emulators.js';
import { cmgActivities } from './e2e-harness.js';
import { expectConverged, expectNoActivityCreatedTwice } from './convergence.js';
import { addExchangeEvent, changeExpectedEvent, MINUTE, setAutomaticReplies, startExchangeE2e, tomorrowAt, type ExchangeE2e } from './exchange-e2e-harness.js';

let x: ExchangeE2e | undefined;
afterEach(async () => {
  await x?.close();
  x = undefined;
});

let jobs = 0;
async function poll(e: ExchangeE2e, key: string): Promise<void> {
  jobs += 1;
  await e.env.queue.send(aJob(key, { reason: 'schedule' }), { messageId: `exchange-poll-${jobs}` });
  await e.env.queue.whenIdle({ horizonMs: 0 });
}

describe('Exchange series and automatic replies end to end', { timeout: 120_000 }, () => {
  it('when a series gets new times and a shorter recurrence, then its old occurrences leave CMG and the new ones arrive', async () => {
    x = await startExchangeE2e({ push: false });
    const { env, ews, synced } = x;
    const [anna] = synced;
    const keys = synced.map((p) => p.key);
    const series: DemoEvent = { id: `${anna.key}-review`, subject: 'Design review', start: tomorrowAt(x, 7), end: tomorrowAt(x, 7, 30), recurrence: { type: 'daily', count: 4 } };
    const itemId = addExchangeEvent(x, anna, series);
    await poll(x, anna.key);
    await expectConverged(env, keys);
    const oldStarts = cmgActivities(env, anna.key).filter((a) => a.text === 'Design review').map((a) => a.start);
    expect(oldStarts).toHaveLength(4);

    // Two hours later, every day, three times
    const retimed: DemoEvent = { ...series, start: tomorrowAt(x, 9), end: tomorrowAt(x, 10), recurrence: { type: 'daily', count: 3 } };
    const seed = exchangeItem(anna, retimed);
    ews.control.updateItem(anna.address, itemId, { start: seed.start, end: seed.end, recurrence: seed.recurrence });
    changeExpectedEvent(x, anna, series.id, retimed);
    await poll(x, anna.key);

    await expectConverged(env, keys);
    const now = cmgActivities(env, anna.key).filter((a) => a.text === 'Design review');
    expect(now).toHaveLength(3);
    expect(now.filter((a) => oldStarts.includes(a.start))).toEqual([]);
    expect(now.map((a) => (a.start - Date.parse(tomorrowAt(x!, 0))) % (24 * 60 * MINUTE))).toEqual([9 * 60 * MINUTE, 9 * 60 * MINUTE, 9 * 60 * MINUTE]);
    expectNoActivityCreatedTwice(env);
  });

  it('when automatic replies go on and then off, then the next poll after UPDATE_INTERVAL adds the out-of-office activity and then removes it', async () => {
    x = await startExchangeE2e({ push: false, settings: { UPDATE_INTERVAL: '15m' } });
    const { env, synced } = x;
    const [, bob] = synced;
    const keys = synced.map((p) => p.key);
    const oof = () => cmgActivities(env, bob.key).filter((a) => a.code === '13');
    expect(oof()).toEqual([]);

    setAutomaticReplies(x, bob, true);
    x.clock.jump(15 * MINUTE);
    await poll(x, bob.key);
    await expectConverged(env, keys);
    expect(oof()).toHaveLength(1);
    expect((await env.deps.store.mailboxes.get(bob.key))?.automaticRepliesSince).toBeDefined();

    setAutomaticReplies(x, bob, false);
    x.clock.jump(15 * MINUTE);
    await poll(x, bob.key);
    await expectConverged(env, keys);
    expect(oof()).toEqual([]);
    expectNoActivityCreatedTwice(env);
  });
});
