import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * A Graph clientState or Google channel token is stored only as its SHA-256 (hex): the table
 * never holds a value that would let someone forge a notification.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Compares in constant time, so response timing does not reveal how much of a forged value matched. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const actual = Buffer.from(hashSecret(secret), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
