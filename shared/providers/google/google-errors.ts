/**
 * Every failure of a Google call, as the AppError the sync job decides by (calendar-provider.ts).
 * The one place that knows Google's error shapes:
 * - Calendar API: `{ error: { code, message, errors: [{ domain, reason, message }] } }`
 *   https://developers.google.com/calendar/api/guides/errors
 * - OAuth token endpoint: `{ error, error_description }` (RFC 6749 §5.2)
 *   https://developers.google.com/identity/protocols/oauth2/service-account#error-codes
 * Messages name the profile and the mailbox, never a key, token or event text.
 */
import { z } from 'zod';
import {
  AppError,
  configurationError,
  permanentError,
  resyncRequired,
  transientError,
} from '../../errors/app-error.js';
import { parseRetryAfter } from '../../errors/retry-after.js';

/** Where the call was going: decides what an error means (a 404 on stop is not a lost mailbox). */
export interface GoogleCallContext {
  readonly profileName: string;
  /** The mailbox (delegation subject); undefined for the service account's own token. */
  readonly address: string | undefined;
  /** An incremental list with a sync token (a 400 / 410 then means the token is unusable). */
  readonly incremental?: boolean;
  /** What a 404 is about: the mailbox's calendar (default), a push channel, or a series listed by events.instances. */
  readonly resource?: 'calendar' | 'channel' | 'series';
}

const ApiErrorBody = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().optional(),
    errors: z.array(z.object({ domain: z.string().optional(), reason: z.string().optional(), message: z.string().optional() })).optional(),
  }),
});

const TokenErrorBody = z.object({ error: z.string(), error_description: z.string().optional() });

/** What gaxios throws, read without depending on its classes. */
const HttpFailure = z.object({
  code: z.unknown().optional(),
  name: z.string().optional(),
  config: z.unknown().optional(),
  cause: z.object({ name: z.string().optional() }).loose().optional().catch(undefined),
  response: z
    .object({
      status: z.number(),
      data: z.unknown().optional(),
      headers: z.unknown().optional(),
    })
    .optional(),
});

// Per-user and per-project throttling; Google asks for exponential backoff on these.
// https://developers.google.com/calendar/api/guides/quota#backoff
const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);
// Quotas that do not recover within seconds: transient, but not worth an immediate retry.
const QUOTA_REASONS = new Set(['dailyLimitExceeded', 'quotaExceeded']);
// A per-day quota can come with any reason: field reports show "Quota exceeded for quota group
// 'default' and limit 'Queries per day' …" (OutlookGoogleCalendarSync #1133) beside the per-minute
// "… limit 'Queries per minute per user' …" that comes as `rateLimitExceeded` (Inky-Calendar-Server
// #104). The limit the message names decides: a day's quota does not come back with a backoff.
const DAILY_LIMIT = /\bper day\b|\bdaily limit\b/i;
// Token-endpoint `invalid_grant` descriptions that are about the subject, not about our key.
const UNKNOWN_SUBJECT = /invalid email or user id|not a valid email/i;

/** An AppError plus whether our bounded in-call retry should try again. */
export interface ClassifiedError {
  readonly error: AppError;
  readonly retry: boolean;
}

export function classifyGoogleError(thrown: unknown, context: GoogleCallContext): ClassifiedError {
  if (thrown instanceof AppError) return { error: thrown, retry: false };
  const who = context.address === undefined ? `profile "${context.profileName}"` : `${context.address} (profile "${context.profileName}")`;
  const failure = HttpFailure.safeParse(thrown);
  const response = failure.success ? failure.data.response : undefined;
  if (!response) return noResponse(who, failure.success ? failure.data : undefined);

  const status = response.status;
  const retryAfterMs = parseRetryAfter(headerReader(response.headers));
  const token = TokenErrorBody.safeParse(response.data);
  if (token.success) return tokenError(token.data, status, who, context, retryAfterMs);

  const api = ApiErrorBody.safeParse(response.data);
  const reasons = api.success ? (api.data.error.errors ?? []).map((e) => e.reason ?? '') : [];
  const reason = reasons.find((r) => r !== '') ?? `http-${status}`;
  const cause = { status, reason };
  const messages = api.success ? [api.data.error.message ?? '', ...(api.data.error.errors ?? []).map((e) => e.message ?? '')] : [];

  if ((status === 429 || status === 403) && messages.some((m) => DAILY_LIMIT.test(m))) {
    return { error: transientError(`Google quota exhausted for ${who}: ${reason}, a daily limit`, 'quota-exhausted', retryAfterMs, cause), retry: false };
  }
  if (status === 429 || (status === 403 && reasons.some((r) => RATE_LIMIT_REASONS.has(r)))) {
    return { error: transientError(`Google throttled ${who}: ${status} ${reason}`, 'throttled', retryAfterMs, cause), retry: true };
  }
  if (status === 403 && reasons.some((r) => QUOTA_REASONS.has(r))) {
    return { error: transientError(`Google quota exhausted for ${who}: ${reason}`, 'quota-exhausted', retryAfterMs, cause), retry: false };
  }
  if (status >= 500) {
    return { error: transientError(`Google failed for ${who}: ${status} ${reason}`, 'provider-unavailable', retryAfterMs, cause), retry: true };
  }
  // A series deleted (410) or never there (404): its occurrences are gone, the sync token is fine.
  if ((status === 404 || status === 410) && context.resource === 'series') {
    return { error: permanentError(`Google knows no series any more for ${who}: ${status} ${reason}`, 'series-gone', cause), retry: false };
  }
  // https://developers.google.com/calendar/api/guides/sync#full_sync_required_by_server
  if (status === 410) return { error: resyncRequired(`Google sync token of ${who} expired: full sync required`, 'resync-required', cause), retry: false };
  if (status === 400 && context.incremental) {
    return { error: resyncRequired(`Google rejected the sync token of ${who} (${reason}): full sync required`, 'resync-required', cause), retry: false };
  }
  if (status === 401) {
    // Our token was refused although it had not expired: the next job mints a new one.
    return { error: transientError(`Google refused the access token for ${who}`, 'auth-rejected', undefined, cause), retry: false };
  }
  if (status === 404 && context.resource === 'channel') {
    return { error: permanentError(`Google knows no such channel (${who})`, 'channel-not-found', cause), retry: false };
  }
  if (status === 404) {
    return { error: permanentError(`Google knows no calendar of ${who}: ${status} ${reason}`, 'mailbox-not-found', cause), retry: false };
  }
  if (status === 403) {
    return { error: permanentError(`Google will not serve the calendar of ${who}: ${status} ${reason}`, 'mailbox-unavailable', cause), retry: false };
  }
  return { error: transientError(`Google answered ${status} ${reason} for ${who}`, 'unexpected-response', undefined, cause), retry: false };
}

function tokenError(
  body: z.infer<typeof TokenErrorBody>,
  status: number,
  who: string,
  context: GoogleCallContext,
  retryAfterMs: number | undefined,
): ClassifiedError {
  const description = body.error_description ?? '';
  const cause = { status, reason: body.error };
  if (status === 429 || status >= 500) {
    return { error: transientError(`Google token endpoint failed for ${who}: ${status} ${body.error}`, 'provider-unavailable', retryAfterMs, cause), retry: true };
  }
  // Domain-wide delegation refused for this subject: the user does not exist in the domain
  // (invalid_grant "Invalid email or User ID": evidence) or the domain has not delegated our
  // scopes to this client (unauthorized_client). Either way another profile may serve the mailbox.
  if (context.address !== undefined && body.error === 'invalid_grant' && UNKNOWN_SUBJECT.test(description)) {
    return { error: permanentError(`Google knows no user ${who}: ${body.error} ${description}`.trim(), 'mailbox-not-found', cause), retry: false };
  }
  // A revoked delegation refuses every subject alike: a refusal, not evidence about the mailbox.
  if (context.address !== undefined && body.error === 'unauthorized_client') {
    return { error: permanentError(`Google will not issue a token for ${who}: ${body.error} ${description}`.trim(), 'mailbox-unavailable', cause), retry: false };
  }
  // Everything else is about our own credentials: "Invalid JWT Signature." (a key that is not
  // the service account's), "account not found" (deleted service account), invalid_client,
  // invalid_scope, clock skew ("Token must be a short-lived token").
  return {
    error: configurationError(
      `Google profile "${context.profileName}": the service account credentials were rejected (${body.error}${description ? `: ${description}` : ''})`,
      'google-credentials-rejected',
      cause,
    ),
    retry: false,
  };
}

function noResponse(who: string, failure: z.infer<typeof HttpFailure> | undefined): ClassifiedError {
  const code = typeof failure?.code === 'string' ? failure.code : undefined;
  // The per-request timeout aborts the fetch; nothing else here aborts one.
  const aborted = [code, failure?.name, failure?.cause?.name].some((n) => n === 'TimeoutError' || n === 'AbortError');
  if (aborted) {
    return { error: transientError(`Google did not answer in time for ${who}`, 'timeout', undefined, { code }), retry: true };
  }
  // gaxios wraps every failed exchange (refused, reset, DNS) with the request's config.
  if (failure?.config !== undefined) {
    return { error: transientError(`Google could not be reached for ${who}${code ? `: ${code}` : ''}`, 'network', undefined, { code }), retry: true };
  }
  return { error: transientError(`Unexpected failure calling Google for ${who}`, 'unexpected', undefined, { name: failure?.name, code }), retry: false };
}

function headerReader(headers: unknown): (name: string) => string | null | undefined {
  // A fetch Headers, though not necessarily this realm's class.
  const get = (headers as { get?: unknown } | undefined)?.get;
  if (typeof get === 'function') return (name) => get.call(headers, name) as string | null;
  if (headers && typeof headers === 'object') {
    const record = headers as Record<string, unknown>;
    return (name) => {
      const value = record[name] ?? record[name.toLowerCase()];
      return typeof value === 'string' ? value : undefined;
    };
  }
  return () => undefined;
}
