import { describe, expect, it } from 'vitest';
import { failureFromNetwork, failureFromStatus } from '../../../shared/cmg/cmg-failures.js';

const WHERE = 'CMG upsertActivity (PUT /users/u1/activities/e1)';
const body = (code: string, message = 'why') => JSON.stringify({ error: { code, message } });
const none = () => undefined;

describe('CMG error table', () => {
  it.each([
    [400, body('invalid_activity'), 'permanent', 'invalid_activity', 'never'],
    [400, body('unknown_code'), 'permanent', 'unknown_code', 'never'],
    [400, 'garbage', 'permanent', 'bad_request', 'never'],
    [401, body('unauthorized'), 'configuration', 'unauthorized', 'never'],
    [403, '', 'configuration', 'forbidden', 'never'],
    [404, body('unknown_user'), 'permanent', 'unknown_user', 'never'],
    [404, '<html>Not Found</html>', 'configuration', 'not_found', 'never'],
    [409, body('conflict'), 'transient', 'conflict', 'once'],
    [429, body('busy'), 'transient', 'busy', 'backoff'],
    [503, body('busy'), 'transient', 'busy', 'backoff'],
    [500, '', 'transient', 'server_error', 'backoff'],
    [504, '', 'transient', 'server_error', 'backoff'],
    [307, '', 'configuration', 'redirect', 'never'],
    [422, '', 'permanent', 'http_422', 'never'],
  ])('when CMG answers %i %s, then it is %s %s, retried %s', (status, text, kind, code, retry) => {
    const failure = failureFromStatus(WHERE, status, text, none, 0);
    expect([failure.error.kind, failure.error.code, failure.retry]).toEqual([kind, code, retry]);
    expect(failure.error.message.startsWith(`${WHERE} `)).toBe(true);
  });

  it('when a 429 carries Retry-After as an HTTP date, then retryAfterMs is the time until it', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    const header = (name: string) => (name === 'retry-after' ? 'Wed, 01 Jan 2025 00:00:07 GMT' : undefined);
    expect(failureFromStatus(WHERE, 429, '', header, now).error.retryAfterMs).toBe(7_000);
  });

  it("when CMG's error message is long, then the AppError message keeps it short and keeps the code", () => {
    const failure = failureFromStatus(WHERE, 400, body('invalid_activity', 'x'.repeat(5_000)), none, 0);
    expect(failure.error.message.length).toBeLessThan(WHERE.length + 350);
    expect(failure.error.message).toContain('400 invalid_activity: xxx');
  });

  it('when there is no answer, then it is transient with the given code and no cause', () => {
    const failure = failureFromNetwork(WHERE, 'ECONNRESET socket hang up', 'network');
    expect([failure.error.kind, failure.error.code, failure.retry, failure.error.cause]).toEqual(['transient', 'network', 'backoff', undefined]);
  });
});
