import { describe, expect, it } from 'vitest';
import { expectHeld, runChaos, SCENARIO_TIMEOUT_MS } from './chaos-harness.js';

describe('chaos: poison messages and a throttled store', () => {
  it('when messages cannot be read or a job always fails, then each is settled once with its reason and the mailbox waits out its backoff', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    const result = await runChaos('poison-message');
    expectHeld(result);
    expect(result.figures.deadLettered['invalid-message']).toBe(3);
    expect(result.figures.deadLettered['attempts-exhausted']).toBeGreaterThanOrEqual(1);
  });

  it('when a third of table requests answer 503 ServerBusy for 10 minutes, then nothing is lost and work stays bounded', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    expectHeld(await runChaos('table-throttled'));
  });
});
