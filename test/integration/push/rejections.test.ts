import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Subscription } from '../../../shared/store/subscription-repository.js';
import { post, startPush, type PushEnvironment } from './push-harness.js';

// One environment for the file: every test here must leave no trace, which each one checks.
let push: PushEnvironment;
let graphSub: Subscription;
let channel: Subscription;
beforeAll(async () => {
  push = await startPush();
  await push.runSubscriptionsTimer();
  graphSub = (await push.stored('graph'))[0]!;
  channel = (await push.stored('google'))[0]!;
});
afterAll(async () => {
  await push.close();
});

const JSON_TYPE = { 'content-type': 'application/json' };

function graphBody(subscriptionId: string, clientState: string | null, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    value: [{ subscriptionId, clientState, changeType: 'updated', resource: `Users/${randomUUID()}/Events/AAMkA`, tenantId: push.env.graph.control.tenantId, ...extra }],
  });
}

function channelToken(id: string): string {
  return push.env.google.control.channels().find((c) => c.id === id)!.token!;
}

let sentBefore = 0;
let opsBefore = 0;
beforeEach(() => {
  sentBefore = push.sent.length;
  opsBefore = push.logs.length;
});
afterEach(async () => {
  // Whatever a test posted, nothing reached the queue and no job ran.
  await push.env.queue.whenIdle();
  expect(push.sent.slice(sentBefore)).toEqual([]);
  expect(push.logs.slice(opsBefore).filter((r) => r.op === 'sync.done')).toEqual([]);
});

/** The request's one summary line; there must be exactly one. */
const summary = (op: string): Record<string, unknown> => {
  const lines = push.logs.slice(opsBefore).filter((r) => r.op.startsWith('push.'));
  expect(lines.map((r) => r.op)).toEqual([op]);
  return lines[0]!;
};

describe('webhooks refuse what they cannot trust, with no job enqueued', () => {
  it('when a Graph notification carries a forged clientState, then 403 and it is logged', async () => {
    const res = await post(push.webhooks, '/api/graph-notifications', { headers: JSON_TYPE, body: graphBody(graphSub.id, 'forged-client-state') });
    expect(res.status).toBe(403);
    expect(summary('push.graph-notified')).toMatchObject({ level: 'warn', items: 1, forged: 1, enqueued: 0 });
  });

  it('when a Graph notification has no clientState at all, then 403', async () => {
    const res = await post(push.webhooks, '/api/graph-notifications', { headers: JSON_TYPE, body: graphBody(graphSub.id, null) });
    expect(res.status).toBe(403);
  });

  it('when a Graph notification names an unknown subscription, then 403 and it is logged', async () => {
    const res = await post(push.webhooks, '/api/graph-notifications', { headers: JSON_TYPE, body: graphBody(randomUUID(), 'any-client-state') });
    expect(res.status).toBe(403);
    expect(summary('push.graph-notified')).toMatchObject({ level: 'warn', items: 1, unknown: 1, enqueued: 0 });
  });

  it('when a Graph lifecycle event carries a forged clientState, then 403 and the subscription is kept', async () => {
    const res = await post(push.webhooks, '/api/graph-lifecycle', { headers: JSON_TYPE, body: graphBody(graphSub.id, 'forged', { lifecycleEvent: 'subscriptionRemoved' }) });
    expect(res.status).toBe(403);
    expect(await push.env.deps.store.subscriptions.get('graph', graphSub.id)).toEqual(graphSub);
  });

  it.each([
    ['not JSON', '{"value": [', 400],
    ['JSON of the wrong shape', JSON.stringify({ value: 'nope' }), 400],
    ['an empty collection', JSON.stringify({ value: [] }), 400],
  ])('when a Graph notification body is %s, then 400', async (_what, body, status) => {
    for (const path of ['/api/graph-notifications', '/api/graph-lifecycle']) {
      const res = await post(push.webhooks, path, { headers: JSON_TYPE, body });
      expect(res.status, path).toBe(status);
      expect(res.headers.get('content-type'), path).toMatch(/^application\/json/);
    }
  });

  it('when a Graph notification comes as text/plain, then 415', async () => {
    for (const path of ['/api/graph-notifications', '/api/graph-lifecycle']) {
      const res = await post(push.webhooks, path, { headers: { 'content-type': 'text/plain' }, body: graphBody(graphSub.id, 'x') });
      expect(res.status, path).toBe(415);
    }
  });

  it('when a Graph notification body is over 1 MiB, then 413', async () => {
    const padding = 'x'.repeat(1024 * 1024);
    for (const path of ['/api/graph-notifications', '/api/graph-lifecycle']) {
      const res = await post(push.webhooks, path, { headers: JSON_TYPE, body: graphBody(graphSub.id, 'x', { padding }) });
      expect(res.status, path).toBe(413);
    }
  });

  it('when a Google notification carries a forged channel token, then 403 and it is logged', async () => {
    const res = await post(push.webhooks, '/api/google-notifications', {
      headers: { 'x-goog-channel-id': channel.id, 'x-goog-channel-token': 'forged-token', 'x-goog-resource-id': channel.resourceId, 'x-goog-resource-state': 'exists', 'x-goog-message-number': '2' },
    });
    expect(res.status).toBe(403);
    expect(summary('push.google-notified')).toMatchObject({ level: 'warn', outcome: 'forged', mailbox: channel.mailboxKey });
  });

  it('when a Google notification has the right token but another resource id, then 403', async () => {
    const res = await post(push.webhooks, '/api/google-notifications', {
      headers: { 'x-goog-channel-id': channel.id, 'x-goog-channel-token': channelToken(channel.id), 'x-goog-resource-id': 'another-resource', 'x-goog-resource-state': 'exists' },
    });
    expect(res.status).toBe(403);
  });

  it('when a Google notification names an unknown channel, then 404 and it is logged', async () => {
    const res = await post(push.webhooks, '/api/google-notifications', {
      headers: { 'x-goog-channel-id': randomUUID(), 'x-goog-channel-token': channelToken(channel.id), 'x-goog-resource-state': 'exists' },
    });
    expect(res.status).toBe(404);
    expect(summary('push.google-notified')).toMatchObject({ level: 'warn', outcome: 'unknown-channel' });
  });

  it('when a Google notification lacks its X-Goog-* headers, then 400', async () => {
    const res = await post(push.webhooks, '/api/google-notifications', { headers: { 'x-goog-channel-id': channel.id, 'x-goog-resource-state': 'changed' } });
    expect(res.status).toBe(400);
  });

  it('when the right clientState and channel token arrive, then jobs are enqueued (the checks above do not merely refuse everything)', async () => {
    const clientState = push.env.graph.control.subscriptions().find((s) => s.id === graphSub.id)!.clientState!;
    const graph = await post(push.webhooks, '/api/graph-notifications', { headers: JSON_TYPE, body: graphBody(graphSub.id, clientState) });
    const google = await post(push.webhooks, '/api/google-notifications', {
      headers: { 'x-goog-channel-id': channel.id, 'x-goog-channel-token': channelToken(channel.id), 'x-goog-resource-id': channel.resourceId, 'x-goog-resource-state': 'exists' },
    });
    expect([graph.status, google.status]).toEqual([202, 200]);
    expect(push.sent.slice(sentBefore).map((s) => s.job.mailboxKey)).toEqual([graphSub.mailboxKey, channel.mailboxKey]);
    // Accounted for, so the file's "nothing sent" check covers only the other tests.
    await push.env.queue.whenIdle();
    sentBefore = push.sent.length;
    opsBefore = push.logs.length;
  });
});
