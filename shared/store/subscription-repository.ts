/** The Subscriptions table: Graph subscriptions, Google watch channels and Exchange push subscriptions (ARCHITECTURE.md "Tables"). */
import type { ProviderKind } from '../domain/calendar-event.js';

export interface Subscription {
  readonly provider: ProviderKind;
  /** Graph subscription id, Google channel id, or for Exchange our own id (the callback URL names it). */
  readonly id: string;
  readonly mailboxKey: string;
  /** SHA-256 (hex) of the clientState / channel token (secret-hash.ts); never the secret itself. */
  readonly secretHash: string;
  /**
   * Graph resource path, Google resourceId (needed to stop a channel), or Exchange's own
   * subscription id ('' until Exchange has answered the Subscribe).
   */
  readonly resourceId: string;
  /**
   * ISO instant the subscription or channel expires. Exchange push subscriptions do not expire
   * while we answer: this is when it will have been silent for twice its keep-alive period.
   */
  readonly expiresAt: string;
  /** Never carries the secret (an Exchange callback URL does: what is stored stops before it). */
  readonly notificationUrl: string;
  /** Exchange: the last watermark a notification carried, from which a new subscription resumes. */
  readonly watermark?: string | undefined;
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
