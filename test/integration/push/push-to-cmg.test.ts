import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { googleEventId } from '../../../tools/demo/seed-emulators.js';
import type { DemoEvent } from '../../../tools/demo/demo-organisation.js';
import { cmgActivities, expectedFor } from '../e2e/e2e-harness.js';
import { startPush, type PushEnvironment } from './push-harness.js';

let push: PushEnvironment;
beforeEach(async () => {
  push = await startPush();
  await push.runSubscriptionsTimer();
  // The `sync` message of each new channel has been answered.
  await vi.waitFor(() => expect(push.env.google.control.notifications).toHaveLength(push.env.google.control.channels().length));
});
afterEach(async () => {
  await push.close();
});

/** The oracle reads the demo's description, so a test that changes a calendar changes it there too. */
function demoEvent(key: string, name: string): { -readonly [K in keyof DemoEvent]: DemoEvent[K] } {
  return (push.env.org.events[key] as DemoEvent[]).find((e) => e.id === `${key}-${name}`)!;
}

describe('push notifications reach CMG through the webhook and the queue', () => {
  it('when an event changes in Graph and one in Google, then each webhook enqueues one notification job without calling Graph, Google or CMG, and the job brings CMG to the expected state', async () => {
    const { env } = push;
    const graphPerson = env.org.people.find((p) => p.provider === 'graph' && p.key !== env.org.people[0]!.key)!;
    const googlePerson = env.org.people.find((p) => p.provider === 'google')!;
    const before = { graph: cmgActivities(env, graphPerson.key), google: cmgActivities(env, googlePerson.key) };
    // Jobs stay queued until the worker starts again: what the webhooks did is all there is to see.
    await env.queue.stop();
    env.graph.clearRecord();
    env.google.clearRecord();
    env.cmg.clearRecord();

    demoEvent(graphPerson.key, 'lunch').subject = 'Lunch with Maria';
    env.graph.control.updateEvent(graphPerson.address, env.graphEventIds.get(`${graphPerson.key}-lunch`)!, { subject: 'Lunch with Maria' });
    demoEvent(googlePerson.key, 'quick-sync').cancelled = true;
    env.google.control.patchEvent(googlePerson.address, googleEventId(`${googlePerson.key}-quick-sync`), { status: 'cancelled' });
    await env.graph.control.flushNotifications();
    await vi.waitFor(() => expect(env.google.control.notifications.filter((n) => n.state === 'exists')).toHaveLength(1));

    expect(env.graph.control.notifications().map((n) => n.status)).toEqual([202]);
    expect(env.google.control.notifications.filter((n) => n.state === 'exists').map((n) => n.status)).toEqual([200]);
    // One job each; the two webhooks may answer in either order.
    expect([...push.sent.map((s) => s.job)].sort((a, b) => a.mailboxKey.localeCompare(b.mailboxKey))).toEqual(
      [graphPerson.key, googlePerson.key].sort().map((mailboxKey) => expect.objectContaining({ mailboxKey, reason: 'notification', full: false })),
    );
    expect(env.graph.record).toEqual([]);
    expect(env.google.record).toEqual([]);
    expect(env.cmg.record).toEqual([]);
    expect(cmgActivities(env, graphPerson.key)).toEqual(before.graph);

    env.startWorker();
    await env.queue.whenIdle();

    expect(push.syncsDone(graphPerson.key, 'notification')).toEqual([expect.objectContaining({ mode: 'delta' })]);
    expect(push.syncsDone(googlePerson.key, 'notification')).toEqual([expect.objectContaining({ mode: 'delta' })]);
    expect(cmgActivities(env, graphPerson.key)).not.toEqual(before.graph);
    expect(cmgActivities(env, googlePerson.key)).not.toEqual(before.google);
    expect(cmgActivities(env, graphPerson.key)).toEqual(await expectedFor(env, graphPerson.key));
    expect(cmgActivities(env, googlePerson.key)).toEqual(await expectedFor(env, googlePerson.key));
  });

  it('when 50 notifications for one mailbox arrive in a burst, then one job runs per coalescing window they fall in, not 50, and CMG ends with the last change', async () => {
    const { env } = push;
    const person = env.org.people.find((p) => p.provider === 'graph' && p.key !== env.org.people[0]!.key)!;
    const eventId = env.graphEventIds.get(`${person.key}-lunch`)!;
    const started = Date.now();

    for (let i = 1; i <= 50; i += 1) env.graph.control.updateEvent(person.address, eventId, { subject: `Lunch ${i}` });
    demoEvent(person.key, 'lunch').subject = 'Lunch 50';
    await env.graph.control.flushNotifications();
    const deliveredIn = Date.now() - started;
    await env.queue.whenIdle();

    expect(env.graph.control.notifications().map((n) => n.status)).toEqual(Array.from({ length: 50 }, () => 202));
    expect(push.sent).toHaveLength(50);
    // One id per window the webhook handled the notifications in (its clock is each job's enqueuedAt):
    // the burst spans deliveredIn, so it touches at most ⌈deliveredIn / window⌉ + 1 windows.
    const windowMs = env.config.push.notificationWindowMs;
    const accepted = new Set(push.sent.map((s) => s.messageId));
    const windows = new Set(push.sent.map((s) => Math.floor(Date.parse(s.job.enqueuedAt) / windowMs)));
    expect(accepted.size).toBe(windows.size);
    expect(accepted.size).toBeLessThanOrEqual(Math.ceil(deliveredIn / windowMs) + 1);
    const jobs = push.syncsDone(person.key, 'notification');
    expect(jobs.length).toBe(accepted.size);
    expect(push.logs.filter((r) => r.op === 'queue.duplicate-dropped' && r.mailbox === person.key)).toHaveLength(50 - accepted.size);
    expect(cmgActivities(env, person.key)).toEqual(await expectedFor(env, person.key));
  });
});
