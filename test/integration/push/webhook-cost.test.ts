/**
 * What a stranger's request costs (ARCHITECTURE.md "Failure containment"): the webhook
 * functions on the production composition and Azurite, with the reads that reach the
 * Subscriptions table counted beneath the webhook cache.
 */
import functions from '@azure/functions';
import { randomUUID } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { googleNotifications } from '../../../functions/google-notifications.js';
import { graphLifecycle } from '../../../functions/graph-lifecycle.js';
import { graphNotifications } from '../../../functions/graph-notifications.js';
import { useDeps } from '../../../shared/app/app-context.js';
import { createDeps } from '../../../shared/app/create-deps.js';
import { loadConfig } from '../../../shared/config/config.js';
import { createLogger } from '../../../shared/observability/logger.js';
import type { OutgoingJob } from '../../../shared/queue/job-queue.js';
import { withSubscriptionCache } from '../../../shared/store/cached-subscription-repository.js';
import { hashSecret } from '../../../shared/store/secret-hash.js';
import type { Subscription, SubscriptionRepository } from '../../../shared/store/subscription-repository.js';
import { createTableStore } from '../../../shared/store/table-store.js';
import { MAX_UNKNOWN_PER_REQUEST } from '../../../shared/sync/push/webhook-lookup.js';
import { tablesConnectionString, uniqueTablePrefix } from '../../support/test-store.js';

const { HttpRequest } = functions;

const CLIENT_STATE = 'the-client-state-graph-echoes';
const known: Subscription = {
  provider: 'graph',
  id: randomUUID(),
  mailboxKey: '1001',
  secretHash: hashSecret(CLIENT_STATE),
  resourceId: 'users/anna@contoso.com/events',
  expiresAt: '2099-01-01T00:00:00.000Z',
  notificationUrl: 'https://calsync.example/api/graph-notifications',
};

const sent: OutgoingJob[] = [];
const logs: Array<{ op: string; level: string; [field: string]: unknown }> = [];
let reads = 0;

beforeAll(async () => {
  const connectionString = tablesConnectionString();
  const tablePrefix = uniqueTablePrefix();
  const config = loadConfig({
    OOF_CODE: '5',
    DEFAULT_CODE: '11',
    CMG_BASE_URL: 'https://cmg.example.com/CMG Office',
    CMG_PASSWORD: 'unused',
    CMG_MESSAGE_SYSTEMS: '1',
    PROFILES: 'M365',
    PROFILE_M365_DOMAINS: 'contoso.com',
    PROFILE_M365_TENANT_ID: 'contoso.onmicrosoft.com',
    PROFILE_M365_CLIENT_ID: randomUUID(),
    PROFILE_M365_CLIENT_SECRET: 'unused',
    TABLES_CONNECTION_STRING: connectionString,
    WEBHOOK_BASE_URL: 'https://calsync.example',
  });
  const deps = await createDeps(config, {
    tablePrefix,
    logger: createLogger({ level: 'debug', sink: (_level, line) => void logs.push(JSON.parse(line) as (typeof logs)[number]) }),
    queue: {
      send: async (job, options) => void sent.push({ job, ...options }),
      sendMany: async (jobs) => void sent.push(...jobs),
    },
  });
  // The same tables as deps.store, read through a counter and then the production webhook cache.
  const table = createTableStore({ connectionString }, { tablePrefix }).subscriptions;
  const counted: SubscriptionRepository = {
    get: async (provider, id) => {
      reads += 1;
      return table.get(provider, id);
    },
    listByMailbox: (key) => table.listByMailbox(key),
    listExpiringBefore: (instant) => table.listExpiringBefore(instant),
    upsert: (s) => table.upsert(s),
    delete: (provider, id) => table.delete(provider, id),
  };
  await table.upsert(known);
  useDeps({ ...deps, store: { ...deps.store, subscriptions: withSubscriptionCache(counted) } });
});

beforeEach(() => {
  reads = 0;
  sent.length = 0;
  logs.length = 0;
});

const graphPost = (items: unknown[], path = 'graph-notifications') =>
  new HttpRequest({
    method: 'POST',
    url: `https://calsync.example/api/${path}`,
    headers: { 'content-type': 'application/json' },
    body: { string: JSON.stringify({ value: items }) },
  });
const item = (subscriptionId: string, clientState = 'guessed') => ({ subscriptionId, clientState, changeType: 'updated', resource: 'Users/x/Events/y' });

describe('what an anonymous webhook request costs', () => {
  it('when a request names 1,000 random subscription ids, then it costs at most a few table reads and one log line, and enqueues nothing', async () => {
    const answer = await graphNotifications(graphPost(Array.from({ length: 1000 }, () => item(randomUUID()))));

    expect(answer.status).toBe(403);
    expect(reads).toBeLessThanOrEqual(MAX_UNKNOWN_PER_REQUEST);
    expect(logs.map((r) => r.op)).toEqual(['push.graph-notified']);
    expect(logs[0]).toMatchObject({ level: 'warn', items: 1000, ids: 1000, unknown: MAX_UNKNOWN_PER_REQUEST, skipped: 1000 - MAX_UNKNOWN_PER_REQUEST, enqueued: 0 });
    expect(sent).toEqual([]);
  });

  it('when a hundred such requests arrive, then the reads stay a fixed number per request and the log one line per request', async () => {
    for (let i = 0; i < 100; i += 1) await graphNotifications(graphPost(Array.from({ length: 1000 }, () => item(randomUUID()))));

    expect(reads).toBeLessThanOrEqual(100 * MAX_UNKNOWN_PER_REQUEST);
    expect(logs).toHaveLength(100);
  });

  it('when the same unknown id is repeated across requests, then the table is read for it once', async () => {
    const id = randomUUID();
    for (let i = 0; i < 20; i += 1) await graphNotifications(graphPost([item(id), item(id)]));
    expect(reads).toBe(1);
  });

  it('when a subscription id is long and not ASCII, then 4xx, not 500, and the table is not read', async () => {
    for (const path of ['graph-notifications', 'graph-lifecycle'] as const) {
      const handler = path === 'graph-notifications' ? graphNotifications : graphLifecycle;
      const answer = await handler(graphPost([{ ...item('ü漢'.repeat(100)), lifecycleEvent: 'missed' }], path));
      expect(answer.status, path).toBe(403);
    }
    expect(reads).toBe(0);
    expect(logs.map((r) => r.malformed)).toEqual([1, 1]);
  });

  it('when a Google channel id is long and not ASCII, then 404, not 500, and the table is not read', async () => {
    const answer = await googleNotifications(
      new HttpRequest({
        method: 'POST',
        url: 'https://calsync.example/api/google-notifications',
        headers: { 'x-goog-channel-id': 'ü'.repeat(200), 'x-goog-channel-token': 't', 'x-goog-resource-state': 'exists' },
      }),
    );
    expect(answer.status).toBe(404);
    expect(reads).toBe(0);
    expect(logs).toEqual([expect.objectContaining({ op: 'push.google-notified', outcome: 'unknown-channel', channelId: '(malformed)' })]);
  });

  it('when Google sends the sync message of a channel not stored yet, then 200 and no error: it carries no change', async () => {
    const answer = await googleNotifications(
      new HttpRequest({
        method: 'POST',
        url: 'https://calsync.example/api/google-notifications',
        headers: { 'x-goog-channel-id': randomUUID(), 'x-goog-channel-token': 't', 'x-goog-resource-state': 'sync', 'x-goog-message-number': '1' },
      }),
    );
    expect(answer.status).toBe(200);
    expect(reads).toBe(0);
    expect(logs).toEqual([expect.objectContaining({ level: 'info', op: 'push.google-notified', outcome: 'acknowledged' })]);
  });

  it('when Graph batches 1,000 notifications of one known subscription, then one read, one job, one log line (the caps spare genuine traffic)', async () => {
    const answer = await graphNotifications(graphPost(Array.from({ length: 1000 }, () => item(known.id, CLIENT_STATE))));

    expect(answer.status).toBe(202);
    expect(reads).toBeLessThanOrEqual(1);
    expect(sent.map((s) => s.job.mailboxKey)).toEqual(['1001']);
    expect(logs).toEqual([expect.objectContaining({ level: 'info', op: 'push.graph-notified', enqueued: 1, rejected: 0 })]);
  });
});
