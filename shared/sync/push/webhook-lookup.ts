/**
 * What one anonymous webhook request may cost us (ARCHITECTURE.md "Failure containment"): ids
 * are shape-checked before any lookup, each distinct id is looked up once, and the lookups stop
 * after a few unknown ids or a fixed number in all. Whatever a stranger posts, a request costs
 * at most MAX_UNKNOWN_PER_REQUEST table reads for ids we never issued; the repository's short
 * miss cache makes a repeated unknown id cost nothing more.
 */
import type { ProviderKind } from '../../domain/calendar-event.js';
import type { Subscription, SubscriptionRepository } from '../../store/subscription-repository.js';

/**
 * Graph subscription ids are GUIDs (https://learn.microsoft.com/graph/api/resources/subscription);
 * our Google channel ids are too: google-channels.ts gives every channel a randomUUID.
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isSubscriptionId = (id: string): boolean => GUID.test(id);

/** Distinct ids looked up per request; Graph batches notifications of many subscriptions into one POST. */
export const MAX_LOOKUPS_PER_REQUEST = 100;
/** Unknown ids after which the rest of a request is not looked up: genuine senders name ids we issued. */
export const MAX_UNKNOWN_PER_REQUEST = 3;

export interface SubscriptionLookup {
  /** Subscriptions found, by id. */
  readonly found: ReadonlyMap<string, Subscription>;
  readonly distinct: number;
  /** Ids not shaped like ours: never looked up. */
  readonly malformed: number;
  /** Looked up and not found. */
  readonly unknown: number;
  /** Well-formed ids left unread because the request reached a cap. */
  readonly skipped: number;
}

export async function lookUpSubscriptions(repository: SubscriptionRepository, provider: ProviderKind, ids: Iterable<string>): Promise<SubscriptionLookup> {
  const found = new Map<string, Subscription>();
  let distinct = 0;
  let malformed = 0;
  let unknown = 0;
  let skipped = 0;
  let lookups = 0;
  // Sequential on purpose: a hostile request stops after its first few misses.
  for (const id of new Set(ids)) {
    distinct += 1;
    if (!isSubscriptionId(id)) {
      malformed += 1;
      continue;
    }
    if (unknown >= MAX_UNKNOWN_PER_REQUEST || lookups >= MAX_LOOKUPS_PER_REQUEST) {
      skipped += 1;
      continue;
    }
    lookups += 1;
    const subscription = await repository.get(provider, id);
    if (subscription) found.set(id, subscription);
    else unknown += 1;
  }
  return { found, distinct, malformed, unknown, skipped };
}
