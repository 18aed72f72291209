/**
 * Metrics and traces as the product records them, read from the OpenTelemetry SDK's in-memory
 * exporters while the real webhooks, queue and jobs run against the emulators.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dispatch } from '../../../shared/sync/roster/dispatch-jobs.js';
import type { DemoEvent } from '../../../tools/demo/demo-organisation.js';
import { startInMemoryTelemetry, type InMemoryTelemetry } from '../../../tools/local-env/in-memory-telemetry.js';
import { cmgActivities, expectedFor } from '../e2e/e2e-harness.js';
import { startPush, syncedMailboxes, type PushEnvironment } from '../push/push-harness.js';

let recorded: InMemoryTelemetry;
let push: PushEnvironment;
beforeEach(async () => {
  recorded = startInMemoryTelemetry();
  push = await startPush({ telemetry: recorded.telemetry });
});
afterEach(async () => {
  await push.close();
  await recorded.shutdown();
});

/** The oracle reads the demo's description: a test that changes a calendar changes it there too. */
function renameLunch(key: string): void {
  const lunch = (push.env.org.events[key] as DemoEvent[]).find((e) => e.id === `${key}-lunch`)! as { -readonly [K in keyof DemoEvent]: DemoEvent[K] };
  lunch.subject = 'Lunch with Maria';
}

/** CMG requests the product made: the emulator's record. */
const cmgRequests = (p: PushEnvironment): number => p.env.cmg.record.length;

describe('telemetry', () => {
  it('when a Graph notification brings a change to CMG, then the webhook answer, the job, its CMG requests and the lag are recorded', async () => {
    const { env } = push;
    await push.runSubscriptionsTimer();
    const synced = await syncedMailboxes(env);
    const googleChannels = synced.filter((m) => m.kind === 'google').length;
    // Each new channel's `sync` message has been answered.
    await vi.waitFor(() => expect(env.google.control.notifications).toHaveLength(googleChannels));
    const person = env.org.people.find((p) => p.provider === 'graph' && p.key !== env.org.people[0]!.key)!;
    const firstSyncs = await recorded.counted('calsync.jobs', { result: 'synced', reason: 'schedule' });

    renameLunch(person.key);
    env.graph.control.updateEvent(person.address, env.graphEventIds.get(`${person.key}-lunch`)!, { subject: 'Lunch with Maria' });
    await env.graph.control.flushNotifications();
    await env.queue.whenIdle();
    expect(cmgActivities(env, person.key)).toEqual(await expectedFor(env, person.key));

    // The roster's first job of every synced mailbox, then the one notification job.
    expect(firstSyncs).toBe(synced.length);
    expect(await recorded.counted('calsync.jobs', { result: 'synced', reason: 'notification' })).toBe(1);
    expect(await recorded.counted('calsync.jobs')).toBe(synced.length + 1);
    expect(await recorded.counted('calsync.webhook.requests', { endpoint: 'graph-notifications', status: '202' })).toBe(1);
    expect(await recorded.counted('calsync.webhook.requests', { endpoint: 'google-notifications', status: '200' })).toBe(googleChannels);
    expect(await recorded.counted('calsync.subscription.renewals', { result: 'created' })).toBe(synced.length);
    expect(await recorded.counted('calsync.subscription.renewals', { result: 'failed' })).toBe(0);
    expect(await recorded.histogramCount('calsync.notification.lag', { provider: 'graph' })).toBe(1);
    // Every request CMG received is one value of the CMG latency histogram.
    expect(await recorded.histogramCount('calsync.cmg.duration')).toBe(cmgRequests(push));
    expect(await recorded.histogramCount('calsync.cmg.duration', { operation: 'upsertActivity', status: '200' })).toBeGreaterThan(0);
    expect(await recorded.histogramCount('calsync.provider.duration', { provider: 'graph', operation: 'fetchCalendar', outcome: 'ok' })).toBeGreaterThan(0);
    expect(await recorded.histogramCount('calsync.provider.duration', { provider: 'google', operation: 'subscribe', outcome: 'ok' })).toBe(googleChannels);
  });

  it('when a notification is followed, then the job span and its CMG spans share the trace of the webhook span', async () => {
    const { env } = push;
    await push.runSubscriptionsTimer();
    await env.queue.whenIdle();
    const before = recorded.spans().length;
    const person = env.org.people.find((p) => p.provider === 'graph' && p.key !== env.org.people[0]!.key)!;
    renameLunch(person.key);
    env.graph.control.updateEvent(person.address, env.graphEventIds.get(`${person.key}-lunch`)!, { subject: 'Lunch with Maria' });
    await env.graph.control.flushNotifications();
    await env.queue.whenIdle();
    expect(cmgActivities(env, person.key)).toEqual(await expectedFor(env, person.key));

    // Only what this change caused: the subscriptions' validation handshakes were webhook requests too.
    const spans = recorded.spans().slice(before);
    const webhook = spans.find((s) => s.name === 'webhook graph-notifications');
    expect(webhook).toBeDefined();
    const traceId = webhook!.spanContext().traceId;
    const job = spans.find((s) => s.name === 'mailbox-job');
    expect(job?.attributes['calsync.job.reason']).toBe('notification');
    expect(job?.spanContext().traceId).toBe(traceId);
    expect(job?.parentSpanContext?.spanId).toBe(webhook!.spanContext().spanId);
    const cmg = spans.filter((s) => s.name.startsWith('cmg '));
    expect(cmg.map((s) => s.name)).toContain('cmg upsertActivity');
    expect(cmg.every((s) => s.spanContext().traceId === traceId && s.parentSpanContext?.spanId === job!.spanContext().spanId)).toBe(true);
    const graph = spans.filter((s) => s.name === 'graph fetchCalendar');
    expect(graph.map((s) => s.spanContext().traceId)).toEqual([traceId]);
    // No span carries an appointment's text.
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain('Lunch with Maria');
  });

  it('when CMG refuses the credentials, then each refusal is counted by its status', async () => {
    const { env } = push;
    env.cmg.fault({ kind: 'status', status: 401, times: 1 });
    const person = env.org.people[1]!;
    await env.deps.queue.send({ mailboxKey: person.key, reason: 'manual', full: true, enqueuedAt: env.deps.now().toISOString() }, { messageId: 'refused-credentials' });
    await env.queue.whenIdle({ horizonMs: 0 });

    expect(await recorded.counted('calsync.cmg.credential_refusals', { status: '401' })).toBe(1);
    expect(await recorded.counted('calsync.cmg.credential_refusals')).toBe(1);
    expect(await recorded.histogramCount('calsync.cmg.duration', { status: '401' })).toBe(1);
  });

  it('when the dispatch walks the mailboxes, then the mailboxes by state and the open dead letters are set', async () => {
    const { env } = push;
    const failing = env.org.people[2]!;
    const stored = (await env.deps.store.mailboxes.get(failing.key))!;
    await env.deps.store.mailboxes.upsert({ ...stored, state: 'failing' });
    await env.deps.store.deadLetters.add({ messageId: 'm-1', mailboxKey: failing.key, reason: 'attempts-exhausted', description: 'test', deliveryCount: 1, at: env.deps.now().toISOString() });
    const all: string[] = [];
    for await (const m of env.deps.store.mailboxes.listAll()) all.push(m.state);

    await dispatch(env.deps);

    const mailboxes = await recorded.gauge('calsync.mailboxes');
    expect(mailboxes.reduce((sum, p) => sum + p.value, 0)).toBe(all.length);
    expect(mailboxes.find((p) => p.attributes.state === 'failing')?.value).toBe(1);
    expect(mailboxes.find((p) => p.attributes.state === 'active')?.value).toBe(all.filter((s) => s === 'active').length);
    expect(await recorded.gauge('calsync.dead_letters')).toEqual([{ attributes: {}, value: 1 }]);
  });
});
