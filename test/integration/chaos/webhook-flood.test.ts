import { describe, expect, it } from 'vitest';
import { expectHeld, runChaos, SCENARIO_TIMEOUT_MS } from './chaos-harness.js';

describe('chaos: a flood of forged webhook requests', () => {
  it('when 1,000 requests of 1,000 random subscription ids arrive, then each costs a few table reads and no job is enqueued', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    const result = await runChaos('webhook-flood');
    expectHeld(result);
    expect(result.figures.tableReadsPerWebhookRequest).toBeLessThanOrEqual(5);
    expect(result.figures.detail['notification jobs']).toBe(0);
  });
});
