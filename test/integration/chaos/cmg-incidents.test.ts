import { describe, expect, it } from 'vitest';
import { expectHeld, runChaos, SCENARIO_TIMEOUT_MS } from './chaos-harness.js';

describe('chaos: CMG down, refusing, or restored from a backup', () => {
  it('when CMG answers 503 for 30 minutes, then jobs back off within the bound and everything arrives after', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    const result = await runChaos('cmg-outage');
    expectHeld(result);
    expect(result.figures.convergeMinutes).toBeGreaterThan(0);
  });

  it('when CMG refuses one activity for good, then it is sent once, reported, and the rest syncs', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    const result = await runChaos('cmg-refuses-one');
    expectHeld(result);
    expect(result.figures.detail['reported as refused']).toBe(1);
  });

  it('when CMG loses every activity and holds strays with our sign, then the next full sync repairs it with one list per user', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    const result = await runChaos('cmg-restored');
    expectHeld(result);
    expect(result.figures.detail['list requests']).toBeGreaterThan(0);
  });
});
