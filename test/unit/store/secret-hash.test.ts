import { describe, expect, it } from 'vitest';
import { hashSecret, secretMatches } from '../../../shared/store/secret-hash.js';

describe('secret hash', () => {
  it('when a secret is hashed, then the hash is its hex SHA-256 (FIPS 180-2 test vector)', () => {
    expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('when the presented secret is the stored one, then it matches; any other value or a malformed hash does not', () => {
    const stored = hashSecret('client-state-1234');

    expect(secretMatches('client-state-1234', stored)).toBe(true);
    expect(secretMatches('client-state-1235', stored)).toBe(false);
    expect(secretMatches('client-state-1234', 'abc')).toBe(false);
  });
});
