import { describe, expect, it } from 'vitest';
import { activity, APPLICATION, PASSWORD, requests, useHarness } from './cmg-harness.js';

const harness = useHarness();

describe('CMG client operations against the emulator', () => {
  it('when checking, then CMG answers with version, application and message systems, asked with Basic auth and JSON', async () => {
    const check = await harness().client().check();
    expect(check).toEqual({ version: '1.0', application: 'EXCHANGE', messageSystems: [1, 3, 4] });
    const [request] = requests(harness().emulator, 'GET', '/check');
    expect(request?.path).toBe('/CMG Office/api/calendar/v1/check');
    expect(request?.headers.accept).toBe('application/json');
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from(`${APPLICATION}:${PASSWORD}`, 'utf8').toString('base64')}`);
  });

  it('when the base URL is written already percent-encoded, then the virtual path is not encoded twice', async () => {
    const client = harness().client({ baseUrl: harness().emulator.baseUrl.replace(' ', '%20') + '/' });
    await client.check();
    expect(requests(harness().emulator, 'GET', '/check')[0]?.path).toBe('/CMG Office/api/calendar/v1/check');
  });

  it('when codes are asked in two languages, then only those descriptions come back', async () => {
    const codes = await harness().client().codes(['sv', 'en']);
    expect(codes.find((c) => c.code === '11')).toEqual({ code: '11', descriptions: { en: 'Meeting', sv: 'Möte' } });
    expect(requests(harness().emulator, 'GET', '/codes')[0]?.query).toBe('?languages=en%2Csv');
  });

  it('when codes are asked again within the refresh period, then the cache answers; after it, CMG does', async () => {
    let now = 1_000_000;
    const client = harness().client({ codesRefreshMs: 60_000 }, { now: () => now });
    await Promise.all([client.codes(['en']), client.codes(['en'])]);
    await client.codes(['en']);
    expect(requests(harness().emulator, 'GET', '/codes')).toHaveLength(1);
    now += 60_001;
    await client.codes(['en']);
    expect(requests(harness().emulator, 'GET', '/codes')).toHaveLength(2);
  });

  it('when CMG rejects an activity with unknown_code, then the next codes() fetches the new list', async () => {
    const client = harness().client();
    expect((await client.codes(['en'])).map((c) => c.code)).toContain('30');
    harness().emulator.control.setCodes([{ code: '11', descriptions: { en: 'Meeting' } }]);
    const error = await harness().failure(client.upsertActivity('u1', 'e1', activity({ code: '30' })));
    expect(error.code).toBe('unknown_code');
    expect((await client.codes(['en'])).map((c) => c.code)).toEqual(['11']);
  });

  it('when invalidateCodes is called, then the next codes() asks CMG', async () => {
    const client = harness().client();
    await client.codes(['en']);
    client.invalidateCodes();
    await client.codes(['en']);
    expect(requests(harness().emulator, 'GET', '/codes')).toHaveLength(2);
  });

  it('when the roster spans several pages, then calendarSettings follows the cursor to the end', async () => {
    harness().emulator.control.seedUsers(['a', 'b', 'c', 'd', 'e'].map((userId) => ({ userId })));
    harness().emulator.control.setPageSize(2);
    const roster = await harness().client().calendarSettings();
    expect(roster.users.map((u) => u.userId).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(requests(harness().emulator, 'GET', '/calendar-settings')).toHaveLength(3);
    expect(Number.isFinite(Date.parse(roster.asOf))).toBe(true);
  });

  it('when asked since a checkpoint, then only users changed since come back, deleted ones as tombstones', async () => {
    harness().emulator.control.seedUsers([
      { userId: 'old', modifiedAt: '2024-01-01T00:00:00Z' },
      { userId: 'gone', modifiedAt: '2024-01-01T00:00:00Z' },
      { userId: 'moved', modifiedAt: '2024-01-01T00:00:00Z' },
    ]);
    const client = harness().client();
    const first = await client.calendarSettings('2024-06-01T00:00:00Z');
    expect(first.users).toEqual([]);
    harness().emulator.control.changeUser({ userId: 'moved', email: 'moved@new.example.com' });
    harness().emulator.control.deleteUser('gone');
    const second = await client.calendarSettings(first.asOf);
    expect(second.users.map((u) => [u.userId, u.deleted, u.email])).toEqual(
      expect.arrayContaining([
        ['moved', false, 'moved@new.example.com'],
        ['gone', true, 'gone@example.com'],
      ]),
    );
    expect(second.users).toHaveLength(2);
    const full = await client.calendarSettings();
    expect(full.users.map((u) => u.userId).sort()).toEqual(['moved', 'old']);
  });

  it('when an activity is put, then it is created; the same body again is replaced without change; a new body changes it', async () => {
    const client = harness().client();
    expect(await client.upsertActivity('u1', 'e1', activity())).toBe('created');
    expect(await client.upsertActivity('u1', 'e1', activity())).toBe('replaced');
    expect(harness().emulator.control.activities('u1')).toMatchObject([{ externalId: 'e1', revision: 1 }]);
    expect(await client.upsertActivity('u1', 'e1', activity({ text: 'Moved' }))).toBe('replaced');
    expect(harness().emulator.control.activities('u1')).toMatchObject([{ externalId: 'e1', revision: 2, activity: { text: 'Moved' } }]);
  });

  it('when an activity is deleted, then it is gone; deleting it again still succeeds', async () => {
    const client = harness().client();
    await client.upsertActivity('u1', 'e1', activity());
    await client.deleteActivity('u1', 'e1');
    await client.deleteActivity('u1', 'e1');
    expect(harness().emulator.control.activities('u1')).toEqual([]);
    expect(requests(harness().emulator, 'DELETE').map((r) => r.status)).toEqual([204, 404]);
  });

  it('when activities are listed by sign, then only that sign comes back, with externalIds', async () => {
    const client = harness().client();
    await client.upsertActivity('u1', 'e1', activity());
    await client.upsertActivity('u1', 'e2', activity({ sign: 'Manual' }));
    const listed = await client.listActivities('u1', 'Calendar');
    expect(listed).toEqual([{ ...activity(), externalId: 'e1' }]);
  });

  it('when ids hold /, space, ?, #, % and non-ASCII, then each stays one path segment and round-trips', async () => {
    const userId = 'dom\\anna/ström #2';
    const externalId = 'AAMk/ab+c==?x=1&y#frag%20é';
    harness().emulator.control.seedUsers([{ userId }]);
    const client = harness().client();
    expect(await client.upsertActivity(userId, externalId, activity())).toBe('created');
    expect((await client.listActivities(userId, 'Calendar')).map((a) => a.externalId)).toEqual([externalId]);
    expect(Object.keys(harness().emulator.control.allActivities())).toEqual([userId]);
    await client.deleteActivity(userId, externalId);
    expect(harness().emulator.control.activities(userId)).toEqual([]);
  });

  it('when an id is a dot segment, then the client refuses it without sending anything', async () => {
    const error = await harness().failure(harness().client().upsertActivity('u1', '..', activity()));
    expect([error.kind, error.code]).toEqual(['permanent', 'invalid_id']);
    expect(harness().emulator.record).toEqual([]);
  });

  it('when many upserts run at once, then the client opens no more connections than its pool', async () => {
    const client = harness().client({ maxConcurrency: 3 });
    harness().emulator.switches.latencyMs = 5;
    const before = harness().emulator.connectionsOpened();
    await Promise.all(Array.from({ length: 40 }, (_, i) => client.upsertActivity('u1', `e${i}`, activity())));
    expect(harness().emulator.connectionsOpened() - before).toBeLessThanOrEqual(3);
    expect(harness().emulator.control.activities('u1')).toHaveLength(40);
  });

  it('when a burst queues behind the pool for longer than the timeout, then no request times out', async () => {
    harness().emulator.switches.latencyMs = 50;
    const client = harness().client({ maxConcurrency: 1, timeoutMs: 200, maxRetries: 0 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => client.upsertActivity('u1', `e${i}`, activity())));
    expect(requests(harness().emulator, 'PUT').map((r) => r.status)).toEqual(Array(10).fill(201));
  });
});
