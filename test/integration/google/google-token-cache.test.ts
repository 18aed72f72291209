import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGoogleCalendarProvider } from '../../../shared/providers/google/google-calendar-provider.js';
import type { CalendarProvider } from '../../../shared/providers/calendar-provider.js';
import { ManualClock } from '../../../tools/clock/manual-clock.js';
import { apiRequests, startGoogleFixture, tokenRequests, type GoogleFixture } from './google-harness.js';

const WINDOW = { start: '2030-03-01T00:00:00Z', end: '2030-03-15T00:00:00Z' };
const USERS = Array.from({ length: 12 }, (_, i) => `user${i}@example.com`);
const ALICE = USERS[0]!;

let fx: GoogleFixture;
let clock: ManualClock;
beforeAll(async () => {
  fx = await startGoogleFixture();
});
afterAll(async () => {
  await fx.emulator.close();
});
beforeEach(() => {
  fx.reset();
  clock = new ManualClock(Date.now());
  for (const user of USERS) fx.emulator.control.addUser(user);
});

const provider = (): CalendarProvider =>
  createGoogleCalendarProvider(fx.profile, { timeoutMs: 2_000, maxRetries: 2, retryBaseMs: 10, now: () => clock.now() });

const fetchAll = (p: CalendarProvider, users: readonly string[]) => Promise.all(users.map((address) => p.fetchCalendar({ address, window: WINDOW })));

describe('Google provider: one token per mailbox, cached until shortly before it expires', () => {
  it('when every user has two rounds of jobs, then each user costs exactly one token request', async () => {
    const p = provider();

    const first = await fetchAll(p, USERS);
    const second = await fetchAll(p, USERS);

    expect(tokenRequests(fx.emulator)).toHaveLength(USERS.length);
    expect(new Set(tokenRequests(fx.emulator).map((r) => subjectOf(r.body)))).toEqual(new Set(USERS));
    expect(first.map((r) => r.requests)).toEqual(USERS.map(() => 2));
    expect(second.map((r) => r.requests)).toEqual(USERS.map(() => 1));
  });

  it('when jobs for the same user start at once, then they share one token request', async () => {
    const p = provider();

    await fetchAll(p, [ALICE, ALICE, ALICE, ALICE]);

    expect(tokenRequests(fx.emulator)).toHaveLength(1);
    expect(apiRequests(fx.emulator)).toHaveLength(4);
  });

  it('when a token is within five minutes of its end, then the next job fetches a new one, and not before', async () => {
    const p = provider();
    await p.fetchCalendar({ address: ALICE, window: WINDOW });

    // Google grants 3,599 s.
    clock.advance(54 * 60_000);
    await p.fetchCalendar({ address: ALICE, window: WINDOW });
    expect(tokenRequests(fx.emulator)).toHaveLength(1);

    clock.advance(1 * 60_000);
    await p.fetchCalendar({ address: ALICE, window: WINDOW });
    expect(tokenRequests(fx.emulator)).toHaveLength(2);
  });

  it('when Google refuses a token before it expires, then that token is dropped and the call is tried once more with a new one', async () => {
    const p = provider();
    await p.fetchCalendar({ address: ALICE, window: WINDOW });
    const bob = USERS[1]!;
    await p.fetchCalendar({ address: bob, window: WINDOW });
    fx.emulator.clearRecord();
    fx.emulator.control.revokeAccessTokens(ALICE);

    const result = await p.fetchCalendar({ address: ALICE, window: WINDOW });
    await p.fetchCalendar({ address: bob, window: WINDOW });

    expect(result.mode).toBe('full');
    expect(fx.emulator.record.map((r) => `${r.path === '/token' ? 'token' : 'list'} ${r.status}`)).toEqual(['list 401', 'token 200', 'list 200', 'list 200']);
    expect(result.requests).toBe(3);
  });

  it('when Google refuses the new token too, then the job gets a transient auth-rejected error and the next job fetches a token again', async () => {
    const p = provider();
    await p.fetchCalendar({ address: ALICE, window: WINDOW });
    fx.emulator.clearRecord();
    fx.emulator.fault({ path: /^\/calendar\/v3\//, kind: 'status', status: 401, times: 2, body: { error: { code: 401, message: 'Invalid Credentials', errors: [{ reason: 'authError' }] } } });

    await expect(p.fetchCalendar({ address: ALICE, window: WINDOW })).rejects.toMatchObject({ kind: 'transient', code: 'auth-rejected' });
    expect(fx.emulator.record.map((r) => `${r.path === '/token' ? 'token' : 'list'} ${r.status}`)).toEqual(['list 401', 'token 200', 'list 401']);

    await p.fetchCalendar({ address: ALICE, window: WINDOW });
    expect(tokenRequests(fx.emulator)).toHaveLength(2);
  });

  it('when the token request fails for good, then nothing is cached and the next job asks again', async () => {
    const p = provider();
    fx.emulator.control.setDelegation(fx.profile.serviceAccountKey.client_email, undefined);
    await expect(p.fetchCalendar({ address: ALICE, window: WINDOW })).rejects.toMatchObject({ kind: 'permanent', code: 'mailbox-unavailable' });

    fx.emulator.control.setDelegation(fx.profile.serviceAccountKey.client_email, ['https://www.googleapis.com/auth/calendar.readonly']);
    await p.fetchCalendar({ address: ALICE, window: WINDOW });

    expect(tokenRequests(fx.emulator).map((r) => r.status)).toEqual([401, 200]);
  });
});

/** The `sub` claim of a token request's assertion. */
function subjectOf(body: string): string | undefined {
  const assertion = new URLSearchParams(body).get('assertion') ?? '';
  const claims = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: string };
  return claims.sub;
}
