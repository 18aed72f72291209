import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobQueue, OutgoingJob } from '../../../shared/queue/job-queue.js';
import type { Subscription } from '../../../shared/store/subscription-repository.js';
import { syncMailbox } from '../../../shared/sync/job/sync-mailbox.js';
import { aJob } from '../../support/mailbox-job-harness.js';
import { GOOGLE_PROFILE } from '../../../tools/local-env/local-environment.js';
import { post, startPush, type PushEnvironment } from './push-harness.js';

let push: PushEnvironment;
let subscription: Subscription;
beforeEach(async () => {
  push = await startPush();
  await push.runSubscriptionsTimer();
  // Not CMG user 1001's: user 2004 shares that mailbox, so it has two subscriptions.
  subscription = (await push.stored('graph')).find((s) => s.mailboxKey !== '1001' && s.mailboxKey !== '2004')!;
  push.env.graph.clearRecord();
});
afterEach(async () => {
  await push.close();
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('Graph lifecycle notifications', () => {
  it('when Graph says reauthorizationRequired, then the webhook only enqueues a lifecycle job, and the job renews the subscription: expiry extended at Graph and in the table, no sync', async () => {
    const { env } = push;
    // As Graph sends it: shortly before the subscription would lapse.
    const soon = new Date(Date.now() + HOUR).toISOString();
    env.graph.control.subscriptions().find((s) => s.id === subscription.id)!.expirationDateTime = soon;
    await env.deps.store.subscriptions.upsert({ ...subscription, expiresAt: soon });

    const status = await env.graph.control.sendLifecycleEvent(subscription.id, 'reauthorizationRequired');

    expect(status).toBe(202);
    expect(push.sent.map((s) => s.job)).toEqual([
      expect.objectContaining({ mailboxKey: subscription.mailboxKey, reason: 'lifecycle', full: false, lifecycle: { event: 'reauthorizationRequired', subscriptionId: subscription.id } }),
    ]);
    await env.queue.whenIdle();
    expect(env.graph.control.apiRequests().map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /subscriptions/${subscription.id}`]);
    const atGraph = env.graph.control.subscriptions().find((s) => s.id === subscription.id)!.expirationDateTime;
    expect(Date.parse(atGraph)).toBeGreaterThan(Date.now() + 6 * DAY);
    expect(await env.deps.store.subscriptions.get('graph', subscription.id)).toEqual({ ...subscription, expiresAt: atGraph });
    expect(push.syncsDone(subscription.mailboxKey, 'lifecycle')).toEqual([]);
    expect(push.logs.filter((r) => r.op === 'push.lifecycle-done')).toEqual([expect.objectContaining({ mailbox: subscription.mailboxKey, event: 'reauthorizationRequired', action: 'renewed' })]);
  });

  it('when a lifecycle batch holds a reauthorizationRequired Graph can renew and an item for a subscription we no longer know, then it is acknowledged with 202 and the renewal done', async () => {
    const { env } = push;
    const clientState = env.graph.control.subscriptions().find((s) => s.id === subscription.id)!.clientState!;
    const item = (subscriptionId: string) => ({ subscriptionId, clientState, lifecycleEvent: 'reauthorizationRequired', tenantId: env.graph.control.tenantId });

    const res = await post(push.webhooks, '/api/graph-lifecycle', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: [item(subscription.id), item(randomUUID())] }),
    });

    // A 4xx would make Graph deliver the batch again, and renew again, for nothing.
    expect(res.status).toBe(202);
    await env.queue.whenIdle();
    expect(env.graph.control.apiRequests().map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /subscriptions/${subscription.id}`]);
    expect(push.sent).toHaveLength(1);
  });

  it('when reauthorizationRequired arrives for a mailbox now served by its Google profile, then the Graph subscription is not renewed through Google (the timer replaces it)', async () => {
    const { env } = push;
    const { etag, ...mailbox } = (await env.deps.store.mailboxes.get(subscription.mailboxKey))!;
    await env.deps.store.mailboxes.update({ ...mailbox, profile: GOOGLE_PROFILE }, etag);
    env.google.clearRecord();

    const status = await env.graph.control.sendLifecycleEvent(subscription.id, 'reauthorizationRequired');

    expect(status).toBe(202);
    await env.queue.whenIdle();
    expect(env.google.record).toEqual([]);
    expect(env.graph.control.apiRequests()).toEqual([]);
    expect(await env.deps.store.subscriptions.listByMailbox(subscription.mailboxKey)).toEqual([subscription]);
  });

  it('when Graph says subscriptionRemoved, then the job forgets it, subscribes anew and syncs in full; the next subscriptions run has nothing to create', async () => {
    const { env } = push;

    const status = await env.graph.control.sendLifecycleEvent(subscription.id, 'subscriptionRemoved');

    expect(status).toBe(202);
    expect(push.sent.map((s) => s.job)).toEqual([expect.objectContaining({ mailboxKey: subscription.mailboxKey, reason: 'lifecycle', full: true })]);
    await env.queue.whenIdle();
    expect(await env.deps.store.subscriptions.get('graph', subscription.id)).toBeUndefined();
    expect(push.syncsDone(subscription.mailboxKey, 'lifecycle')).toEqual([expect.objectContaining({ mode: 'full' })]);
    const [replacement, ...more] = await env.deps.store.subscriptions.listByMailbox(subscription.mailboxKey);
    expect(more).toEqual([]);
    expect(replacement!.id).not.toBe(subscription.id);
    const address = (await env.deps.store.mailboxes.get(subscription.mailboxKey))!.address;
    expect(env.graph.control.subscriptions().find((s) => s.id === replacement!.id)).toMatchObject({ resource: `users/${address}/events` });

    expect(await push.runSubscriptionsTimer()).toEqual(['subscriptions: 0 created, 0 renewed, 0 deleted, 0 failed']);
  });

  it('when Graph refuses the replacement subscription after subscriptionRemoved, then the full sync still runs, the failure is logged, and the timer creates the subscription later', async () => {
    const { env } = push;
    env.graph.fault({ method: 'POST', path: /^\/v1\.0\/subscriptions$/, kind: 'status', status: 403, times: Infinity });

    expect(await env.graph.control.sendLifecycleEvent(subscription.id, 'subscriptionRemoved')).toBe(202);
    await env.queue.whenIdle();

    expect(push.syncsDone(subscription.mailboxKey, 'lifecycle')).toEqual([expect.objectContaining({ mode: 'full' })]);
    expect(push.logs.filter((r) => r.op === 'push.lifecycle-failed')).toEqual([expect.objectContaining({ mailbox: subscription.mailboxKey, event: 'subscriptionRemoved' })]);
    expect(await env.deps.store.subscriptions.listByMailbox(subscription.mailboxKey)).toEqual([]);

    env.graph.clearFaults();
    expect(await push.runSubscriptionsTimer()).toEqual(['subscriptions: 1 created, 0 renewed, 0 deleted, 0 failed']);
  });

  it('when Graph says missed, then a full sync runs and the subscription is kept', async () => {
    const { env } = push;

    const status = await env.graph.control.sendLifecycleEvent(subscription.id, 'missed');

    expect(status).toBe(202);
    expect(push.sent.map((s) => s.job)).toEqual([expect.objectContaining({ mailboxKey: subscription.mailboxKey, reason: 'lifecycle', full: true })]);
    await env.queue.whenIdle();
    expect(push.syncsDone(subscription.mailboxKey, 'lifecycle')).toEqual([expect.objectContaining({ mode: 'full' })]);
    expect(await env.deps.store.subscriptions.get('graph', subscription.id)).toEqual(subscription);
    expect(env.graph.control.subscriptions().some((s) => s.id === subscription.id)).toBe(true);
  });

  it('when a lifecycle job runs in the quiet period, then it is put off to the end of the period with its event, and Graph is not called', async () => {
    const { env } = push;
    // Every minute of the day is quiet but one, so whatever the time now, it is inside the period.
    const minute = new Date().getUTCHours() * 60 + new Date().getUTCMinutes();
    const subscribeOff = { start: (minute + 1439) % 1440, end: (minute + 1438) % 1440, timeZone: 'UTC' };
    const deps = { ...env.deps, config: { ...env.deps.config, sync: { ...env.deps.config.sync, subscribeOff } }, queue: recordingQueue() };
    const job = { ...aJob(subscription.mailboxKey, { reason: 'lifecycle' }), lifecycle: { event: 'reauthorizationRequired' as const, subscriptionId: subscription.id } };

    const outcome = await syncMailbox(deps, job);

    expect(outcome.status).toBe('deferred');
    expect(deps.queue.sent).toEqual([
      expect.objectContaining({ job: expect.objectContaining({ lifecycle: job.lifecycle }), messageId: expect.stringMatching(/^deferred:.*:reauthorizationRequired$/) }),
    ]);
    expect(env.graph.control.apiRequests()).toEqual([]);
  });
});

function recordingQueue(): JobQueue & { sent: OutgoingJob[] } {
  const sent: OutgoingJob[] = [];
  return {
    sent,
    send: async (job, options) => void sent.push({ job, ...options }),
    sendMany: async (jobs) => void sent.push(...jobs),
  };
}
