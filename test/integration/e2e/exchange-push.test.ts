/**
 * Exchange push end to end: the subscriptions timer subscribes each mailbox of a PUSH=true
 * profile through the production client (NTLM, channel binding); the EWS emulator POSTs
 * SendNotification to our ews-notifications function over real HTTP; the job it enqueues brings
 * the change to CMG. The emulator's push waits (StatusFrequency, retries) run on a hand-driven clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../tools/clock/manual-clock.js';
import { expectConverged, expectNoActivityCreatedTwice } from './convergence.js';
import { addExchangeEvent, MINUTE, startExchangeE2e, tomorrowAt, type ExchangeE2e } from './exchange-e2e-harness.js';

const STATUS_FREQUENCY_MINUTES = 5;

let x: ExchangeE2e | undefined;
afterEach(async () => {
  await x?.close();
  x = undefined;
});

describe('Exchange push end to end', { timeout: 120_000 }, () => {
  it('when a PUSH=true mailbox changes, then Exchange notifies our webhook and the change reaches CMG; a keep-alive moves nothing; a silent subscription is replaced from its watermark and the old one told to unsubscribe', async () => {
    const emulatorClock = new ManualClock();
    x = await startExchangeE2e({ push: true, emulatorClock, settings: { EXCHANGE_STATUS_FREQUENCY: String(STATUS_FREQUENCY_MINUTES) } });
    const { env, ews, synced } = x;
    const [anna, bob] = synced;
    const keys = synced.map((p) => p.key);
    await expectConverged(env, keys);

    // 1. The timer subscribes both mailboxes (not the one outside the impersonation scope)
    expect(ews.control.subscriptions()).toEqual([]);
    await x.runSubscriptionsTimer();
    const first = await x.stored();
    expect(first.map((s) => s.mailboxKey).sort()).toEqual([...keys].sort());
    const live = ews.control.subscriptions();
    expect(live.map((s) => s.mailbox).sort()).toEqual([anna.address, bob.address].sort());
    for (const s of live) {
      expect(s).toMatchObject({ state: 'active', statusFrequencyMinutes: STATUS_FREQUENCY_MINUTES });
      expect(s.url.startsWith(`${x.webhooks!.url}/api/ews-notifications/`)).toBe(true);
      // Exchange's id is on our record: an older subscription calling would be told to unsubscribe
      expect(first.map((r) => r.resourceId)).toContain(s.id);
    }
    const annaOld = live.find((s) => s.mailbox === anna.address)!;
    const bobOld = live.find((s) => s.mailbox === bob.address)!;

    // 2. A new meeting: Exchange POSTs a CreatedEvent, our answer is OK, a job brings it to CMG
    addExchangeEvent(x, anna, { id: `${anna.key}-pushed`, subject: 'Pushed meeting', start: tomorrowAt(x, 9), end: tomorrowAt(x, 10) });
    await ews.control.flushNotifications();
    await env.queue.whenIdle();
    expect(ews.control.notifications().map((n) => [n.subscriptionId, n.kind, n.result])).toEqual([[annaOld.id, 'events', 'OK']]);
    expect(x.syncsDone(anna.key, 'notification')).toHaveLength(1);
    await expectConverged(env, keys);
    const afterChange = (await x.stored()).find((s) => s.mailboxKey === anna.key)!;
    expect(afterChange.watermark).toBeDefined();

    // 3. StatusFrequency of quiet: keep-alives for both, answered OK; no job, no EWS request, no CMG write
    const requestsBefore = ews.control.requestCount();
    const jobsBefore = x.logs.filter((r) => r.op === 'sync.done').length;
    env.cmg.clearRecord();
    emulatorClock.advance(STATUS_FREQUENCY_MINUTES * MINUTE);
    await ews.control.flushNotifications();
    await env.queue.whenIdle();
    const keepAlives = ews.control.notifications().filter((n) => n.kind === 'status');
    expect(keepAlives.map((n) => [n.subscriptionId, n.result]).sort()).toEqual([[annaOld.id, 'OK'], [bobOld.id, 'OK']].sort());
    expect(ews.control.requestCount()).toBe(requestsBefore);
    expect(x.logs.filter((r) => r.op === 'sync.done').length).toBe(jobsBefore);
    expect(env.cmg.record.filter((r) => r.method === 'PUT' || r.method === 'DELETE')).toEqual([]);
    // Heard from: the keep-alive moved the silence deadline on (and kept the watermark)
    const keptAlive = (await x.stored()).find((s) => s.mailboxKey === anna.key)!;
    expect(keptAlive.expiresAt > afterChange.expiresAt).toBe(true);

    // 4. The app cannot be reached: Exchange's delivery of the next change fails and it waits to retry
    x.webhooks!.unreachable = true;
    addExchangeEvent(x, anna, { id: `${anna.key}-while-silent`, subject: 'Made while silent', start: tomorrowAt(x, 14), end: tomorrowAt(x, 15) });
    await ews.control.flushNotifications();
    expect(ews.control.notifications().at(-1)).toMatchObject({ subscriptionId: annaOld.id, result: 'failed' });
    x.webhooks!.unreachable = false;
    expect(x.syncsDone(anna.key).length).toBe(2);

    // Twice StatusFrequency without a word: the timer replaces both subscriptions, each resuming from its watermark
    x.clock.jump(2 * STATUS_FREQUENCY_MINUTES * MINUTE + MINUTE);
    const subscribesBefore = ews.control.requestCount({ operation: 'Subscribe' });
    const lines = await x.runSubscriptionsTimer();
    expect(lines.join('\n')).toContain('0 created, 2 renewed, 0 deleted, 0 failed');
    expect(ews.control.requestCount({ operation: 'Subscribe' }) - subscribesBefore).toBe(2);
    await ews.control.flushNotifications();
    await env.queue.whenIdle();
    const replaced = await x.stored();
    expect(replaced.map((s) => s.id).filter((id) => first.some((f) => f.id === id))).toEqual([]);
    const annaNew = ews.control.subscriptions().find((s) => s.mailbox === anna.address && s.state === 'active' && s.id !== annaOld.id)!;
    // The new subscription delivered what the old one could not, and only that: it resumed from the watermark
    const resumed = ews.control.notifications().filter((n) => n.subscriptionId === annaNew.id && n.kind === 'events');
    expect(resumed.map((n) => [n.events, n.result])).toEqual([[1, 'OK']]);
    expect(x.syncsDone(anna.key, 'notification')).toHaveLength(2);
    await expectConverged(env, keys);
    expect(env.cmg.control.activities(anna.key).some((a) => a.activity.text === 'Made while silent')).toBe(true);

    // 5. The old subscriptions' next notifications (Anna's retry, Bob's keep-alive) are answered Unsubscribe, and no job follows
    const jobsAfterReplace = x.logs.filter((r) => r.op === 'sync.done').length;
    emulatorClock.advance(STATUS_FREQUENCY_MINUTES * MINUTE);
    await ews.control.flushNotifications();
    await env.queue.whenIdle();
    const ended = ews.control.subscriptions().filter((s) => s.id === annaOld.id || s.id === bobOld.id);
    expect(ended.map((s) => [s.state, s.endedBecause])).toEqual([
      ['ended', 'callback-unsubscribed'],
      ['ended', 'callback-unsubscribed'],
    ]);
    expect(ews.control.subscriptions().filter((s) => s.state === 'active')).toHaveLength(2);
    expect(x.logs.filter((r) => r.op === 'sync.done').length).toBe(jobsAfterReplace);
    await expectConverged(env, keys);
    expectNoActivityCreatedTwice(env);
  });
});
