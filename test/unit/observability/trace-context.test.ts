import { describe, expect, it } from 'vitest';
import { readTraceparent } from '../../../shared/observability/trace-context.js';

const VALID = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('readTraceparent', () => {
  it('when the application properties carry a well-formed traceparent, then it is read', () => {
    expect(readTraceparent({ traceparent: VALID, other: 1 })).toBe(VALID);
  });

  it('when the traceparent is missing, malformed, of another version or all zeros, then none is read', () => {
    for (const properties of [
      undefined,
      null,
      'text',
      {},
      { traceparent: 42 },
      { traceparent: VALID.toUpperCase() },
      { traceparent: `01${VALID.slice(2)}` },
      { traceparent: '00-00000000000000000000000000000000-b7ad6b7169203331-01' },
      { traceparent: '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01' },
      { traceparent: `${VALID}-extra` },
    ]) {
      expect(readTraceparent(properties)).toBeUndefined();
    }
  });
});
