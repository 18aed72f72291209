/** The activity's id in CMG (MAPPING.md §6): every write is an upsert by this id. */
import { hash } from 'node:crypto';
import type { ProviderKind } from './calendar-event.js';

/**
 * Stable and URL-safe, at most 64 characters: `graph-` or `google-` plus the base64url SHA-256 of
 * (provider, mailbox, event or occurrence id). Hashing keeps provider ids (up to 150+ characters
 * in Graph) and mail addresses out of CMG's URLs.
 */
export function externalIdFor(provider: ProviderKind, mailboxKey: string, eventId: string): string {
  // One-shot hash(): a third of createHash()'s cost, which matters at 100,000 events a job.
  const digest = hash('sha256', `${provider}\u0000${mailboxKey}\u0000${eventId}`, 'base64url');
  return `${provider}-${digest}`;
}
