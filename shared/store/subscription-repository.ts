/** The Subscriptions table: Graph subscriptions and Google watch channels (ARCHITECTURE.md "Tables"). */
import type { ProviderKind } from '../domain/calendar-event.js';

export interface Subscription {
  readonly provider: ProviderKind;
  /** Graph subscription id or Google channel id. */
  readonly id: string;
  readonly mailboxKey: string;
  /** SHA-256 (hex) of the clientState / channel token (secret-hash.ts); never the secret itself. */
  readonly secretHash: string;
  /** Graph resource path or Google resourceId (needed to stop a channel). */
  readonly resourceId: string;
  /** ISO instant the subscription or channel expires. */
  readonly expiresAt: string;
  readonly notificationUrl: string;
}

export interface SubscriptionRepository {
  get(provider: ProviderKind, id: string): Promise<Subscription | undefined>;
  listByMailbox(mailboxKey: string): Promise<Subscription[]>;
  /** Subscriptions of every provider that expire before `instant` (ISO): the ones to renew. */
  listExpiringBefore(instant: string): Promise<Subscription[]>;
  upsert(subscription: Subscription): Promise<void>;
  /** Deleting one that is not there succeeds. */
  delete(provider: ProviderKind, id: string): Promise<void>;
}
