/**
 * `calsync.notifications.accepted`: every notification whose secret matched, counted per
 * subscription or channel, so a replay flood of one shows (alert "A replay flood"); nothing a
 * webhook refuses is counted, so a stranger can add no value to the `subscription` attribute.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Subscription } from '../../../shared/store/subscription-repository.js';
import { startInMemoryTelemetry, type InMemoryTelemetry } from '../../../tools/local-env/in-memory-telemetry.js';
import { post, startPush, type PushEnvironment } from './push-harness.js';

const ACCEPTED = 'calsync.notifications.accepted';
const JSON_TYPE = { 'content-type': 'application/json' };

let recorded: InMemoryTelemetry;
let push: PushEnvironment;
let graphSub: Subscription;
let channel: Subscription;
beforeAll(async () => {
  recorded = startInMemoryTelemetry();
  push = await startPush({ telemetry: recorded.telemetry });
  await push.runSubscriptionsTimer();
  graphSub = (await push.stored('graph'))[0]!;
  channel = (await push.stored('google'))[0]!;
});
afterAll(async () => {
  await push?.close();
  await recorded?.shutdown();
});

const clientStateOf = (id: string): string => push.env.graph.control.subscriptions().find((s) => s.id === id)!.clientState!;
const tokenOf = (id: string): string => push.env.google.control.channels().find((c) => c.id === id)!.token!;

function graphBody(items: Array<{ subscriptionId: string; clientState: string }>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    value: items.map((i) => ({ ...i, changeType: 'updated', resource: `Users/${randomUUID()}/Events/AAMkA`, tenantId: push.env.graph.control.tenantId, ...extra })),
  });
}
const googleHeaders = (id: string, token: string, resourceId: string): Record<string, string> => ({
  'x-goog-channel-id': id,
  'x-goog-channel-token': token,
  'x-goog-resource-id': resourceId,
  'x-goog-resource-state': 'exists',
});

describe('accepted notifications per subscription', () => {
  it('when notifications are refused (forged secret, unknown id, wrong resource), then none is counted; when accepted, each is counted under its subscription, provider and kind', async () => {
    const { webhooks } = push;
    const forged = [
      await post(webhooks, '/api/graph-notifications', { headers: JSON_TYPE, body: graphBody([{ subscriptionId: graphSub.id, clientState: 'forged' }]) }),
      await post(webhooks, '/api/graph-notifications', { headers: JSON_TYPE, body: graphBody([{ subscriptionId: randomUUID(), clientState: clientStateOf(graphSub.id) }]) }),
      await post(webhooks, '/api/graph-lifecycle', { headers: JSON_TYPE, body: graphBody([{ subscriptionId: graphSub.id, clientState: 'forged' }], { lifecycleEvent: 'missed' }) }),
      await post(webhooks, '/api/google-notifications', { headers: googleHeaders(channel.id, 'forged', channel.resourceId) }),
      await post(webhooks, '/api/google-notifications', { headers: googleHeaders(channel.id, tokenOf(channel.id), 'another-resource') }),
    ];
    expect(forged.map((r) => r.status)).toEqual([403, 403, 403, 403, 403]);
    expect(await recorded.counted(ACCEPTED)).toBe(0);

    // One Graph batch of three items: two genuine for the subscription, one forged among them.
    const graphState = clientStateOf(graphSub.id);
    const batch = graphBody([
      { subscriptionId: graphSub.id, clientState: graphState },
      { subscriptionId: graphSub.id, clientState: 'forged' },
      { subscriptionId: graphSub.id, clientState: graphState },
    ]);
    expect((await post(webhooks, '/api/graph-notifications', { headers: JSON_TYPE, body: batch })).status).toBe(202);
    expect((await post(webhooks, '/api/graph-lifecycle', { headers: JSON_TYPE, body: graphBody([{ subscriptionId: graphSub.id, clientState: graphState }], { lifecycleEvent: 'missed' }) })).status).toBe(202);
    expect((await post(webhooks, '/api/google-notifications', { headers: googleHeaders(channel.id, tokenOf(channel.id), channel.resourceId) })).status).toBe(200);
    await push.env.queue.whenIdle();

    expect(await recorded.counted(ACCEPTED, { provider: 'graph', subscription: graphSub.id, kind: 'change' })).toBe(2);
    expect(await recorded.counted(ACCEPTED, { provider: 'graph', subscription: graphSub.id, kind: 'lifecycle' })).toBe(1);
    expect(await recorded.counted(ACCEPTED, { provider: 'google', subscription: channel.id, kind: 'change' })).toBe(1);
    expect(await recorded.counted(ACCEPTED)).toBe(4);
  });
});
