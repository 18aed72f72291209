/**
 * Webhooks look a subscription up for every notification they receive, and a burst for one
 * mailbox repeats the same lookup. Hits are kept in memory for a minute. Misses are kept too,
 * but only for seconds: a stranger repeating an unknown id costs one table read per window,
 * while a subscription created on another instance a moment ago is found soon after. Writes
 * through this repository drop both entries, so on this instance a new subscription is found
 * at once. A copy stale on another instance can at most accept a notification for a
 * subscription that was just replaced, which enqueues one harmless sync of its mailbox; the
 * clientState is still checked against the cached hash.
 */
import type { ProviderKind } from '../domain/calendar-event.js';
import type { Subscription, SubscriptionRepository } from './subscription-repository.js';

export interface SubscriptionCacheOptions {
  readonly ttlMs?: number;
  readonly maxEntries?: number;
  /** How long an id found missing is answered as missing without a read. */
  readonly missTtlMs?: number;
  readonly maxMisses?: number;
  readonly now?: () => number;
}

export function withSubscriptionCache(repository: SubscriptionRepository, options: SubscriptionCacheOptions = {}): SubscriptionRepository {
  const ttlMs = options.ttlMs ?? 60_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const missTtlMs = options.missTtlMs ?? 10_000;
  const maxMisses = options.maxMisses ?? 10_000;
  const now = options.now ?? Date.now;
  const hits = new Map<string, { subscription: Subscription; at: number }>();
  const misses = new Map<string, number>();
  const keyOf = (provider: ProviderKind, id: string): string => `${provider}\u0000${id}`;
  // Oldest first out: a Map keeps insertion order.
  const remember = <V>(map: Map<string, V>, max: number, key: string, value: V): void => {
    if (map.size >= max) map.delete(map.keys().next().value!);
    map.set(key, value);
  };
  const forget = (provider: ProviderKind, id: string): void => {
    hits.delete(keyOf(provider, id));
    misses.delete(keyOf(provider, id));
  };

  return {
    async get(provider, id) {
      const key = keyOf(provider, id);
      const hit = hits.get(key);
      if (hit && now() - hit.at < ttlMs) return hit.subscription;
      hits.delete(key);
      const missedAt = misses.get(key);
      if (missedAt !== undefined && now() - missedAt < missTtlMs) return undefined;
      misses.delete(key);
      const subscription = await repository.get(provider, id);
      if (subscription) remember(hits, maxEntries, key, { subscription, at: now() });
      else remember(misses, maxMisses, key, now());
      return subscription;
    },
    listByMailbox: (mailboxKey) => repository.listByMailbox(mailboxKey),
    listExpiringBefore: (instant) => repository.listExpiringBefore(instant),
    async upsert(subscription) {
      forget(subscription.provider, subscription.id);
      await repository.upsert(subscription);
    },
    async delete(provider, id) {
      forget(provider, id);
      await repository.delete(provider, id);
    },
  };
}
