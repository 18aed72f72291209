import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Subscription, SubscriptionRepository } from '../../../../shared/store/subscription-repository.js';
import { isSubscriptionId, lookUpSubscriptions, MAX_LOOKUPS_PER_REQUEST, MAX_UNKNOWN_PER_REQUEST } from '../../../../shared/sync/push/webhook-lookup.js';

/** The Subscriptions table as a Map, counting reads. */
function table(ids: readonly string[]): SubscriptionRepository & { reads: string[] } {
  const rows = new Map(ids.map((id): [string, Subscription] => [id, { provider: 'graph', id, mailboxKey: `m-${id}`, secretHash: 'ab'.repeat(32), resourceId: '', expiresAt: '2099-01-01T00:00:00.000Z', notificationUrl: '' }]));
  const reads: string[] = [];
  return {
    reads,
    get: async (_provider, id) => {
      reads.push(id);
      return rows.get(id);
    },
    listByMailbox: async () => [],
    listExpiringBefore: async () => [],
    upsert: async () => undefined,
    delete: async () => undefined,
  };
}

describe('looking up the subscriptions of one webhook request', () => {
  it('when ids are GUIDs, then they have our shape; anything else does not', () => {
    expect(isSubscriptionId('7f105c7d-2dc5-4530-97cd-4e7ae6534c07')).toBe(true);
    expect(isSubscriptionId('7F105C7D-2DC5-4530-97CD-4E7AE6534C07')).toBe(true);
    for (const id of ['sub-1', '', '7f105c7d-2dc5-4530-97cd-4e7ae6534c07x', 'ü'.repeat(36), '7f105c7d2dc5453097cd4e7ae6534c07']) expect(isSubscriptionId(id)).toBe(false);
  });

  it('when a request repeats ids and carries malformed ones, then each well-formed id is read once and malformed ones never', async () => {
    const known = randomUUID();
    const repository = table([known]);

    const lookup = await lookUpSubscriptions(repository, 'graph', [known, known, 'sub-1', 'x'.repeat(200), known]);

    expect(repository.reads).toEqual([known]);
    expect(lookup).toMatchObject({ distinct: 3, malformed: 2, unknown: 0, skipped: 0 });
    expect([...lookup.found.keys()]).toEqual([known]);
  });

  it('when a request names more distinct known ids than the cap, then only the cap is read and the rest is skipped', async () => {
    const ids = Array.from({ length: MAX_LOOKUPS_PER_REQUEST + 50 }, () => randomUUID());
    const repository = table(ids);

    const lookup = await lookUpSubscriptions(repository, 'graph', ids);

    expect(repository.reads).toHaveLength(MAX_LOOKUPS_PER_REQUEST);
    expect(lookup).toMatchObject({ unknown: 0, skipped: 50 });
    expect(lookup.found.size).toBe(MAX_LOOKUPS_PER_REQUEST);
  });

  it('when unknown ids come first, then reading stops after a few of them, even if known ids follow', async () => {
    const known = randomUUID();
    const strangers = Array.from({ length: 10 }, () => randomUUID());
    const repository = table([known]);

    const lookup = await lookUpSubscriptions(repository, 'graph', [...strangers, known]);

    expect(repository.reads).toEqual(strangers.slice(0, MAX_UNKNOWN_PER_REQUEST));
    expect(lookup).toMatchObject({ unknown: MAX_UNKNOWN_PER_REQUEST, skipped: 11 - MAX_UNKNOWN_PER_REQUEST });
  });
});
