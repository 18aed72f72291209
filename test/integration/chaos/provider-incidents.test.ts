import { describe, expect, it } from 'vitest';
import { expectHeld, runChaos, SCENARIO_TIMEOUT_MS } from './chaos-harness.js';

describe('chaos: a provider refuses every mailbox of a profile', () => {
  it('when Graph answers 403 ErrorAccessDenied for every mailbox for 30 minutes, then the circuit opens, CMG keeps everything and recovers', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    const result = await runChaos('consent-revoked');
    expectHeld(result);
    // Fewer Graph requests than mailboxes: most jobs of the open circuit never called Graph.
    expect(result.figures.providerPerMailbox).toBeLessThan(1);
  });

  it('when the token endpoint answers 401 invalid_client, then no activity is removed and the profile recovers once the secret works', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    const result = await runChaos('secret-expired');
    expectHeld(result);
    expect(result.figures.deadLettered).toEqual({});
  });

  it('when the Google delegation is revoked for 30 minutes, then no activity is removed and the profile recovers', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    expectHeld(await runChaos('google-delegation-revoked'));
  });

  it("when the project's day of Google quota is gone at noon Pacific Time, then nothing is removed, the profile's circuit holds the jobs, and everyone converges once the quota is back at midnight", { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    const result = await runChaos('google-quota-exhausted');
    expectHeld(result);
    // Twelve hours without quota: held jobs use up no attempts, so nothing is dead-lettered.
    expect(result.figures.deadLettered).toEqual({});
    expect(result.figures.detail['quota back at']).toBe('2026-11-26T08:00:00.000Z');
  });
});
