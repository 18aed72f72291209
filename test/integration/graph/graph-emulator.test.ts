import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGraphEmulator, type RunningGraphEmulator } from '../../../tools/emulators/graph/graph-emulator.js';
import { CLIENT_ID, CLIENT_SECRET, TENANT_ID, at, bearer, call, providerFor, windowAround } from './graph-harness.js';

describe('Graph emulator wire behaviour', () => {
  let emulator: RunningGraphEmulator;
  const now = new Date();
  beforeEach(async () => {
    emulator = await startGraphEmulator({ tenantId: TENANT_ID, apps: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }] });
  });
  afterEach(async () => emulator.close());

  it('when seeded and driven over the HTTP control API, then the provider sees the changes and expiry', async () => {
    const user = await call(emulator, 'POST', '/_control/graph/users', { address: 'megan@contoso.com', timeZone: 'Pacific Standard Time' });
    expect(user.status).toBe(201);
    const created = await call(emulator, 'POST', '/_control/graph/users/megan@contoso.com/events', { subject: 'Via HTTP', start: at(now, 1), end: at(now, 2) });
    const provider = providerFor(emulator);
    const window = windowAround(now);
    const full = await provider.fetchCalendar({ address: 'megan@contoso.com', window });
    expect(full.timeZone).toBe('America/Los_Angeles');

    expect((await call(emulator, 'PATCH', `/_control/graph/users/megan@contoso.com/events/${created.body.id}`, { subject: 'Renamed' })).status).toBe(204);
    const delta = await provider.fetchCalendar({ address: 'megan@contoso.com', window, syncToken: full.nextSyncToken });
    expect(delta.items).toMatchObject([{ kind: 'event', event: { subject: 'Renamed' } }]);

    expect((await call(emulator, 'POST', '/_control/graph/expire-delta-tokens', {})).status).toBe(204);
    await expect(provider.fetchCalendar({ address: 'megan@contoso.com', window, syncToken: delta.nextSyncToken })).rejects.toMatchObject({ kind: 'resync' });
    expect((await call(emulator, 'DELETE', '/_control/graph/users/megan@contoso.com/events/nope')).status).toBe(404);
  });

  it('when calendarView is listed with $top and $select, then it pages by nextLink and returns only the selected fields', async () => {
    emulator.control.addUser({ address: 'megan@contoso.com' });
    for (let n = 0; n < 3; n += 1) emulator.control.addEvent('megan@contoso.com', { subject: `E${n}`, start: at(now, n + 1), end: at(now, n + 2) });
    const auth = await bearer(emulator);
    const window = windowAround(now);
    const first = await call(emulator, 'GET', `/v1.0/users/megan@contoso.com/calendarView?startDateTime=${window.start}&endDateTime=${window.end}&$top=2&$select=subject`, undefined, auth);
    expect(first.status).toBe(200);
    expect(first.body.value).toEqual([expect.objectContaining({ subject: 'E0' }), expect.objectContaining({ subject: 'E1' })]);
    expect(Object.keys(first.body.value[0]).sort()).toEqual(['@odata.etag', 'id', 'subject']);
    const second = await call(emulator, 'GET', new URL(first.body['@odata.nextLink']).pathname + new URL(first.body['@odata.nextLink']).search, undefined, auth);
    expect(second.body.value.map((e: { subject: string }) => e.subject)).toEqual(['E2']);
    expect(second.body['@odata.nextLink']).toBeUndefined();
  });

  it('when a request has no valid token, then Graph answers 401 InvalidAuthenticationToken', async () => {
    emulator.control.addUser({ address: 'megan@contoso.com' });
    const answer = await call(emulator, 'GET', '/v1.0/users/megan@contoso.com/mailboxSettings', undefined, { authorization: 'Bearer forged' });
    expect(answer).toMatchObject({ status: 401, body: { error: { code: 'InvalidAuthenticationToken' } } });
  });

  it('when a $batch holds more than 20 requests, then it is refused', async () => {
    const auth = await bearer(emulator);
    const requests = Array.from({ length: 21 }, (_, n) => ({ id: String(n), method: 'GET', url: '/users/x' }));
    const answer = await call(emulator, 'POST', '/v1.0/$batch', { requests }, auth);
    expect(answer.status).toBe(400);
  });
});

describe('Graph provider token lifetime', () => {
  it('when issued tokens live less than msal\'s renewal margin (5 min), then each sync fetches a new one; with an hour, one serves all', async () => {
    for (const [lifetime, expected] of [
      [200, 3],
      [3599, 1],
    ] as const) {
      const emulator = await startGraphEmulator({ tenantId: TENANT_ID, apps: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }], tokenLifetimeSeconds: lifetime });
      try {
        emulator.control.addUser({ address: 'megan@contoso.com' });
        const provider = providerFor(emulator);
        for (let n = 0; n < 3; n += 1) await provider.fetchCalendar({ address: 'megan@contoso.com', window: windowAround(new Date()) });
        expect(emulator.control.tokensIssued()).toBe(expected);
      } finally {
        await emulator.close();
      }
    }
  });
});
