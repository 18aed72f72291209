/**
 * Exchange cannot reach the app (PUSH=false, or push off altogether): no push subscription is
 * made, and the dispatch timer's Exchange polls, every EXCHANGE_POLL_INTERVAL, find the changes
 * with one SyncFolderItems per mailbox.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { intervalStart, spreadOffsetMs } from '../../../shared/domain/pacing.js';
import { expectConverged, expectNoActivityCreatedTwice } from './convergence.js';
import { addExchangeEvent, MINUTE, startExchangeE2e, tomorrowAt, type ExchangeE2e } from './exchange-e2e-harness.js';

const POLL_INTERVAL = 10 * MINUTE;
// The safety net's own jobs spread over a day fall hours after these tests' morning: only the polls run.
const SETTINGS = { EXCHANGE_POLL_INTERVAL: '10m', UPDATE_INTERVAL: '24h' };

let x: ExchangeE2e | undefined;
afterEach(async () => {
  await x?.close();
  x = undefined;
});

/** Moves the set clock into the next poll interval, past every synced mailbox's place in its spread. */
function intoNextPollInterval(e: ExchangeE2e): void {
  const now = e.clock.now().getTime();
  const latest = Math.max(...e.synced.map((p) => spreadOffsetMs(p.key, POLL_INTERVAL)));
  e.clock.jump(intervalStart(now, POLL_INTERVAL) + POLL_INTERVAL + latest + 200 - now);
}

describe('Exchange polling end to end', { timeout: 120_000 }, () => {
  for (const variant of [
    { name: 'the profile says Exchange cannot reach the app (PUSH=false)', push: true, settings: { ...SETTINGS, PROFILE_ONPREM_PUSH: 'false' } },
    // The profile would take push, but the app has no public address for Exchange to call
    { name: 'push is off (no WEBHOOK_BASE_URL)', push: false, settings: { ...SETTINGS, PROFILE_ONPREM_PUSH: 'true' } },
  ]) {
    it(`when ${variant.name}, then no subscription is made, the poll brings a change to CMG, and a quiet poll costs one request per mailbox`, async () => {
      x = await startExchangeE2e({ push: variant.push, settings: variant.settings });
      const { env, ews, synced } = x;
      const keys = synced.map((p) => p.key);
      await expectConverged(env, keys);

      // No push subscription
      await x.runSubscriptionsTimer();
      expect(await x.stored()).toEqual([]);
      expect(ews.control.requestCount({ operation: 'Subscribe' })).toBe(0);

      // A change, found by the next poll
      const [anna, bob] = synced;
      addExchangeEvent(x, anna, { id: `${anna.key}-polled`, subject: 'Polled meeting', start: tomorrowAt(x, 9), end: tomorrowAt(x, 10) });
      intoNextPollInterval(x);
      const before = { anna: ews.control.requestCount({ mailbox: anna.address }), bob: ews.control.requestCount({ mailbox: bob.address }) };
      const polledBefore = x.syncsDone(anna.key, 'schedule').length;
      const lines = await x.runDispatchTimer();
      expect(lines.join('\n')).toContain('polled 2 Exchange mailboxes');
      await env.queue.whenIdle({ horizonMs: 0 });
      expect(x.syncsDone(anna.key, 'schedule')).toHaveLength(polledBefore + 1);
      await expectConverged(env, keys);
      // Anna's calendar changed: SyncFolderItems, the window, the automatic replies; Bob's did not: SyncFolderItems
      expect(ews.control.requestCount({ mailbox: anna.address }) - before.anna).toBe(3);
      expect(ews.control.requestCount({ mailbox: bob.address }) - before.bob).toBe(1);

      // The timer again within the interval: nothing more
      await x.runDispatchTimer();
      await env.queue.whenIdle({ horizonMs: 0 });
      expect(x.syncsDone(anna.key, 'schedule')).toHaveLength(polledBefore + 1);

      // The next interval, nothing changed: one SyncFolderItems per mailbox, nothing written to CMG
      env.cmg.clearRecord();
      intoNextPollInterval(x);
      const quiet = ews.control.counters();
      await x.runDispatchTimer();
      await env.queue.whenIdle({ horizonMs: 0 });
      const after = ews.control.counters();
      for (const p of synced) {
        expect(after[p.address], p.address).toEqual({ ...quiet[p.address], SyncFolderItems: (quiet[p.address]!.SyncFolderItems ?? 0) + 1 });
      }
      expect(x.syncsDone(anna.key, 'schedule')).toHaveLength(polledBefore + 2);
      expect(env.cmg.record.filter((r) => r.method === 'PUT' || r.method === 'DELETE')).toEqual([]);
      await expectConverged(env, keys);
      expectNoActivityCreatedTwice(env);
    });
  }
});
