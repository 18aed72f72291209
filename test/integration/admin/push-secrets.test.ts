/**
 * "Replace the push secrets" through the admin API: tokens from a local Entra ID, the real
 * webhooks on loopback (the Graph and Google emulators call them), the queue and its jobs. The
 * old clientState or channel token is refused once the job has run, the new one accepted; no
 * change is lost during the swap; no log line holds a secret.
 */
import functions, { type HttpResponseInit } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mailboxPushSecrets, profilePushSecrets } from '../../../functions/admin.js';
import type { JobQueue, OutgoingJob } from '../../../shared/queue/job-queue.js';
import { syncMailbox } from '../../../shared/sync/job/sync-mailbox.js';
import type { Subscription } from '../../../shared/store/subscription-repository.js';
import type { DemoEvent } from '../../../tools/demo/demo-organisation.js';
import { startEntraEmulator, type EntraEmulator } from '../../../tools/emulators/entra/entra-emulator.js';
import { cmgActivities, expectedFor } from '../e2e/e2e-harness.js';
import { post, startPush, type PushEnvironment } from '../push/push-harness.js';

const { HttpRequest } = functions;
const JSON_TYPE = { 'content-type': 'application/json' };

let entra: EntraEmulator;
let push: PushEnvironment;
let operator = '';
let reader = '';
beforeAll(async () => {
  entra = await startEntraEmulator();
  operator = await entra.token({ roles: ['CalendarSync.Operator'], preferred_username: 'operator@contoso.com' });
  reader = await entra.token({ roles: ['CalendarSync.Reader'], preferred_username: 'reader@contoso.com' });
  push = await startPush({ settings: entra.settings });
  await push.runSubscriptionsTimer();
  // Each new channel's `sync` message has been answered.
  await vi.waitFor(() => expect(push.env.google.control.notifications).toHaveLength(push.env.google.control.channels().length));
}, 120_000);
afterAll(async () => {
  await push?.close();
  await entra?.close();
});

type Handler = (request: InstanceType<typeof HttpRequest>) => Promise<HttpResponseInit>;
const ask = (handler: Handler, path: string, params: Record<string, string>, token: string) =>
  handler(new HttpRequest({ method: 'POST', url: `http://localhost:7071/api/${path}`, params, headers: { authorization: `Bearer ${token}` }, body: { string: '' } }));
const forMailbox = (key: string, token = operator) => ask(mailboxPushSecrets, `mailboxes/${key}/push-secrets`, { key }, token);
const forProfile = (name: string, token = operator) => ask(profilePushSecrets, `profiles/${name}/push-secrets`, { name }, token);

const clientStateOf = (id: string): string | undefined => push.env.graph.control.subscriptions().find((s) => s.id === id)?.clientState ?? undefined;
const tokenOf = (id: string): string | undefined => push.env.google.control.channels().find((c) => c.id === id)?.token;
const ownSubscriptions = async (key: string): Promise<Subscription[]> => push.env.deps.store.subscriptions.listByMailbox(key);

function graphNotification(subscriptionId: string, clientState: string): Promise<Response> {
  const body = { value: [{ subscriptionId, clientState, changeType: 'updated', resource: `Users/${randomUUID()}/Events/AAMkA`, tenantId: push.env.graph.control.tenantId }] };
  return post(push.webhooks, '/api/graph-notifications', { headers: JSON_TYPE, body: JSON.stringify(body) });
}
function googleNotification(channel: Pick<Subscription, 'id' | 'resourceId'>, token: string): Promise<Response> {
  return post(push.webhooks, '/api/google-notifications', {
    headers: { 'x-goog-channel-id': channel.id, 'x-goog-channel-token': token, 'x-goog-resource-id': channel.resourceId, 'x-goog-resource-state': 'exists' },
  });
}

/** The oracle reads the demo's description, so a test that changes a calendar changes it there too. */
function demoEvent(key: string, name: string): { -readonly [K in keyof DemoEvent]: DemoEvent[K] } {
  return (push.env.org.events[key] as DemoEvent[]).find((e) => e.id === `${key}-${name}`)!;
}

describe('replace the push secrets', () => {
  it('when a Reader asks, then 403 and nothing changes; unknown mailboxes and profiles get 404', async () => {
    const key = push.env.org.people.find((p) => p.provider === 'graph')!.key;
    const before = await ownSubscriptions(key);
    const sent = push.sent.length;
    expect((await forMailbox(key, reader)).status).toBe(403);
    expect((await forProfile('M365', reader)).status).toBe(403);
    expect((await forMailbox('nobody')).status).toBe(404);
    expect((await forProfile('NOPE')).status).toBe(404);
    expect(push.sent.length).toBe(sent);
    expect(await ownSubscriptions(key)).toEqual(before);
  });

  it('when an operator replaces a Graph mailbox\'s push secrets, then a new subscription with a new clientState takes the old one\'s place: the old clientState is refused, the new one accepted, and no log line holds either', async () => {
    const { env } = push;
    const key = env.org.people.find((p) => p.provider === 'graph' && p.key !== env.org.people[0]!.key)!.key;
    const [old] = await ownSubscriptions(key);
    const oldState = clientStateOf(old!.id)!;
    expect((await graphNotification(old!.id, oldState)).status).toBe(202);
    await env.queue.whenIdle();
    env.graph.clearRecord();

    const res = await forMailbox(key);
    expect(res.status).toBe(202);
    expect(res.jsonBody).toEqual({ status: 'queued', mailboxes: 1 });
    await env.queue.whenIdle();
    // The new subscription first, then the old one deleted: never a moment without one.
    expect(env.graph.control.apiRequests().filter((r) => r.path.startsWith('/subscriptions')).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /subscriptions', `DELETE /subscriptions/${old!.id}`]);

    const now = await ownSubscriptions(key);
    expect(now).toHaveLength(1);
    const replacement = now[0]!;
    expect(replacement.id).not.toBe(old!.id);
    expect(replacement.secretHash).not.toBe(old!.secretHash);
    // Graph holds the new one, and the old one no more.
    expect(clientStateOf(old!.id)).toBeUndefined();
    const newState = clientStateOf(replacement.id)!;
    expect(newState).not.toBe(oldState);

    expect((await graphNotification(old!.id, oldState)).status).toBe(403);
    expect((await graphNotification(replacement.id, oldState)).status).toBe(403);
    expect((await graphNotification(replacement.id, newState)).status).toBe(202);
    await env.queue.whenIdle();

    expect(push.logs.filter((r) => r.op === 'push.secret-replaced')).toEqual([expect.objectContaining({ mailbox: key, oldSubscriptionId: old!.id, subscriptionId: replacement.id })]);
    expect(push.logs.filter((r) => r.op === 'admin.push-secrets-requested')).toEqual([expect.objectContaining({ mailbox: key, mailboxes: 1, caller: 'operator@contoso.com' })]);
    const everything = JSON.stringify(push.logs);
    expect(everything).not.toContain(oldState);
    expect(everything).not.toContain(newState);
  });

  it('when an operator replaces a Google mailbox\'s push secrets, then a new channel with a new token takes the old one\'s place and the old channel is stopped', async () => {
    const { env } = push;
    const key = env.org.people.find((p) => p.provider === 'google')!.key;
    const [old] = await ownSubscriptions(key);
    const oldToken = tokenOf(old!.id)!;

    expect((await forMailbox(key)).status).toBe(202);
    await env.queue.whenIdle();

    const [replacement, ...more] = await ownSubscriptions(key);
    expect(more).toEqual([]);
    expect(replacement!.id).not.toBe(old!.id);
    expect(tokenOf(old!.id)).toBeUndefined();
    const newToken = tokenOf(replacement!.id)!;
    expect(newToken).not.toBe(oldToken);

    expect((await googleNotification(old!, oldToken)).status).toBe(404);
    expect((await googleNotification(replacement!, oldToken)).status).toBe(403);
    expect((await googleNotification(replacement!, newToken)).status).toBe(200);
    await env.queue.whenIdle();
    expect(JSON.stringify(push.logs)).not.toContain(newToken);
  });

  it('when a change is notified to the old subscription during the swap and a late copy arrives after it, then the late copy is refused and the change still reaches CMG through the job that swapped', async () => {
    const { env } = push;
    const person = env.org.people.find((p) => p.provider === 'graph' && p.key !== env.org.people[0]!.key)!;
    const [old] = await ownSubscriptions(person.key);
    const oldState = clientStateOf(old!.id)!;
    // The jobs wait until the worker starts again: the change is made while only the old subscription exists.
    await env.queue.stop();
    expect((await forMailbox(person.key)).status).toBe(202);
    demoEvent(person.key, 'lunch').subject = 'Lunch during the swap';
    env.graph.control.updateEvent(person.address, env.graphEventIds.get(`${person.key}-lunch`)!, { subject: 'Lunch during the swap' });
    await env.graph.control.flushNotifications();
    const syncsBefore = push.syncsDone(person.key).length;

    env.startWorker();
    await env.queue.whenIdle();
    // The swapping job's own sync brought the change: it did not depend on the notification.
    const afterSwap = push.syncsDone(person.key).slice(syncsBefore);
    expect(afterSwap[0]).toMatchObject({ reason: 'manual', mode: 'delta', upserted: 1 });
    expect(cmgActivities(env, person.key)).toEqual(await expectedFor(env, person.key));

    // Graph retries a delivery that failed: a copy for the old subscription after the swap.
    expect((await graphNotification(old!.id, oldState)).status).toBe(403);
    // The next change is notified to the new subscription alone, and accepted.
    const deliveries = env.graph.control.notifications().length;
    demoEvent(person.key, 'lunch').subject = 'Lunch after the swap';
    env.graph.control.updateEvent(person.address, env.graphEventIds.get(`${person.key}-lunch`)!, { subject: 'Lunch after the swap' });
    await env.graph.control.flushNotifications();
    await env.queue.whenIdle();
    const [replacement] = await ownSubscriptions(person.key);
    expect(env.graph.control.notifications().slice(deliveries).map((n) => [n.subscriptionId, n.status])).toEqual([[replacement!.id, 202]]);
    expect(cmgActivities(env, person.key)).toEqual(await expectedFor(env, person.key));
  });

  it('when an operator replaces the push secrets of a profile, then every mailbox it serves gets a new subscription and the other profile\'s are left alone', async () => {
    const { env } = push;
    const graphBefore = await push.stored('graph');
    const googleBefore = await push.stored('google');
    const profile = (await env.deps.store.mailboxes.get(graphBefore[0]!.mailboxKey))!.profile!;

    const res = await forProfile(profile);
    expect(res.status).toBe(202);
    expect(res.jsonBody).toEqual({ status: 'queued', mailboxes: graphBefore.length });
    await env.queue.whenIdle();

    const graphAfter = await push.stored('graph');
    expect(graphAfter.map((s) => s.mailboxKey).sort()).toEqual(graphBefore.map((s) => s.mailboxKey).sort());
    expect(graphAfter.filter((s) => graphBefore.some((b) => b.id === s.id))).toEqual([]);
    expect(env.graph.control.subscriptions().map((s) => s.id).sort()).toEqual(graphAfter.map((s) => s.id).sort());
    expect(await push.stored('google')).toEqual(googleBefore);
    for (const old of graphBefore) expect((await graphNotification(old.id, 'any')).status).toBe(403);
  });

  it('when the provider refuses the new subscription, then the old one is kept (push goes on), the failure is logged and the sync still runs; asking again replaces it', async () => {
    const { env } = push;
    const key = env.org.people.filter((p) => p.provider === 'graph')[2]!.key;
    const [old] = await ownSubscriptions(key);
    env.graph.fault({ method: 'POST', path: /^\/v1\.0\/subscriptions$/, kind: 'status', status: 403, times: Infinity });
    try {
      expect((await forMailbox(key)).status).toBe(202);
      await env.queue.whenIdle();
    } finally {
      env.graph.clearFaults();
    }
    expect(await ownSubscriptions(key)).toEqual([old]);
    expect((await graphNotification(old!.id, clientStateOf(old!.id)!)).status).toBe(202);
    expect(push.logs.filter((r) => r.op === 'push.secret-replacement-failed')).toEqual([expect.objectContaining({ mailbox: key, subscriptionId: old!.id })]);
    expect(push.syncsDone(key, 'manual').at(-1)).toMatchObject({ mode: 'delta' });
    await env.queue.whenIdle();

    // Within the same second, with the same subscriptions, a second request is a double click (one job).
    await new Promise((done) => setTimeout(done, 1000 - (Date.now() % 1000) + 1));
    expect((await forMailbox(key)).status).toBe(202);
    await env.queue.whenIdle();
    const [replacement] = await ownSubscriptions(key);
    expect(replacement!.id).not.toBe(old!.id);
  });

  it('when a replacement job runs in the quiet period, then it is put off to the end of the period as a replacement, and no provider is called', async () => {
    const { env } = push;
    const key = env.org.people.find((p) => p.provider === 'google')!.key;
    // Every minute of the day is quiet but one, so whatever the time now, it is inside the period.
    const minute = new Date().getUTCHours() * 60 + new Date().getUTCMinutes();
    const subscribeOff = { start: (minute + 1439) % 1440, end: (minute + 1438) % 1440, timeZone: 'UTC' };
    const sent: OutgoingJob[] = [];
    const queue: JobQueue = { send: async (job, options) => void sent.push({ job, ...options }), sendMany: async (jobs) => void sent.push(...jobs) };
    const deps = { ...env.deps, config: { ...env.deps.config, sync: { ...env.deps.config.sync, subscribeOff } }, queue };
    const before = await ownSubscriptions(key);
    env.google.clearRecord();

    const outcome = await syncMailbox(deps, { mailboxKey: key, reason: 'manual', full: false, enqueuedAt: new Date().toISOString(), replaceSecrets: true });

    expect(outcome.status).toBe('deferred');
    expect(sent).toEqual([expect.objectContaining({ job: expect.objectContaining({ replaceSecrets: true }), messageId: expect.stringMatching(/^deferred:.*:secrets$/) })]);
    expect(env.google.record).toEqual([]);
    expect(await ownSubscriptions(key)).toEqual(before);
  });
});
