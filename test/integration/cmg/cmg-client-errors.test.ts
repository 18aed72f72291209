import { describe, expect, it } from 'vitest';
import { operationMatchers } from '../../../tools/emulators/cmg/cmg-control.js';
import { startCmgEmulator } from '../../../tools/emulators/cmg/cmg-emulator.js';
import { activity, requests, useHarness, type Harness } from './cmg-harness.js';

const harness = useHarness();

const gaps = (times: number[]): number[] => times.slice(1).map((t, i) => t - times[i]!);

describe('CMG error table: permanent and configuration errors are not retried', () => {
  it.each([
    ['start after end', activity({ start: '2025-03-10T11:00:00+01:00' })],
    ['text over 255 characters', activity({ text: 'x'.repeat(256) })],
    ['no message system', activity({ messageSystems: [] })],
    ['a required field missing', { ...activity(), sign: undefined } as unknown as ReturnType<typeof activity>],
  ])('when the activity has %s, then it is a permanent invalid_activity after one request', async (_what, body) => {
    const error = await harness().failure(harness().client().upsertActivity('u1', 'e1', body));
    expect([error.kind, error.code]).toEqual(['permanent', 'invalid_activity']);
    expect(requests(harness().emulator, 'PUT')).toHaveLength(1);
    expect(harness().emulator.control.activities('u1')).toEqual([]);
  });

  it('when the code is unknown to CMG, then it is a permanent unknown_code', async () => {
    const error = await harness().failure(harness().client().upsertActivity('u1', 'e1', activity({ code: '99' })));
    expect([error.kind, error.code]).toEqual(['permanent', 'unknown_code']);
    expect(error.message).toContain('code 99 does not exist');
  });

  it('when the password is wrong, then every operation is a configuration error after one request', async () => {
    const client = harness().client({ password: 'Wrong:pässword@x' });
    const error = await harness().failure(client.check());
    expect([error.kind, error.code]).toEqual(['configuration', 'unauthorized']);
    expect(error.message).toContain('CMG_PASSWORD');
    expect(harness().emulator.record).toHaveLength(1);
  });

  it.each([
    ['upsertActivity', (c: ReturnType<Harness['client']>) => c.upsertActivity('nobody', 'e1', activity())],
    ['deleteActivity', (c: ReturnType<Harness['client']>) => c.deleteActivity('nobody', 'e1')],
    ['listActivities', (c: ReturnType<Harness['client']>) => c.listActivities('nobody', 'Calendar')],
  ])('when the user is unknown to CMG, then %s is a permanent unknown_user (not "already deleted")', async (_op, act) => {
    const error = await harness().failure(act(harness().client()));
    expect([error.kind, error.code]).toEqual(['permanent', 'unknown_user']);
    expect(harness().emulator.record).toHaveLength(1);
  });

  it('when the virtual path is wrong, then it is a configuration error naming CMG_BASE_URL', async () => {
    const error = await harness().failure(harness().client({ baseUrl: `${harness().emulator.url}/CMG Offices` }).check());
    expect([error.kind, error.code]).toEqual(['configuration', 'not_found']);
    expect(error.message).toContain('CMG_BASE_URL');
  });
});

describe('CMG error table: conflicts and transient failures', () => {
  it('when CMG answers 409 once, then the upsert is retried once and succeeds', async () => {
    harness().emulator.control.conflict('upsertActivity', 1);
    expect(await harness().client().upsertActivity('u1', 'e1', activity())).toBe('created');
    expect(requests(harness().emulator, 'PUT').map((r) => r.status)).toEqual([409, 201]);
  });

  it('when CMG answers 409 twice, then the second is a transient conflict and there is no third try', async () => {
    harness().emulator.control.conflict('upsertActivity', 5);
    const error = await harness().failure(harness().client({ maxRetries: 4 }).upsertActivity('u1', 'e1', activity()));
    expect([error.kind, error.code]).toEqual(['transient', 'conflict']);
    expect(requests(harness().emulator, 'PUT')).toHaveLength(2);
  });

  it('when CMG answers 429 with Retry-After in seconds, then the retry comes no sooner than told', async () => {
    harness().emulator.control.fail('upsertActivity', { status: 429, retryAfter: '1', times: 1 });
    await harness().client().upsertActivity('u1', 'e1', activity());
    const puts = requests(harness().emulator, 'PUT');
    expect(puts.map((r) => r.status)).toEqual([429, 201]);
    expect(gaps(puts.map((r) => r.at))[0]).toBeGreaterThanOrEqual(990);
  });

  it('when CMG answers 503 with retry-after-ms, then each retry waits that long', async () => {
    harness().emulator.control.fail('deleteActivity', { status: 503, headers: { 'retry-after-ms': '300' }, times: 2 });
    await harness().client().deleteActivity('u1', 'e1');
    const deletes = requests(harness().emulator, 'DELETE');
    expect(deletes.map((r) => r.status)).toEqual([503, 503, 404]);
    for (const gap of gaps(deletes.map((r) => r.at))) expect(gap).toBeGreaterThanOrEqual(295);
  });

  it('when CMG answers 429 with Retry-After as an HTTP date, then the retry waits until about then', async () => {
    const at = new Date(Date.now() + 2_000);
    at.setMilliseconds(0);
    harness().emulator.control.fail('listActivities', { status: 429, retryAfter: at.toUTCString(), times: 1 });
    await harness().client().listActivities('u1', 'Calendar');
    const gets = requests(harness().emulator, 'GET', '/activities');
    expect(gets.map((r) => r.status)).toEqual([429, 200]);
    expect(gets[1]!.at).toBeGreaterThanOrEqual(at.getTime() - 10);
  });

  it('when CMG stays busy, then the client gives up after maxRetries with a transient error carrying Retry-After', async () => {
    harness().emulator.control.fail('codes', { status: 503, retryAfter: '0.05' });
    const error = await harness().failure(harness().client({ maxRetries: 2 }).codes(['en']));
    expect([error.kind, error.code, error.retryAfterMs]).toEqual(['transient', 'busy', 50]);
    expect(requests(harness().emulator, 'GET', '/codes')).toHaveLength(3);
  });

  it('when CMG asks for a longer wait than the client may hold a request, then it returns at once with retryAfterMs', async () => {
    harness().emulator.control.fail('upsertActivity', { status: 429, retryAfter: '120', times: 1 });
    const error = await harness().failure(harness().client().upsertActivity('u1', 'e1', activity()));
    expect([error.kind, error.code, error.retryAfterMs]).toEqual(['transient', 'busy', 120_000]);
    expect(requests(harness().emulator, 'PUT')).toHaveLength(1);
  });

  it('when CMG answers 500 twice, then the client backs off and succeeds on the third request', async () => {
    harness().emulator.control.fail('check', { status: 500, times: 2 });
    await harness().client({ maxRetries: 2 }).check();
    expect(requests(harness().emulator, 'GET', '/check').map((r) => r.status)).toEqual([500, 500, 200]);
  });

  it('when CMG keeps answering 502, then it is a transient server_error after maxRetries + 1 requests', async () => {
    harness().emulator.control.fail('calendarSettings', { status: 502 });
    const error = await harness().failure(harness().client({ maxRetries: 1 }).calendarSettings());
    expect([error.kind, error.code, error.retryAfterMs]).toEqual(['transient', 'server_error', undefined]);
    expect(requests(harness().emulator, 'GET', '/calendar-settings')).toHaveLength(2);
  });

  it('when CMG applies a PUT but the answer is lost and the client times out, then the retry leaves one activity, not two', async () => {
    harness().emulator.control.hang('upsertActivity', { times: 1, afterApply: true });
    const result = await harness().client({ timeoutMs: 200 }).upsertActivity('u1', 'e1', activity());
    expect(result).toBe('replaced');
    expect(requests(harness().emulator, 'PUT')).toHaveLength(2);
    expect(harness().emulator.control.activities('u1')).toMatchObject([{ externalId: 'e1', revision: 1 }]);
  });

  it('when CMG never answers, then it is a transient timeout after maxRetries + 1 attempts', async () => {
    harness().emulator.control.hang('check');
    const error = await harness().failure(harness().client({ timeoutMs: 100, maxRetries: 1 }).check());
    expect([error.kind, error.code]).toEqual(['transient', 'timeout']);
    expect(error.message).toContain('no answer within 100 ms');
    expect(requests(harness().emulator, 'GET', '/check')).toHaveLength(2);
  });

  it('when the connection is reset, then the request is retried and succeeds', async () => {
    harness().emulator.control.dropConnection('listActivities', 1);
    expect(await harness().client().listActivities('u1', 'Calendar')).toEqual([]);
    expect(requests(harness().emulator, 'GET', '/activities').map((r) => r.status)).toEqual([0, 200]);
  });

  it('when the connection keeps being reset, then it is a transient network error', async () => {
    harness().emulator.control.dropConnection('check');
    const error = await harness().failure(harness().client({ maxRetries: 1 }).check());
    expect([error.kind, error.code]).toEqual(['transient', 'network']);
  });

  it('when CMG is down, then it is transient', async () => {
    harness().emulator.switches.down = true;
    const error = await harness().failure(harness().client({ maxRetries: 0 }).check());
    expect(error.kind).toBe('transient');
  });

  it('when nothing listens on the port, then it is a transient network error', async () => {
    const gone = await startCmgEmulator();
    await gone.close();
    const error = await harness().failure(harness().client({ baseUrl: gone.baseUrl, maxRetries: 0 }).check());
    expect([error.kind, error.code]).toEqual(['transient', 'network']);
    expect(error.message).toContain('ECONNREFUSED');
  });
});

describe('CMG answers that do not match the contract', () => {
  const matchers = () => operationMatchers('/CMG Office/api/calendar/v1');

  it('when the codes answer has the wrong shape, then it is a typed error naming the operation and the field', async () => {
    harness().emulator.fault({ ...matchers().codes, kind: 'status', status: 200, times: 1, body: { codes: [{ code: 11 }] } });
    const error = await harness().failure(harness().client().codes(['en']));
    expect([error.kind, error.code]).toEqual(['configuration', 'contract_mismatch']);
    expect(error.message).toMatch(/^CMG codes response did not match the contract: codes\.0\.code/);
  });

  it('when the check answer is not JSON, then it is a typed error naming check', async () => {
    harness().emulator.fault({ ...matchers().check, kind: 'status', status: 200, times: 1, body: '<html>Login</html>' });
    const error = await harness().failure(harness().client().check());
    expect(error.message).toMatch(/^CMG check response did not match the contract: the body is not JSON/);
  });

  it('when a roster page lacks asOf, then calendarSettings fails with a typed error', async () => {
    harness().emulator.fault({ ...matchers().calendarSettings, kind: 'status', status: 200, times: 1, body: { users: [], nextCursor: null } });
    const error = await harness().failure(harness().client().calendarSettings());
    expect(error.message).toMatch(/^CMG calendarSettings response did not match the contract: asOf/);
  });

  it('when a listed activity has a bad start, then listActivities fails with a typed error', async () => {
    harness().emulator.fault({
      ...matchers().listActivities,
      kind: 'status',
      status: 200,
      times: 1,
      body: { activities: [{ ...activity(), start: 'yesterday', externalId: 'e1' }] },
    });
    const error = await harness().failure(harness().client().listActivities('u1', 'Calendar'));
    expect(error.message).toMatch(/^CMG listActivities response did not match the contract: activities\.0\.start/);
  });
});
