import { describe, expect, it } from 'vitest';
import { classifyGoogleError, type GoogleCallContext } from '../../../../shared/providers/google/google-errors.js';

const MAILBOX: GoogleCallContext = { profileName: 'GWS', address: 'ann@example.com' };

// What gaxios throws for an HTTP answer: the response with its status, data and fetch Headers.
const answered = (status: number, data: unknown, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`Request failed with status code ${status}`), { config: {}, response: { status, data, headers: new Headers(headers) } });
const apiBody = (code: number, reason: string, domain = 'global') => ({ error: { errors: [{ domain, reason, message: reason }], code, message: reason } });

describe('classifyGoogleError', () => {
  it.each([
    [429, apiBody(429, 'rateLimitExceeded', 'usageLimits'), 'throttled'],
    [403, apiBody(403, 'rateLimitExceeded', 'usageLimits'), 'throttled'],
    [403, apiBody(403, 'userRateLimitExceeded', 'usageLimits'), 'throttled'],
    [503, apiBody(503, 'backendError'), 'provider-unavailable'],
    [500, 'Internal error', 'provider-unavailable'],
  ])('when the API answers %i %j, then it is transient and retried', (status, body, code) => {
    expect(classifyGoogleError(answered(status, body), MAILBOX)).toMatchObject({ retry: true, error: { kind: 'transient', code } });
  });

  it('when a throttling answer has Retry-After, then the wait is carried', () => {
    expect(classifyGoogleError(answered(429, apiBody(429, 'rateLimitExceeded'), { 'Retry-After': '7' }), MAILBOX).error.retryAfterMs).toBe(7000);
  });

  it('when the daily quota is exhausted, then it is transient but not retried within the call', () => {
    expect(classifyGoogleError(answered(403, apiBody(403, 'dailyLimitExceeded', 'usageLimits')), MAILBOX)).toMatchObject({ retry: false, error: { kind: 'transient', code: 'quota-exhausted' } });
  });

  // The bodies of field reports: OutlookGoogleCalendarSync #1133 (a day's quota), Inky-Calendar-Server #104 (a minute's).
  const quotaBody = (code: number, reason: string, limit: string) => {
    const message = `Quota exceeded for quota group 'default' and limit '${limit}' of service 'calendar-json.googleapis.com' for consumer 'project_number:653617509806'.`;
    return { error: { errors: [{ domain: 'usageLimits', reason, message }], code, message } };
  };

  it.each([
    [403, 'rateLimitExceeded'],
    [429, 'rateLimitExceeded'],
    [403, 'userRateLimitExceeded'],
  ])('when a per-day quota is exhausted (%i, reason %s), then it is quota-exhausted, not throttled, whatever its reason says', (status, reason) => {
    expect(classifyGoogleError(answered(status, quotaBody(status, reason, 'Queries per day')), MAILBOX)).toMatchObject({ retry: false, error: { kind: 'transient', code: 'quota-exhausted' } });
  });

  it('when a per-minute quota is exceeded with the same kind of message, then it is throttled and retried', () => {
    expect(classifyGoogleError(answered(403, quotaBody(403, 'rateLimitExceeded', 'Queries per minute per user')), MAILBOX)).toMatchObject({ retry: true, error: { kind: 'transient', code: 'throttled' } });
  });

  it.each([
    [403, apiBody(403, 'forbidden'), 'mailbox-unavailable'],
    [404, apiBody(404, 'notFound'), 'mailbox-not-found'],
  ])('when the API answers %i for the mailbox, then it is permanent %s', (status, body, code) => {
    const { error, retry } = classifyGoogleError(answered(status, body), MAILBOX);
    expect(retry).toBe(false);
    expect(error).toMatchObject({ kind: 'permanent', code });
    expect(error.message).toContain('ann@example.com');
  });

  it('when a channel is not found on stop, then it says so rather than blaming a mailbox', () => {
    expect(classifyGoogleError(answered(404, apiBody(404, 'notFound')), { profileName: 'GWS', address: undefined, resource: 'channel' }).error.code).toBe('channel-not-found');
  });

  it('when the sync token is gone (410) or refused (400 on a delta), then a resync is asked for', () => {
    expect(classifyGoogleError(answered(410, apiBody(410, 'fullSyncRequired')), MAILBOX).error.kind).toBe('resync');
    expect(classifyGoogleError(answered(400, apiBody(400, 'invalid')), { ...MAILBOX, incremental: true }).error.kind).toBe('resync');
  });

  it.each([
    [400, 'invalid_grant', 'Invalid email or User ID', 'permanent', 'mailbox-not-found'],
    [401, 'unauthorized_client', 'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.', 'permanent', 'mailbox-unavailable'],
    [400, 'invalid_grant', 'Invalid JWT Signature.', 'configuration', 'google-credentials-rejected'],
    [400, 'invalid_grant', 'Invalid grant: account not found', 'configuration', 'google-credentials-rejected'],
    [400, 'invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.', 'configuration', 'google-credentials-rejected'],
    [401, 'invalid_client', 'The OAuth client was not found.', 'configuration', 'google-credentials-rejected'],
  ])('when the token endpoint answers %i %s "%s", then it is %s %s', (status, error, description, kind, code) => {
    const classified = classifyGoogleError(answered(status, { error, error_description: description }), MAILBOX);
    expect(classified).toMatchObject({ retry: false, error: { kind, code } });
    if (kind === 'configuration') expect(classified.error.message).toContain('"GWS"');
  });

  it('when the service account\'s own token is refused as an unknown subject, then it is configuration (there is no mailbox)', () => {
    const noSubject: GoogleCallContext = { profileName: 'GWS', address: undefined };
    expect(classifyGoogleError(answered(401, { error: 'unauthorized_client' }), noSubject).error.kind).toBe('configuration');
  });

  it('when the request timed out (aborted fetch), then it is a retried transient timeout', () => {
    const aborted = Object.assign(new Error('The operation was aborted.'), { config: {}, cause: Object.assign(new Error('aborted'), { name: 'AbortError' }) });
    expect(classifyGoogleError(aborted, MAILBOX)).toMatchObject({ retry: true, error: { kind: 'transient', code: 'timeout' } });
  });

  it('when the connection failed, then it is a retried transient network error', () => {
    expect(classifyGoogleError(Object.assign(new Error('fetch failed'), { config: {}, code: 'ECONNRESET' }), MAILBOX)).toMatchObject({ retry: true, error: { code: 'network' } });
  });

  it('when something that is not an HTTP failure is thrown, then it is transient unexpected and not retried', () => {
    expect(classifyGoogleError(new TypeError('x is undefined'), MAILBOX)).toMatchObject({ retry: false, error: { kind: 'transient', code: 'unexpected' } });
  });
});
