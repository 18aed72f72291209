import { createHash } from 'node:crypto';

/** Number of Mailboxes partitions: enough to spread load, few enough to scan. */
export const SHARD_COUNT = 16;

/**
 * The Mailboxes partition of a mailbox key, "00".."15". Stable across processes and versions
 * (a hash of the key, not of anything that changes), so a key is always found in one place.
 */
export function shardOf(mailboxKey: string): string {
  const digest = createHash('sha256').update(mailboxKey, 'utf8').digest();
  return String(digest.readUInt32BE(0) % SHARD_COUNT).padStart(2, '0');
}
