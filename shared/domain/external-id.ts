/** The activity's id in CMG (MAPPING.md §6): every write is an upsert by this id. */
import type { ProviderKind } from './calendar-event.js';
import { sha256Base64url } from './sha256.js';

/**
 * Stable and URL-safe, at most 64 characters: `graph-` or `google-` plus the base64url SHA-256 of
 * (provider, mailbox, event or occurrence id). Hashing keeps provider ids (up to 150+ characters
 * in Graph) and mail addresses out of CMG's URLs.
 */
export function externalIdFor(provider: ProviderKind, mailboxKey: string, eventId: string): string {
  // join() builds flat strings; `+` would build ropes that hashing, Map keys and JSON must
  // flatten again, 100,000 times a job.
  return [provider, '-', sha256Base64url([provider, '\u0000', mailboxKey, '\u0000', eventId].join(''))].join('');
}
