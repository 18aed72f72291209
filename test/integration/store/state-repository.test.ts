import { describe, expect, it } from 'vitest';
import { isConcurrencyConflict } from '../../../shared/store/concurrency-conflict.js';
import { createTestStore } from '../../support/test-store.js';

describe('State table', () => {
  it('when a checkpoint was never set, then get returns undefined', async () => {
    const { state } = createTestStore();

    expect(await state.get('roster', 'changedSince')).toBeUndefined();
  });

  it('when a checkpoint is set, then get returns the value with the ETag set returned', async () => {
    const { state } = createTestStore();

    const etag = await state.set('roster', 'changedSince', '2026-11-25T08:00:00Z');

    expect(await state.get('roster', 'changedSince')).toEqual({ value: '2026-11-25T08:00:00Z', etag });
  });

  it('when two writers advance the checkpoint from the same read, then the second gets a concurrency conflict', async () => {
    const { state } = createTestStore();
    const etag = await state.set('roster', 'changedSince', 'a');

    await state.set('roster', 'changedSince', 'b', etag);
    const conflict = await state.set('roster', 'changedSince', 'c', etag).catch((e: unknown) => e);

    expect(isConcurrencyConflict(conflict)).toBe(true);
    expect((await state.get('roster', 'changedSince'))?.value).toBe('b');
  });
});
