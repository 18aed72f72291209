import { describe, expect, it } from 'vitest';
import { shardOf } from '../../../shared/store/shard.js';

describe('shardOf', () => {
  it('when given a key, then it always returns the same two-digit shard 00–15', () => {
    expect(shardOf('user-42')).toBe(shardOf('user-42'));
    expect(shardOf('user-42')).toMatch(/^(0\d|1[0-5])$/);
  });

  it('when given many keys, then every shard is used and none holds much more than its share', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 16_000; i++) counts.set(shardOf(`user-${i}`), (counts.get(shardOf(`user-${i}`)) ?? 0) + 1);

    expect([...counts.keys()].sort()).toEqual(Array.from({ length: 16 }, (_, i) => String(i).padStart(2, '0')));
    for (const count of counts.values()) expect(count).toBeGreaterThan(800);
    for (const count of counts.values()) expect(count).toBeLessThan(1200);
  });

  it('when the hash is pinned, then a known key lands where it always did (stored rows depend on it)', () => {
    expect(['user-1', 'user-2', 'alice@example.com'].map(shardOf)).toEqual(['04', '15', '09']);
  });
});
