/** The emulator on its own, spoken to with plain fetch: its contract answers and its HTTP control API. */
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCmgEmulator, type CmgEmulator } from '../../../tools/emulators/cmg/cmg-emulator.js';

const AUTH = `Basic ${Buffer.from('EXCHANGE:secret-pw').toString('base64')}`;
let cmg: CmgEmulator;
beforeAll(async () => {
  cmg = await startCmgEmulator({ password: 'secret-pw', users: [{ userId: 'u1' }] });
});
beforeEach(() => cmg.control.reset());
afterAll(() => cmg.close());

const contract = (path: string): string => `${cmg.url}/CMG%20Office/api/calendar/v1${path}`;
const call = async (method: string, url: string, body?: unknown, auth = AUTH): Promise<{ status: number; body: unknown }> => {
  const res = await fetch(url, {
    method,
    headers: { authorization: auth, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};
const control = (method: string, path: string, body?: unknown) => call(method, `${cmg.url}/_control/cmg${path}`, body, '');

describe('CMG emulator', () => {
  it('when a request has no or wrong credentials, then it answers 401 unauthorized', async () => {
    expect(await call('GET', contract('/check'), undefined, '')).toEqual({ status: 401, body: { error: { code: 'unauthorized', message: expect.any(String) } } });
    expect((await call('GET', contract('/check'), undefined, `Basic ${Buffer.from('EXCHANGE:nope').toString('base64')}`)).status).toBe(401);
  });

  it('when an activity fails validation, then it answers 400 with the contract error body', async () => {
    const valid = {
      code: '11', start: '2025-01-01T10:00:00Z', end: '2025-01-01T11:00:00Z', text: 't', forward: false, inConference: false,
      sign: 'Calendar', messageSystems: [1], source: { provider: 'google', eventId: 'g1' },
    };
    const put = (body: unknown) => call('PUT', contract('/users/u1/activities/x'), body);
    expect((await put({ ...valid, messageSystems: [2] })).body).toMatchObject({ error: { code: 'invalid_activity' } });
    expect((await put({ ...valid, end: valid.start })).body).toMatchObject({ error: { code: 'invalid_activity', message: 'start must be before end' } });
    expect((await put({ ...valid, start: '2025-01-01T10:00:00' })).status).toBe(400);
    expect((await put({ ...valid, text: 'é'.repeat(255) })).status).toBe(201);
    expect(cmg.control.activities('u1')).toHaveLength(1);
  });

  it('when a cursor is not one it issued, then it answers 400', async () => {
    expect((await call('GET', contract('/calendar-settings?cursor=bogus'))).status).toBe(400);
  });

  it('when a user changes during paging, then the running listing skips it and the next since-query has it', async () => {
    cmg.control.seedUsers([
      { userId: 'a', modifiedAt: '2024-01-01T00:00:00Z' },
      { userId: 'b', modifiedAt: '2024-01-02T00:00:00Z' },
    ]);
    cmg.control.setPageSize(1);
    const first = (await call('GET', contract('/calendar-settings'))).body as { users: { userId: string }[]; nextCursor: string; asOf: string };
    expect(first.users.map((u) => u.userId)).toEqual(['a']);
    await new Promise((r) => setTimeout(r, 5));
    cmg.control.changeUser({ userId: 'b', language: 'sv' });
    const second = (await call('GET', contract(`/calendar-settings?cursor=${first.nextCursor}`))).body as { users: unknown[]; nextCursor: null };
    expect(second).toMatchObject({ users: [], nextCursor: null });
    const next = (await call('GET', contract(`/calendar-settings?since=${encodeURIComponent(first.asOf)}`))).body as { users: { userId: string; language: string }[] };
    expect(next.users).toMatchObject([{ userId: 'b', language: 'sv' }]);
  });

  it('when driven over HTTP control routes, then users, codes, faults and state follow', async () => {
    expect((await control('PUT', '/users', { users: [{ userId: 'x1', email: 'x1@corp.example' }] })).status).toBe(200);
    expect((await control('POST', '/users', { userId: 'x2', calendarSync: false })).body).toMatchObject({ userId: 'x2', calendarSync: false });
    expect((await control('PUT', '/codes', { codes: [{ code: '77', descriptions: { en: 'Gym' } }] })).status).toBe(204);
    expect((await control('POST', '/faults', { operation: 'check', kind: 'status', status: 503, times: 1, retryAfter: '2' })).status).toBe(204);
    const busy = await fetch(contract('/check'), { headers: { authorization: AUTH } });
    expect([busy.status, busy.headers.get('retry-after'), ((await busy.json()) as { error: { code: string } }).error.code]).toEqual([503, '2', 'busy']);
    const put = await call('PUT', contract('/users/x1/activities/a%2Fb'), {
      code: '77', start: '2025-01-01T10:00:00+02:00', end: '2025-01-01T11:00:00+02:00', text: '', forward: true, inConference: false,
      sign: 'Calendar', messageSystems: [3], source: { provider: 'graph', eventId: 'e' },
    });
    expect(put.status).toBe(201);
    expect((await control('DELETE', '/users?userId=x2')).status).toBe(204);
    const state = (await control('GET', '/state')).body as { users: { userId: string; deleted: boolean }[]; activities: Record<string, { externalId: string }[]> };
    expect(state.users.map((u) => [u.userId, u.deleted])).toEqual([['x1', false], ['x2', true]]);
    expect(state.activities.x1?.map((a) => a.externalId)).toEqual(['a/b']);
    expect((await control('POST', '/faults', { operation: 'nope', kind: 'hang' })).status).toBe(400);
    expect((await control('POST', '/reset')).status).toBe(204);
    expect(cmg.control.users().map((u) => u.userId)).toEqual(['u1']);
  });

  it('when requests reuse a keep-alive connection, then connectionsOpened counts one; without keep-alive, one each', async () => {
    const get = (agent: Agent) =>
      new Promise<void>((resolve, reject) => {
        request(contract('/check'), { agent, headers: { authorization: AUTH } }, (res) => res.resume().on('end', resolve)).on('error', reject).end();
      });
    const count = async (agent: Agent): Promise<number> => {
      const before = cmg.connectionsOpened();
      for (let i = 0; i < 3; i += 1) await get(agent);
      agent.destroy();
      return cmg.connectionsOpened() - before;
    };
    expect(await count(new Agent({ keepAlive: true }))).toBe(1);
    expect(await count(new Agent({ keepAlive: false }))).toBe(3);
  });
});
