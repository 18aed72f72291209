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

/** The documented throttling answers (403 usageLimits or 429). */
export function rateLimitBody(status: 403 | 429, reason: 'rateLimitExceeded' | 'userRateLimitExceeded'): unknown {
  const message = reason === 'rateLimitExceeded' ? 'Rate Limit Exceeded' : 'User Rate Limit Exceeded';
  return apiErrorBody(status, reason, message, 'usageLimits');
}

export const tokenError = (status: number, error: string, description: string): EmulatorResponse => ({
  status,
  body: { error, error_description: description },
});
