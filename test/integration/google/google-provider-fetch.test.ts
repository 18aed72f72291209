import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGoogleCalendarProvider, type GoogleProviderOptions } from '../../../shared/providers/google/google-calendar-provider.js';
import type { CalendarProvider, FetchCalendarResult } from '../../../shared/providers/calendar-provider.js';
import type { CalendarEvent, NormalizeResult } from '../../../shared/domain/calendar-event.js';
import { AppError } from '../../../shared/errors/app-error.js';
import { apiRequests, startGoogleFixture, tokenRequests, type GoogleFixture } from './google-harness.js';

const ALICE = 'alice@example.com';
const WINDOW = { start: '2030-03-01T00:00:00Z', end: '2030-03-15T00:00:00Z' };

let fx: GoogleFixture;
beforeAll(async () => {
  fx = await startGoogleFixture();
});
afterAll(async () => {
  await fx.emulator.close();
});
beforeEach(() => {
  fx.reset();
  fx.emulator.control.addUser(ALICE, { timeZone: 'Europe/Stockholm' });
});

const provider = (options: Partial<GoogleProviderOptions> = {}): CalendarProvider =>
  createGoogleCalendarProvider(fx.profile, { timeoutMs: 2_000, maxRetries: 3, retryBaseMs: 10, ...options });

const events = (result: FetchCalendarResult): CalendarEvent[] => result.items.flatMap((i) => (i.kind === 'event' ? [i.event] : []));
const byId = (result: FetchCalendarResult): Map<string, NormalizeResult> =>
  new Map(result.items.map((i) => [i.kind === 'event' ? i.event.id : i.kind === 'master' ? i.master.id : (i.id ?? ''), i]));

const meeting = (day: number, summary = `Meeting ${day}`) => ({
  summary,
  start: { dateTime: `2030-03-${String(day).padStart(2, '0')}T09:00:00+01:00` },
  end: { dateTime: `2030-03-${String(day).padStart(2, '0')}T10:00:00+01:00` },
});

describe('Google provider: fetching a calendar', () => {
  it('when the window has more events than a page, then every page is read and events outside are left out', async () => {
    for (const day of [2, 3, 4, 5, 6]) fx.emulator.control.putEvent(ALICE, meeting(day));
    fx.emulator.control.putEvent(ALICE, meeting(20, 'outside'));

    const result = await provider({ pageSize: 2 }).fetchCalendar({ address: ALICE, window: WINDOW });

    expect(result.mode).toBe('full');
    expect(result.timeZone).toBe('Europe/Stockholm');
    expect(events(result).map((e) => e.subject).sort()).toEqual(['Meeting 2', 'Meeting 3', 'Meeting 4', 'Meeting 5', 'Meeting 6']);
    expect(events(result)[0]!.timing).toEqual({ allDay: false, start: '2030-03-02T08:00:00.000Z', end: '2030-03-02T09:00:00.000Z' });
    expect(result.nextSyncToken).not.toBe('');
    // 1 token + 4 pages of 2, 0, 1 and 2 events: Google's pages can be short or empty before the
    // last; every page asks for the window, singleEvents and only the fields needed.
    expect(result.requests).toBe(5);
    expect(tokenRequests(fx.emulator)).toHaveLength(1);
    const pages = apiRequests(fx.emulator);
    expect(pages).toHaveLength(4);
    const first = new URLSearchParams(pages[0]!.query);
    expect(first.get('singleEvents')).toBe('true');
    expect(first.get('timeMin')).toBe(WINDOW.start);
    expect(first.get('timeMax')).toBe(WINDOW.end);
    expect(first.get('fields')).toContain('items(');
    expect(new URLSearchParams(pages[2]!.query).get('pageToken')).not.toBeNull();
  });

  it('when nothing changed since the last fetch, then the incremental fetch is one request with the token cached', async () => {
    fx.emulator.control.putEvent(ALICE, meeting(2));
    const p = provider();
    const full = await p.fetchCalendar({ address: ALICE, window: WINDOW });

    const delta = await p.fetchCalendar({ address: ALICE, window: WINDOW, syncToken: full.nextSyncToken });

    expect(delta).toMatchObject({ mode: 'delta', items: [], requests: 1, timeZone: 'Europe/Stockholm' });
    const query = new URLSearchParams(apiRequests(fx.emulator).at(-1)!.query);
    expect(query.get('syncToken')).toBe(full.nextSyncToken);
    // Google refuses these together with a sync token.
    expect(query.has('timeMin') || query.has('timeMax')).toBe(false);
    expect(query.get('singleEvents')).toBe('true');
  });

  it('when single events are created, updated and deleted, then the incremental fetch returns exactly those changes', async () => {
    const kept = fx.emulator.control.putEvent(ALICE, meeting(2, 'kept'));
    const updated = fx.emulator.control.putEvent(ALICE, meeting(3, 'before'));
    const deleted = fx.emulator.control.putEvent(ALICE, meeting(4, 'to delete'));
    const p = provider();
    const full = await p.fetchCalendar({ address: ALICE, window: WINDOW });
    expect(events(full)).toHaveLength(3);

    const created = fx.emulator.control.putEvent(ALICE, meeting(5, 'new'));
    fx.emulator.control.patchEvent(ALICE, String(updated.id), { summary: 'after', transparency: 'transparent' });
    fx.emulator.control.deleteEvent(ALICE, String(deleted.id));
    const delta = await p.fetchCalendar({ address: ALICE, window: WINDOW, syncToken: full.nextSyncToken });

    const items = byId(delta);
    expect(items.has(String(kept.id))).toBe(false);
    expect(items.get(String(created.id))).toMatchObject({ kind: 'event', event: { subject: 'new' } });
    expect(items.get(String(updated.id))).toMatchObject({ kind: 'event', event: { subject: 'after', showAs: 'free' } });
    expect(items.get(String(deleted.id))).toEqual({ kind: 'removed', id: deleted.id });
    expect(delta.items).toHaveLength(3);
  });

  it('when one instance of a recurring event is changed and another cancelled, then those come back, and the series is listed again in the window and in scope', async () => {
    const series = fx.emulator.control.putEvent(ALICE, { ...meeting(2, 'Daily stand-up'), recurrence: ['RRULE:FREQ=DAILY;COUNT=5'] });
    const p = provider();
    const full = await p.fetchCalendar({ address: ALICE, window: WINDOW });
    const instances = events(full);
    expect(instances).toHaveLength(5);
    expect(new Set(instances.map((e) => e.seriesId))).toEqual(new Set([series.id]));
    const [, second, third] = instances.sort((a, b) => (a.timing.allDay || b.timing.allDay ? 0 : a.timing.start.localeCompare(b.timing.start)));

    fx.emulator.control.patchEvent(ALICE, second!.id, { summary: 'Stand-up (moved)', start: { dateTime: '2030-03-03T11:00:00+01:00' }, end: { dateTime: '2030-03-03T11:30:00+01:00' } });
    fx.emulator.control.deleteEvent(ALICE, third!.id);
    const delta = await p.fetchCalendar({ address: ALICE, window: WINDOW, syncToken: full.nextSyncToken });

    // The removal, and the series' four remaining occurrences from events.instances: one list
    // request and one instances request (the token is cached).
    expect(delta.items).toHaveLength(5);
    expect(delta.seriesInScope).toEqual([series.id]);
    expect(delta.requests).toBe(2);
    expect(apiRequests(fx.emulator).at(-1)!.path).toBe(`/calendar/v3/calendars/${ALICE}/events/${String(series.id)}/instances`);
    expect(events(delta).map((e) => e.id).sort()).toEqual(instances.filter((e) => e.id !== third!.id).map((e) => e.id).sort());
    expect(byId(delta).get(second!.id)).toMatchObject({
      kind: 'event',
      event: { subject: 'Stand-up (moved)', seriesId: series.id, timing: { allDay: false, start: '2030-03-03T10:00:00.000Z', end: '2030-03-03T10:30:00.000Z' } },
    });
    expect(byId(delta).get(third!.id)).toEqual({ kind: 'removed', id: third!.id });
  });

  it('when a series is split "this and following", then the delta lists the new series and the one it split from again, both in scope', async () => {
    const series = fx.emulator.control.putEvent(ALICE, { ...meeting(2, 'Daily stand-up'), recurrence: ['RRULE:FREQ=DAILY;COUNT=5'] });
    const p = provider();
    const full = await p.fetchCalendar({ address: ALICE, window: WINDOW });
    const [, , third] = events(full).sort((a, b) => (a.timing.allDay || b.timing.allDay ? 0 : a.timing.start.localeCompare(b.timing.start)));
    const following = fx.emulator.control.splitSeries(ALICE, String(series.id), third!.id, { summary: 'Stand-up, new time', start: { dateTime: '2030-03-04T10:00:00+01:00' }, end: { dateTime: '2030-03-04T11:00:00+01:00' } });

    const delta = await p.fetchCalendar({ address: ALICE, window: WINDOW, syncToken: full.nextSyncToken });

    expect(new Set(delta.seriesInScope)).toEqual(new Set([following, series.id]));
    const listed = events(delta);
    expect(listed.filter((e) => e.seriesId === series.id).map((e) => e.subject)).toEqual(['Daily stand-up', 'Daily stand-up']);
    expect(listed.filter((e) => e.seriesId === following).map((e) => e.subject)).toEqual(['Stand-up, new time', 'Stand-up, new time', 'Stand-up, new time']);
  });

  it('when the sync token expired, then the fetch asks for a resync and a full fetch works again', async () => {
    fx.emulator.control.putEvent(ALICE, meeting(2));
    const p = provider();
    const full = await p.fetchCalendar({ address: ALICE, window: WINDOW });
    fx.emulator.control.expireSyncTokens(ALICE);

    const expired = await p.fetchCalendar({ address: ALICE, window: WINDOW, syncToken: full.nextSyncToken }).catch((e: unknown) => e);
    expect(expired).toBeInstanceOf(AppError);
    expect(expired).toMatchObject({ kind: 'resync', code: 'resync-required' });
    // 410 is not retried.
    expect(apiRequests(fx.emulator).filter((r) => r.status === 410)).toHaveLength(1);

    const again = await p.fetchCalendar({ address: ALICE, window: WINDOW });
    expect(again.mode).toBe('full');
    expect(events(again)).toHaveLength(1);
  });

  it('when Google throttles with the documented 403 rateLimitExceeded, then the fetch backs off and succeeds', async () => {
    fx.emulator.control.putEvent(ALICE, meeting(2));
    fx.emulator.control.throttle({ status: 403, reason: 'rateLimitExceeded', times: 2 });

    const result = await provider({ retryBaseMs: 100, random: () => 0 }).fetchCalendar({ address: ALICE, window: WINDOW });

    expect(events(result)).toHaveLength(1);
    const calls = apiRequests(fx.emulator);
    expect(calls.map((r) => r.status)).toEqual([403, 403, 200]);
    // backoffDelay with random 0: half the ceiling, 50 ms then 100 ms.
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(45);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(95);
    expect(result.requests).toBe(4); // token + 3 attempts
  });

  it('when Google answers 429 with Retry-After, then the wait is what it asked', async () => {
    fx.emulator.control.putEvent(ALICE, meeting(2));
    fx.emulator.control.throttle({ status: 429, times: 1, retryAfter: '1' });

    await provider({ retryBaseMs: 1 }).fetchCalendar({ address: ALICE, window: WINDOW });

    const calls = apiRequests(fx.emulator);
    expect(calls.map((r) => r.status)).toEqual([429, 200]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('when the throttling outlasts the retries, then the error is transient after exactly 1 + maxRetries attempts', async () => {
    fx.emulator.control.serverError({ status: 503, times: Infinity });

    const error = await provider({ maxRetries: 2 }).fetchCalendar({ address: ALICE, window: WINDOW }).catch((e: unknown) => e);

    expect(error).toMatchObject({ kind: 'transient', code: 'provider-unavailable' });
    // No hidden gaxios retries on top of ours.
    expect(apiRequests(fx.emulator)).toHaveLength(3);
  });

  it('when retries are off, then a 5xx is one request, not the client library\'s default three retries', async () => {
    fx.emulator.control.serverError({ status: 500, times: Infinity });

    await expect(provider({ maxRetries: 0 }).fetchCalendar({ address: ALICE, window: WINDOW })).rejects.toMatchObject({ kind: 'transient' });

    expect(apiRequests(fx.emulator)).toHaveLength(1);
  });

  it('when the API does not answer in time, then the fetch fails as a transient timeout', async () => {
    fx.emulator.fault({ path: /^\/calendar\/v3\//, kind: 'hang', times: Infinity });

    const error = await provider({ timeoutMs: 300, maxRetries: 1 }).fetchCalendar({ address: ALICE, window: WINDOW }).catch((e: unknown) => e);

    expect(error).toMatchObject({ kind: 'transient', code: 'timeout' });
    expect(apiRequests(fx.emulator)).toHaveLength(2);
  });
});

describe('Google provider: mailboxes and credentials', () => {
  it('when the mailbox is not a user of the domain, then the error is permanent mailbox-not-found and not retried', async () => {
    const error = await provider().fetchCalendar({ address: 'nobody@example.com', window: WINDOW }).catch((e: unknown) => e);

    expect(error).toMatchObject({ kind: 'permanent', code: 'mailbox-not-found' });
    expect((error as Error).message).toContain('nobody@example.com');
    expect(tokenRequests(fx.emulator)).toHaveLength(1);
    expect(apiRequests(fx.emulator)).toHaveLength(0);
  });

  it('when the domain has not delegated the scope to the client, then the error is permanent mailbox-unavailable', async () => {
    fx.emulator.control.setDelegation(fx.profile.serviceAccountKey.client_email, undefined);

    await expect(provider().fetchCalendar({ address: ALICE, window: WINDOW })).rejects.toMatchObject({ kind: 'permanent', code: 'mailbox-unavailable' });
  });

  it('when the key is not the service account\'s, then a configuration error names the profile and never the key', async () => {
    const { newRsaKey } = await import('./google-harness.js');
    const other = newRsaKey().privateKeyPem;
    const wrong = createGoogleCalendarProvider({ ...fx.profile, serviceAccountKey: { ...fx.profile.serviceAccountKey, private_key: other } }, { timeoutMs: 2_000, maxRetries: 3 });

    const error = await wrong.fetchCalendar({ address: ALICE, window: WINDOW }).catch((e: unknown) => e);

    expect(error).toMatchObject({ kind: 'configuration', code: 'google-credentials-rejected' });
    expect((error as Error).message).toContain('"GWS"');
    expect((error as Error).message).toContain('Invalid JWT Signature');
    expectNoKey(error, other);
    expect(tokenRequests(fx.emulator)).toHaveLength(1);
  });

  it('when the key is not a private key at all, then a configuration error names the profile and never the key, before any request', async () => {
    const garbage = '-----BEGIN PRIVATE KEY-----\nTm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----\n';
    const broken = createGoogleCalendarProvider({ ...fx.profile, serviceAccountKey: { ...fx.profile.serviceAccountKey, private_key: garbage } }, { timeoutMs: 2_000, maxRetries: 3 });

    for (const attempt of [broken.fetchCalendar({ address: ALICE, window: WINDOW }), broken.checkConnection()]) {
      const error = await attempt.catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'configuration', code: 'google-key-invalid' });
      expect((error as Error).message).toContain('"GWS"');
      expectNoKey(error, garbage);
    }
    expect(fx.emulator.record).toHaveLength(0);
  });

  it('when the credentials are good, then checkConnection gets the service account\'s own token', async () => {
    await provider().checkConnection();

    const [token] = tokenRequests(fx.emulator);
    expect(token?.status).toBe(200);
  });
});

function expectNoKey(error: unknown, pem: string): void {
  const body = pem.split('\n').filter((l) => l !== '' && !l.startsWith('-----'));
  const text = JSON.stringify(error, Object.getOwnPropertyNames(error)) + String((error as Error).message) + JSON.stringify((error as { cause?: unknown }).cause ?? null);
  for (const line of body) expect(text).not.toContain(line.slice(0, 24));
}
