import { describe, expect, it } from 'vitest';
import { withSubscriptionCache } from '../../../shared/store/cached-subscription-repository.js';
import type { Subscription, SubscriptionRepository } from '../../../shared/store/subscription-repository.js';

const sub = (id: string, expiresAt = '2026-12-01T00:00:00.000Z'): Subscription => ({
  provider: 'graph',
  id,
  mailboxKey: '1001',
  secretHash: 'ab'.repeat(32),
  resourceId: '',
  expiresAt,
  notificationUrl: 'https://app.example/api/graph-notifications',
});

/** A repository over a Map that counts reads. */
function counting(): SubscriptionRepository & { reads: number; rows: Map<string, Subscription> } {
  const rows = new Map<string, Subscription>();
  const repo = {
    reads: 0,
    rows,
    async get(_provider: string, id: string) {
      repo.reads += 1;
      return rows.get(id);
    },
    listByMailbox: async () => [...rows.values()],
    listExpiringBefore: async () => [...rows.values()],
    async upsert(s: Subscription) {
      rows.set(s.id, s);
    },
    async delete(_provider: string, id: string) {
      rows.delete(id);
    },
  };
  return repo;
}

describe('subscription lookups for webhooks', () => {
  it('when a burst of notifications names one subscription, then the table is read once within the time to live', async () => {
    const inner = counting();
    inner.rows.set('s1', sub('s1'));
    let clock = 0;
    const cached = withSubscriptionCache(inner, { ttlMs: 60_000, now: () => clock });
    for (let i = 0; i < 50; i += 1) expect(await cached.get('graph', 's1')).toEqual(sub('s1'));
    expect(inner.reads).toBe(1);
    clock = 60_000;
    await cached.get('graph', 's1');
    expect(inner.reads).toBe(2);
  });

  it('when an unknown id is asked for again and again, then the table is read once per miss window, and a subscription created elsewhere is found after it', async () => {
    const inner = counting();
    let clock = 0;
    const cached = withSubscriptionCache(inner, { missTtlMs: 10_000, now: () => clock });
    for (let i = 0; i < 50; i += 1) expect(await cached.get('graph', 'new')).toBeUndefined();
    expect(inner.reads).toBe(1);
    inner.rows.set('new', sub('new'));
    clock = 10_000;
    expect(await cached.get('graph', 'new')).toEqual(sub('new'));
    expect(inner.reads).toBe(2);
  });

  it('when a subscription missed a moment ago is stored through it, then it is found at once', async () => {
    const inner = counting();
    const cached = withSubscriptionCache(inner, { now: () => 0 });
    expect(await cached.get('graph', 'new')).toBeUndefined();
    await cached.upsert(sub('new'));
    expect(await cached.get('graph', 'new')).toEqual(sub('new'));
  });

  it('when more unknown ids arrive than it may remember, then the oldest miss makes room and memory stays bounded', async () => {
    const inner = counting();
    const cached = withSubscriptionCache(inner, { maxMisses: 2, now: () => 0 });
    for (const id of ['a', 'b', 'c']) await cached.get('graph', id);
    const before = inner.reads;
    await cached.get('graph', 'c');
    expect(inner.reads).toBe(before);
    await cached.get('graph', 'a');
    expect(inner.reads).toBe(before + 1);
  });

  it('when a subscription is renewed or deleted through it, then the next lookup sees the change', async () => {
    const inner = counting();
    inner.rows.set('s1', sub('s1'));
    const cached = withSubscriptionCache(inner, { now: () => 0 });
    await cached.get('graph', 's1');
    await cached.upsert(sub('s1', '2026-12-08T00:00:00.000Z'));
    expect((await cached.get('graph', 's1'))?.expiresAt).toBe('2026-12-08T00:00:00.000Z');
    await cached.delete('graph', 's1');
    expect(await cached.get('graph', 's1')).toBeUndefined();
  });

  it('when more subscriptions are looked up than it may hold, then the oldest entry makes room', async () => {
    const inner = counting();
    for (const id of ['a', 'b', 'c']) inner.rows.set(id, sub(id));
    const cached = withSubscriptionCache(inner, { maxEntries: 2, now: () => 0 });
    await cached.get('graph', 'a');
    await cached.get('graph', 'b');
    await cached.get('graph', 'c');
    const before = inner.reads;
    await cached.get('graph', 'a');
    expect(inner.reads).toBe(before + 1);
  });
});
