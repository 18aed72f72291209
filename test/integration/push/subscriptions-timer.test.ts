import { afterEach, describe, expect, it, vi } from 'vitest';
import { maintainSubscriptions } from '../../../shared/sync/push/maintain-subscriptions.js';
import { refreshRoster } from '../../../shared/sync/roster/refresh-roster.js';
import { TableRequestLog } from '../../support/table-request-log.js';
import { startPush, syncedMailboxes, type PushEnvironment } from './push-harness.js';

let push: PushEnvironment | undefined;
afterEach(async () => {
  await push?.close();
  push = undefined;
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('the subscriptions timer', () => {
  it('when it runs after the first sync, then every synced mailbox gets a Graph subscription or a Google channel pointing at our webhooks, validated by Graph', async () => {
    push = await startPush();
    const { env, webhooks } = push;
    const synced = await syncedMailboxes(env);
    expect(synced.filter((m) => m.kind === 'graph').length).toBeGreaterThan(1);
    expect(synced.filter((m) => m.kind === 'google').length).toBeGreaterThan(1);

    const lines = await push.runSubscriptionsTimer();

    expect(lines).toEqual([`subscriptions: ${synced.length} created, 0 renewed, 0 deleted, 0 failed`]);
    const stored = [...(await push.stored('graph')), ...(await push.stored('google'))];
    expect(stored.map((s) => s.mailboxKey).sort()).toEqual(synced.map((m) => m.key));
    // Graph created each one only after both of our endpoints echoed its validation token.
    const graphSubscriptions = env.graph.control.subscriptions();
    expect(graphSubscriptions.map((s) => s.id).sort()).toEqual((await push.stored('graph')).map((s) => s.id).sort());
    for (const s of graphSubscriptions) {
      expect(s).toMatchObject({ notificationUrl: `${webhooks.url}/api/graph-notifications`, lifecycleNotificationUrl: `${webhooks.url}/api/graph-lifecycle` });
      expect(Date.parse(s.expirationDateTime)).toBeGreaterThan(Date.now() + 6 * DAY);
    }
    const channels = env.google.control.channels();
    expect(channels.map((c) => c.id).sort()).toEqual((await push.stored('google')).map((s) => s.id).sort());
    expect(channels.every((c) => c.address === `${webhooks.url}/api/google-notifications`)).toBe(true);
    // The secret is with Graph and Google; the table holds only its hash.
    for (const s of stored) expect(graphSubscriptions.some((g) => g.clientState === s.secretHash) || channels.some((c) => c.token === s.secretHash)).toBe(false);

    // Each new channel announces itself with a `sync` message: acknowledged, no job.
    await vi.waitFor(() => expect(env.google.control.notifications.filter((n) => n.state === 'sync')).toHaveLength(channels.length));
    expect(env.google.control.notifications.map((n) => n.status)).toEqual(channels.map(() => 200));
    expect(push.sent).toEqual([]);

    // Nothing to do on the next run.
    env.graph.clearRecord();
    expect(await push.runSubscriptionsTimer()).toEqual(['subscriptions: 0 created, 0 renewed, 0 deleted, 0 failed']);
    expect(env.graph.control.apiRequests()).toEqual([]);
  });

  it('when it runs, with work to do or none, then each run reads the Mailboxes table once and the Subscriptions table once', async () => {
    push = await startPush();
    const log = new TableRequestLog();
    try {
      expect(await push.runSubscriptionsTimer()).toEqual([expect.stringMatching(/^subscriptions: [1-9]\d* created, 0 renewed/)]);
      expect([log.scans('Mailboxes'), log.scans('Subscriptions')]).toEqual([1, 1]);
      log.reset();
      expect(await push.runSubscriptionsTimer()).toEqual(['subscriptions: 0 created, 0 renewed, 0 deleted, 0 failed']);
      expect([log.scans('Mailboxes'), log.scans('Subscriptions')]).toEqual([1, 1]);
    } finally {
      log.close();
    }
  });

  it('when a subscription and a channel expire within SUBSCRIPTION_RENEW_MARGIN, then the Graph subscription is extended with PATCH and the Google channel replaced by a new one, the old one stopped', async () => {
    push = await startPush();
    const { env } = push;
    await push.runSubscriptionsTimer();
    const [graphOld] = await push.stored('graph');
    const [googleOld] = await push.stored('google');
    // Both as if created six and a half days ago: an hour left, inside the 24 h margin.
    const soon = new Date(Date.now() + HOUR).toISOString();
    env.graph.control.subscriptions().find((s) => s.id === graphOld!.id)!.expirationDateTime = soon;
    await env.deps.store.subscriptions.upsert({ ...graphOld!, expiresAt: soon });
    await env.deps.store.subscriptions.upsert({ ...googleOld!, expiresAt: soon });
    env.graph.clearRecord();
    env.google.clearRecord();

    const lines = await push.runSubscriptionsTimer();

    expect(lines).toEqual(['subscriptions: 0 created, 2 renewed, 0 deleted, 0 failed']);
    expect(env.graph.control.apiRequests().map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /subscriptions/${graphOld!.id}`]);
    const graphNow = env.graph.control.subscriptions().find((s) => s.id === graphOld!.id)!;
    expect(Date.parse(graphNow.expirationDateTime)).toBeGreaterThan(Date.now() + 6 * DAY);
    expect((await env.deps.store.subscriptions.get('graph', graphOld!.id))?.expiresAt).toBe(graphNow.expirationDateTime);

    const channels = env.google.control.channels();
    expect(channels.some((c) => c.id === googleOld!.id)).toBe(false);
    expect(env.google.record.filter((r) => r.path === '/calendar/v3/channels/stop').map((r) => (JSON.parse(r.body) as { id: string }).id)).toEqual([googleOld!.id]);
    expect(await env.deps.store.subscriptions.get('google', googleOld!.id)).toBeUndefined();
    const replacement = (await env.deps.store.subscriptions.listByMailbox(googleOld!.mailboxKey)).filter((s) => s.provider === 'google');
    expect(replacement).toHaveLength(1);
    expect(Date.parse(replacement[0]!.expiresAt)).toBeGreaterThan(Date.now() + 6 * DAY);
    const newChannel = channels.find((c) => c.id === replacement[0]!.id);
    expect(newChannel?.resourceId).toBe(googleOld!.resourceId);
    expect(push.sent).toEqual([]);
  });

  it('when a Graph subscription already lapsed (Graph answers 404 to PATCH), then it is replaced by a new one and the old record removed', async () => {
    push = await startPush();
    const { env } = push;
    await push.runSubscriptionsTimer();
    const old = (await push.stored('graph')).find((s) => s.mailboxKey !== '1001' && s.mailboxKey !== '2004')!;
    const past = new Date(Date.now() - 1_000).toISOString();
    env.graph.control.subscriptions().find((s) => s.id === old.id)!.expirationDateTime = past;
    await env.deps.store.subscriptions.upsert({ ...old, expiresAt: past });

    expect(await push.runSubscriptionsTimer()).toEqual(['subscriptions: 0 created, 1 renewed, 0 deleted, 0 failed']);

    expect(await env.deps.store.subscriptions.get('graph', old.id)).toBeUndefined();
    const [replacement, ...more] = await env.deps.store.subscriptions.listByMailbox(old.mailboxKey);
    expect(more).toEqual([]);
    expect(env.graph.control.subscriptions().find((s) => s.id === replacement!.id)?.expirationDateTime).toBe(replacement!.expiresAt);
  });

  it('when mailboxes leave the roster, then their subscription and channel are deleted at Graph and Google and from the table', async () => {
    push = await startPush();
    const { env } = push;
    await push.runSubscriptionsTimer();
    const synced = await syncedMailboxes(env);
    // Not the first Graph user: CMG user 2004 shares that mailbox.
    const leaverGraph = synced.filter((m) => m.kind === 'graph')[1]!;
    const leaverGoogle = synced.find((m) => m.kind === 'google')!;
    const [graphSub] = await env.deps.store.subscriptions.listByMailbox(leaverGraph.key);
    const [channel] = await env.deps.store.subscriptions.listByMailbox(leaverGoogle.key);

    env.cmg.control.changeUser({ userId: leaverGraph.key, email: leaverGraph.address, calendarSync: false });
    env.cmg.control.changeUser({ userId: leaverGoogle.key, email: leaverGoogle.address, deleted: true });
    await refreshRoster(env.deps, { full: false });
    await env.queue.whenIdle({ horizonMs: 0 });

    expect(await push.runSubscriptionsTimer()).toEqual(['subscriptions: 0 created, 0 renewed, 2 deleted, 0 failed']);
    expect(env.graph.control.subscriptions().some((s) => s.id === graphSub!.id)).toBe(false);
    expect(env.google.control.channels().some((c) => c.id === channel!.id)).toBe(false);
    expect(await env.deps.store.subscriptions.listByMailbox(leaverGraph.key)).toEqual([]);
    expect(await env.deps.store.subscriptions.listByMailbox(leaverGoogle.key)).toEqual([]);
    // Everyone else keeps theirs.
    expect((await push.stored('graph')).length + (await push.stored('google')).length).toBe(synced.length - 2);
  });

  it('when WEBHOOK_BASE_URL is not set, then the timer reports push off and creates nothing', async () => {
    push = await startPush({ push: false });
    const { env } = push;
    env.graph.clearRecord();
    env.google.clearRecord();

    const lines = await push.runSubscriptionsTimer();

    expect(lines).toEqual(['push is off (WEBHOOK_BASE_URL not set): polling alone keeps calendars in step']);
    expect(env.graph.control.subscriptions()).toEqual([]);
    expect(env.google.control.channels()).toEqual([]);
    expect(env.graph.record).toEqual([]);
    expect(env.google.record).toEqual([]);
    expect([...(await push.stored('graph')), ...(await push.stored('google'))]).toEqual([]);
  });

  it('when it runs in the quiet period, then no provider is called and the work is put off, and the first run after the period does it', async () => {
    push = await startPush();
    const { env } = push;
    const synced = await syncedMailboxes(env);
    env.graph.clearRecord();
    env.google.clearRecord();
    // Every minute of the day is quiet but one, so whatever the time now, it is inside the period.
    const minute = new Date().getUTCHours() * 60 + new Date().getUTCMinutes();
    const subscribeOff = { start: (minute + 1439) % 1440, end: (minute + 1438) % 1440, timeZone: 'UTC' };

    const report = await maintainSubscriptions({ ...env.deps, config: { ...env.deps.config, sync: { ...env.deps.config.sync, subscribeOff } } });

    expect(report).toEqual({ status: 'quiet', until: expect.any(String) });
    expect(Date.parse((report as { until: string }).until)).toBeGreaterThan(Date.now());
    expect(env.graph.record).toEqual([]);
    expect(env.google.record).toEqual([]);
    expect([...(await push.stored('graph')), ...(await push.stored('google'))]).toEqual([]);

    expect(await push.runSubscriptionsTimer()).toEqual([`subscriptions: ${synced.length} created, 0 renewed, 0 deleted, 0 failed`]);
  });
});
