import { describe, expect, it } from 'vitest';
import { expectHeld, runChaos, SCENARIO_TIMEOUT_MS } from './chaos-harness.js';

describe('chaos: the on-premises Exchange Server fails the profile', () => {
  it('when the service account loses ApplicationImpersonation on every mailbox for 30 minutes, then the refusals open the circuit, CMG keeps everything and the mailboxes converge once the right is back', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    const result = await runChaos('exchange-impersonation-revoked');
    expectHeld(result);
    expect(result.figures.detail['circuit at the end']).toBe('open (mailbox-unavailable)');
    expect(result.figures.detail['ErrorImpersonateUserDenied answers']).toBeGreaterThan(0);
    // Fewer than two EWS requests a mailbox in 30 minutes where polling would make 30.
    expect(result.figures.providerPerMailbox).toBeLessThanOrEqual(2);
    expect(result.figures.deadLettered).toEqual({});
  });

  it('when Exchange answers ErrorServerBusy with BackOffMilliseconds for 30 minutes, then no mailbox is asked again before its back-off ends, nothing is lost or created twice, and everyone converges', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    const result = await runChaos('exchange-server-busy');
    expectHeld(result);
    expect(result.figures.detail['ErrorServerBusy answers']).toBeGreaterThan(0);
    expect(result.figures.detail['requests before the back-off ended']).toBe(0);
    expect(result.figures.detail['activities created twice']).toBe(0);
    expect(result.figures.deadLettered).toEqual({});
  });

  it("when the service account's password changes on the server, then status names the profile's refused credentials, the handshakes stay bounded, nothing is removed, and the profile converges once the setting holds the new password", { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    const result = await runChaos('exchange-password-changed');
    expectHeld(result);
    expect(result.figures.detail['status profile:ONPREM']).toBe('failing (exchange-credentials-rejected)');
    expect(result.figures.detail['credentials refused']).toBeGreaterThan(0);
    // Ten mailboxes: at most two handshakes each in 30 minutes, no loop.
    expect(result.figures.detail['NTLM handshakes']).toBeLessThanOrEqual(20);
    expect(result.figures.deadLettered).toEqual({});
  });
});
