/**
 * Everything the Graph provider can catch, as one AppError (calendar-provider.ts contract).
 * Graph error codes: https://learn.microsoft.com/graph/errors
 * Delta sync state lost (410 SyncStateNotFound): https://learn.microsoft.com/graph/delta-query-overview
 * Entra ID sign-in errors (AADSTS…): https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 */
import { AuthError, ClientConfigurationError } from '@azure/msal-node';
import { GraphError } from '@microsoft/microsoft-graph-client';
import { AppError, configurationError, permanentError, resyncRequired, toAppError, transientError } from '../../errors/app-error.js';
import { parseRetryAfter } from '../../errors/retry-after.js';

/** What Graph said about one failed request: from a thrown GraphError or a `$batch` sub-response. */
export interface GraphFailure {
  readonly status: number;
  /** `error.code` of the body, when there was one. */
  readonly code?: string | undefined;
  readonly retryAfterMs?: number | undefined;
}

const RESYNC_CODES = new Set(['syncstatenotfound', 'resyncrequired', 'syncstateinvalid']);
/**
 * Codes that are Graph's positive evidence that the user, mailbox or calendar does not exist
 * for Exchange Online (unknown user, no REST-enabled mailbox). Only these may make a mailbox
 * invalid at once (ARCHITECTURE.md "Failure containment").
 */
const NOT_FOUND_CODES = new Set([
  'erroritemnotfound',
  'resourcenotfound',
  'request_resourcenotfound',
  'mailboxnotenabledforrestapi',
  'mailboxnotsupportedforrestapi',
  'errorinvaliduser',
  'errornonexistentmailbox',
]);
/**
 * "Access is denied": the mailbox exists but this app may not read it — scoped out by RBAC for
 * Applications or an access policy, or consent withdrawn for everyone. A refusal, not evidence.
 */
const REFUSAL_CODES = new Set(['erroraccessdenied']);
/** Server-side trouble worth another try. */
export const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
/** msal error codes meaning the app registration, tenant or credential is wrong. */
const CREDENTIAL_CODES = new Set(['invalid_client', 'unauthorized_client', 'invalid_request', 'invalid_scope', 'invalid_grant', 'invalid_resource', 'invalid_tenant']);

/**
 * What the failed request addressed: a 404 on a subscription means it is gone, not the mailbox;
 * a 400 on a request that carried a delta or skip token means the token is no longer good.
 */
export type GraphTarget = 'mailbox' | 'subscription' | 'sync-state';

export function classifyGraphFailure(failure: GraphFailure, profileName: string, target: GraphTarget = 'mailbox'): AppError {
  const code = (failure.code ?? '').toLowerCase();
  const label = failure.code ? `${failure.status} ${failure.code}` : String(failure.status);
  if (target === 'subscription' && failure.status === 404) {
    return permanentError(`The subscription no longer exists (${label})`, 'subscription-not-found');
  }
  if (failure.status === 410 || RESYNC_CODES.has(code) || (target === 'sync-state' && failure.status === 400)) {
    return resyncRequired(`Graph forgot the delta state (${label}); a full sync is needed`, 'resync-required');
  }
  if (failure.status === 401) {
    return configurationError(
      `Graph profile "${profileName}": the access token was refused (${label}); check the app registration and its credentials`,
      'graph-unauthorized',
    );
  }
  if (failure.status === 403 && code === 'authorization_requestdenied') {
    return configurationError(`Graph profile "${profileName}": the app lacks a permission (${label})`, 'graph-permission-missing');
  }
  // Creating a subscription for a user Exchange does not know answers 400 ExtensionError
  // ("the resource … is not supported or the user does not exist").
  const unknownSubscriptionUser = failure.status === 400 && code === 'extensionerror';
  // Outlook's "no such user" for `/users/{x}/…`: x is neither an object id nor a UPN.
  if (failure.status === 404 && code === 'errorinvaliduser') return permanentError(`Graph knows no user by this name (${label})`, 'user-not-found');
  if (failure.status === 404 || unknownSubscriptionUser || NOT_FOUND_CODES.has(code)) {
    return permanentError(`The mailbox does not exist for this app (${label})`, 'mailbox-not-found');
  }
  if ((failure.status === 403 && code === '') || REFUSAL_CODES.has(code)) {
    return permanentError(`The mailbox is not available to this app (${label})`, 'mailbox-unavailable');
  }
  if (RETRYABLE_STATUS.has(failure.status)) {
    return transientError(`Graph is busy or failing (${label})`, failure.status === 429 ? 'throttled' : 'graph-unavailable', failure.retryAfterMs);
  }
  return permanentError(`Graph rejected the request (${label})`, 'graph-rejected');
}

function fromMsal(error: AuthError, profileName: string): AppError {
  // Only the error code and AADSTS number leave here: msal messages are long and echo request details.
  const aadsts = /AADSTS\d+/.exec(error.errorMessage ?? '')?.[0];
  const label = aadsts ? `${error.errorCode}, ${aadsts}` : error.errorCode;
  if (error instanceof ClientConfigurationError || CREDENTIAL_CODES.has(error.errorCode)) {
    return configurationError(
      `Graph profile "${profileName}": Entra ID rejected the app's sign-in (${label}); check tenant, client id and secret or certificate`,
      'graph-credentials',
    );
  }
  return transientError(`Graph profile "${profileName}": sign-in failed (${label})`, 'token-unavailable', undefined, error);
}

/** Anything thrown by msal, the Graph client or the transport, as an AppError. */
export function classifyGraphError(error: unknown, profileName: string, target: GraphTarget = 'mailbox'): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof AuthError) return fromMsal(error, profileName);
  if (error instanceof GraphError && error.statusCode > 0) {
    const headers = error.headers;
    return classifyGraphFailure(
      { status: error.statusCode, code: error.code ?? undefined, retryAfterMs: headers ? parseRetryAfter((name) => headers.get(name)) : undefined },
      profileName,
      target,
    );
  }
  return toAppError(error);
}
