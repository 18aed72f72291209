/**
 * Webhooks look a subscription up for every notification they receive, and a burst for one
 * mailbox repeats the same lookup. Hits are kept briefly in memory; misses never are, so a
 * subscription created a moment ago is found at once. Writes through this repository drop the
 * entry. A copy stale on another instance can at most accept a notification for a subscription
 * that was just replaced, which enqueues one harmless sync of its mailbox; the clientState is
 * still checked against the cached hash.
 */
import type { ProviderKind } from '../domain/calendar-event.js';
import type { Subscription, SubscriptionRepository } from './subscription-repository.js';

export function withSubscriptionCache(
  repository: SubscriptionRepository,
  options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {},
): SubscriptionRepository {
  const ttlMs = options.ttlMs ?? 60_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { subscription: Subscription; at: number }>();
  const keyOf = (provider: ProviderKind, id: string): string => `${provider}\u0000${id}`;

  return {
    async get(provider, id) {
      const key = keyOf(provider, id);
      const hit = cache.get(key);
      if (hit && now() - hit.at < ttlMs) return hit.subscription;
      cache.delete(key);
      const subscription = await repository.get(provider, id);
      if (subscription) {
        // Oldest first out: Map keeps insertion order.
        if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
        cache.set(key, { subscription, at: now() });
      }
      return subscription;
    },
    listByMailbox: (mailboxKey) => repository.listByMailbox(mailboxKey),
    listExpiringBefore: (instant) => repository.listExpiringBefore(instant),
    async upsert(subscription) {
      cache.delete(keyOf(subscription.provider, subscription.id));
      await repository.upsert(subscription);
    },
    async delete(provider, id) {
      cache.delete(keyOf(provider, id));
      await repository.delete(provider, id);
    },
  };
}
