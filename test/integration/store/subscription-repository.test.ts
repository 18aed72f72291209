import { describe, expect, it } from 'vitest';
import { hashSecret } from '../../../shared/store/secret-hash.js';
import { createTestStore } from '../../support/test-store.js';
import type { Subscription } from '../../../shared/store/subscription-repository.js';

const aSubscription = (overrides: Partial<Subscription> = {}): Subscription => ({
  provider: 'graph',
  id: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07',
  mailboxKey: 'u-1',
  secretHash: hashSecret('client-state-value'),
  resourceId: '/users/u-1/events',
  expiresAt: '2026-11-27T08:00:00.000Z',
  notificationUrl: 'https://example.net/api/graph-notifications',
  ...overrides,
});

describe('Subscriptions table', () => {
  it('when a subscription is upserted, then get returns it and the stored value is a hash, not the secret', async () => {
    const { subscriptions } = createTestStore();
    await subscriptions.upsert(aSubscription());

    const read = await subscriptions.get('graph', aSubscription().id);

    expect(read).toEqual(aSubscription());
    expect(JSON.stringify(read)).not.toContain('client-state-value');
  });

  it('when the same id exists for both providers, then they are kept apart', async () => {
    const { subscriptions } = createTestStore();
    await subscriptions.upsert(aSubscription({ provider: 'graph', id: 'same', mailboxKey: 'g' }));
    await subscriptions.upsert(aSubscription({ provider: 'google', id: 'same', mailboxKey: 'o' }));

    expect((await subscriptions.get('google', 'same'))?.mailboxKey).toBe('o');
    expect((await subscriptions.get('graph', 'same'))?.mailboxKey).toBe('g');
  });

  it('when listing by mailbox, then subscriptions of every provider for that mailbox come back', async () => {
    const { subscriptions } = createTestStore();
    await subscriptions.upsert(aSubscription({ id: 's1', mailboxKey: 'u-1' }));
    await subscriptions.upsert(aSubscription({ provider: 'google', id: 'c1', mailboxKey: 'u-1' }));
    await subscriptions.upsert(aSubscription({ id: 's2', mailboxKey: 'u-2' }));

    const found = await subscriptions.listByMailbox('u-1');

    expect(found.map((s) => `${s.provider}/${s.id}`).sort()).toEqual(['google/c1', 'graph/s1']);
  });

  it('when listing those expiring before an instant, then only earlier expiries come back, whatever offset they were written with', async () => {
    const { subscriptions } = createTestStore();
    await subscriptions.upsert(aSubscription({ id: 'soon', expiresAt: '2026-11-25T10:00:00+01:00' }));
    await subscriptions.upsert(aSubscription({ id: 'later', expiresAt: '2026-11-25T12:00:00Z' }));

    const expiring = await subscriptions.listExpiringBefore('2026-11-25T11:00:00Z');

    expect(expiring.map((s) => [s.id, s.expiresAt])).toEqual([['soon', '2026-11-25T09:00:00.000Z']]);
  });

  it('when a subscription is deleted twice, then both succeed and it is gone', async () => {
    const { subscriptions } = createTestStore();
    await subscriptions.upsert(aSubscription({ id: 'gone' }));

    await subscriptions.delete('graph', 'gone');
    await subscriptions.delete('graph', 'gone');

    expect(await subscriptions.get('graph', 'gone')).toBeUndefined();
  });
});
