/**
 * Error answers in Google's shapes.
 * Calendar API: https://developers.google.com/calendar/api/guides/errors
 * OAuth token endpoint: https://developers.google.com/identity/protocols/oauth2/service-account#error-codes
 */
import type { EmulatorResponse } from '../emulator-server.js';

export function apiError(status: number, reason: string, message: string, domain = 'global', headers?: Record<string, string>): EmulatorResponse {
  return { status, ...(headers ? { headers } : {}), body: apiErrorBody(status, reason, message, domain) };
}

export function apiErrorBody(status: number, reason: string, message: string, domain = 'global'): unknown {
  return { error: { errors: [{ domain, reason, message }], code: status, message } };
}

export const notFound = (): EmulatorResponse => apiError(404, 'notFound', 'Not Found');

export const fullSyncRequired = (): EmulatorResponse => apiError(410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.');

export const unauthenticated = (): EmulatorResponse => ({
  status: 401,
  headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
  body: {
    error: {
      code: 401,
      message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      errors: [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }],
      status: 'UNAUTHENTICATED',
    },
  },
});

export const insufficientScope = (): EmulatorResponse => ({
  status: 403,
  body: {
    error: {
      code: 403,
      message: 'Request had insufficient authentication scopes.',
      errors: [{ message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' }],
      status: 'PERMISSION_DENIED',
    },
  },
});

/**
 * Throttling answers (403 usageLimits or 429). `documented`: the messages of guides/errors.
 * `quota-metric`: what the field gets instead, the Cloud quota's own words with the reason
 * `rateLimitExceeded` (Inky-Calendar-Server #104: "Quota exceeded for quota metric 'Queries'
 * and limit 'Queries per minute per user' of service 'calendar-json.googleapis.com' …").
 */
export function rateLimitBody(status: 403 | 429, reason: 'rateLimitExceeded' | 'userRateLimitExceeded', wording: 'documented' | 'quota-metric' = 'documented'): unknown {
  if (wording === 'quota-metric') return apiErrorBody(status, 'rateLimitExceeded', quotaMessage('Queries per minute per user'), 'usageLimits');
  const message = reason === 'rateLimitExceeded' ? 'Rate Limit Exceeded' : 'User Rate Limit Exceeded';
  return apiErrorBody(status, reason, message, 'usageLimits');
}

/**
 * A project's day of queries used up. The field's message names the per-day limit
 * (OutlookGoogleCalendarSync #1133: "Quota exceeded for quota group 'default' and limit
 * 'Queries per day' …"); the reason that came with it is not shown there, so the less kind one
 * is sent: `rateLimitExceeded`, the reason of the per-minute limit, which a client must not
 * take for a backoff of seconds. Google resets it "at midnight Pacific Time" (the documented
 * dailyLimitExceeded message, quoted in chimbori/google-calendar-crx #539).
 */
export function dailyQuotaBody(): unknown {
  return apiErrorBody(403, 'rateLimitExceeded', quotaMessage('Queries per day'), 'usageLimits');
}

const quotaMessage = (limit: string): string =>
  `Quota exceeded for quota metric 'Queries' and limit '${limit}' of service 'calendar-json.googleapis.com' for consumer 'project_number:850000000001'.`;

export const tokenError = (status: number, error: string, description: string): EmulatorResponse => ({
  status,
  body: { error, error_description: description },
});
