/**
 * The Graph token is held by the token source until msal would fetch it again (five minutes
 * before it ends): jobs in between neither ask Entra ID nor msal's cache, and past that point
 * the next job gets a fresh token.
 */
import { ConfidentialClientApplication } from '@azure/msal-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunningGraphEmulator } from '../../../tools/emulators/graph/graph-emulator.js';
import { at, providerFor, startKit, windowAround } from './graph-harness.js';

const ADELE = 'adele@contoso.com';
const MINUTE = 60_000;

describe('the Graph token source', () => {
  let emulator: RunningGraphEmulator;
  const start = Date.now();
  beforeEach(async () => {
    // Only the clock moves: sockets and timers stay real.
    vi.useFakeTimers({ toFake: ['Date'], now: start });
    emulator = await startKit();
    emulator.control.addUser({ address: ADELE });
    emulator.control.addEvent(ADELE, { subject: 'Planning', start: at(new Date(start), 1), end: at(new Date(start), 2) });
  });
  afterEach(async () => {
    vi.useRealTimers();
    vi.restoreAllMocks();
    await emulator.close();
  });

  it('when jobs follow each other within a token\'s life, then msal is asked once, and again after its renewal point', async () => {
    const asked = vi.spyOn(ConfidentialClientApplication.prototype, 'acquireTokenByClientCredential');
    const provider = providerFor(emulator);
    const fetch = async (): Promise<void> => {
      const result = await provider.fetchCalendar({ address: ADELE, window: windowAround(new Date()) });
      expect(result.items).toHaveLength(1);
    };
    const tokenRequests = (): number => emulator.record.filter((r) => r.path.endsWith('/oauth2/v2.0/token')).length;

    await fetch();
    await fetch();
    await fetch();
    expect(asked).toHaveBeenCalledTimes(1);
    expect(tokenRequests()).toBe(1);

    // The emulator's tokens last 3599 s; msal renews five minutes before the end.
    vi.setSystemTime(start + 50 * MINUTE);
    await fetch();
    expect(asked).toHaveBeenCalledTimes(1);

    vi.setSystemTime(start + 56 * MINUTE);
    await fetch();
    await fetch();
    expect(asked).toHaveBeenCalledTimes(2);
    expect(tokenRequests()).toBe(2);
  });
});
