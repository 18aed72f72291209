/**
 * Everything the Exchange (EWS) provider can be told by the server, as one AppError
 * (calendar-provider.ts contract), with the failure-containment rules Graph and Google follow
 * (ARCHITECTURE.md): positive evidence that a mailbox does not exist is `mailbox-not-found`;
 * a refusal of a mailbox that exists is `mailbox-unavailable`, which the profile's circuit counts
 * and which never wipes anything; throttling is transient and honours BackOffMilliseconds.
 * Response codes: Microsoft's EWS reference, ResponseCode (web-service-reference/responsecode.md);
 * throttling faults and what to retry: ews-throttling-in-exchange.md, exchangelib
 * (services/common.py, protocol.py) and Thunderbird's EWS client.
 */
import { configurationError, permanentError, resyncRequired, transientError, type AppError } from '../../errors/app-error.js';
import { UNREADABLE_RESPONSE, type EwsFailure } from './ews-responses.js';

/**
 * What the failed request addressed. An item that is not found is gone; a mailbox whose calendar
 * is "not found" is refused (Exchange says the same when the caller lacks the right); a refused
 * automatic-replies read is a fact of delegate access, not a failure of the mailbox; so is a
 * refused read of the regional configuration (a delegate sees the calendar, not the root folder),
 * whose absence (ErrorItemNotFound) means the user never chose a time zone.
 */
export type EwsSubject = 'mailbox' | 'item' | 'subscription' | 'automatic-replies' | 'regional-configuration';

/** The server, the account or the store is overloaded: retry after the wait Exchange asks for. */
const THROTTLED = new Set(['ErrorServerBusy', 'ErrorExceededConnectionCount', 'ErrorTooManyObjectsOpened', 'ErrorExceededSubscriptionCount']);

/** Passing trouble on Exchange's side: the mailbox database fails over or moves, a back end is slow. */
const UNAVAILABLE = new Set([
  'ErrorInternalServerTransientError',
  'ErrorInternalServerError',
  'ErrorMailboxStoreUnavailable',
  'ErrorMailboxMoveInProgress',
  'ErrorMailboxFailover',
  'ErrorConnectionFailed',
  'ErrorTimeoutExpired',
  'ErrorNoRespondingCASInDestinationSite',
  'ErrorNotEnoughMemory',
]);

/** Exchange's positive evidence that no mailbox answers to the address. */
const NO_MAILBOX = new Set(['ErrorNonExistentMailbox', 'ErrorMailRecipientNotFound', 'ErrorInvalidSmtpAddress']);

/**
 * The mailbox exists but this account may not read it: outside the impersonation scope, no
 * impersonation right at all, no folder permission in delegate mode. ErrorFolderNotFound and
 * ErrorItemNotFound on the calendar itself belong here: Exchange answers them for "not found or
 * you do not have permission", which is no evidence that the mailbox is gone.
 */
const REFUSED = new Set(['ErrorImpersonateUserDenied', 'ErrorImpersonationDenied', 'ErrorAccessDenied', 'ErrorFolderNotFound', 'ErrorItemNotFound']);

/** A stale item or occurrence id: the item was deleted (or the occurrence cancelled) since. */
const ITEM_GONE = new Set(['ErrorItemNotFound', 'ErrorCalendarOccurrenceIsDeletedFromRecurrence']);

/** A push subscription Exchange no longer keeps (expired, server restarted, unsubscribed). */
const SUBSCRIPTION_GONE = new Set(['ErrorSubscriptionNotFound', 'ErrorExpiredSubscription', 'ErrorInvalidSubscription']);

/** The window is too large for one CalendarView: the caller splits it (never drops events). */
const WINDOW_TOO_BIG = new Set(['ErrorExceededFindCountLimit', 'ErrorCalendarViewRangeTooBig']);

/** HTTP answers without a SOAP response worth another try (load balancer, IIS, proxy). */
const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/**
 * GetUserOofSettings refused to a delegate: a SOAP fault with no ResponseCode (the reader gives
 * the faultcode's local name, `Client`), only "AccessDeniedException: User is not mailbox owner"
 * (getuseroofsettings-operation.md).
 */
const NOT_MAILBOX_OWNER = /not mailbox owner|AccessDeniedException/i;

export function classifyEwsFailure(failure: EwsFailure, profileName: string, subject: EwsSubject = 'mailbox'): AppError {
  const code = failure.responseCode;
  const label = code ? `${code}, HTTP ${failure.httpStatus}` : `HTTP ${failure.httpStatus}`;
  if (subject === 'automatic-replies' && (REFUSED.has(code) || NOT_MAILBOX_OWNER.test(failure.message))) {
    return permanentError(`Exchange does not show the automatic replies to this account (${label})`, 'automatic-replies-refused');
  }
  if (subject === 'regional-configuration' && code === 'ErrorItemNotFound') {
    return permanentError(`The mailbox has no regional configuration (${label})`, 'time-zone-not-set');
  }
  if (subject === 'regional-configuration' && REFUSED.has(code)) {
    return permanentError(`Exchange does not show the mailbox's regional configuration to this account (${label})`, 'time-zone-unavailable');
  }
  // Not an EWS answer at all (an IIS or load balancer page): what the web server said decides.
  if (code === '' || code === UNREADABLE_RESPONSE) return classifyEwsHttp(failure.httpStatus, profileName);
  if (THROTTLED.has(code)) return transientError(`Exchange is busy (${label})`, 'throttled', failure.backOffMs);
  if (UNAVAILABLE.has(code)) return transientError(`Exchange is failing for now (${label})`, 'exchange-unavailable', failure.backOffMs);
  if (code === 'ErrorInvalidSyncStateData') return resyncRequired(`Exchange refused the sync state (${label}); a full sync is needed`, 'resync-required');
  if (code === 'ErrorInvalidWatermark') return resyncRequired(`Exchange refused the subscription's watermark (${label}); subscribing afresh`, 'watermark-invalid');
  if (subject === 'item' && ITEM_GONE.has(code)) return permanentError(`The item no longer exists (${label})`, 'item-gone');
  if (subject === 'subscription' && SUBSCRIPTION_GONE.has(code)) return permanentError(`Exchange no longer keeps the subscription (${label})`, 'subscription-not-found');
  if (code === 'ErrorInvalidPushSubscriptionUrl') {
    return configurationError(`Exchange profile "${profileName}": Exchange refused the push callback URL (${label}); check WEBHOOK_BASE_URL, or set PUSH=false`, 'exchange-push-url-refused');
  }
  if (code === 'ErrorSubscriptionDelegateAccessNotSupported') {
    return configurationError(`Exchange profile "${profileName}": Exchange refuses push subscriptions to a delegate (${label}); such a profile is polled`, 'exchange-push-delegate');
  }
  if (code === 'ErrorInvalidServerVersion') {
    return configurationError(`Exchange profile "${profileName}": the server does not speak Exchange2013_SP1 (${label}); Exchange Server 2013 SP1 or later is needed`, 'exchange-version');
  }
  if (NO_MAILBOX.has(code)) return permanentError(`Exchange has no mailbox at this address (${label})`, 'mailbox-not-found');
  if (REFUSED.has(code)) return permanentError(`The mailbox is not available to this account (${label})`, 'mailbox-unavailable');
  // The caller splits the window and reads the halves (exchange-calendar-read.ts).
  if (WINDOW_TOO_BIG.has(code)) return permanentError(`The calendar window is too large for one read (${label})`, 'window-too-big');
  return permanentError(`Exchange rejected the request (${label})`, 'exchange-rejected');
}

/**
 * An HTTP answer that carried no EWS response: what the web server, a load balancer or a proxy
 * said. 401 and 403 refuse the account or the address for every mailbox: the profile's
 * configuration. 404 means the URL is not EWS. A redirect is Exchange's front end sending an
 * error page (exchangelib retries a 302 to genericerrorpage.htm): passing, like the 5xx.
 */
export function classifyEwsHttp(status: number, profileName: string, retryAfterMs?: number): AppError {
  if (status === 401) {
    return configurationError(`Exchange profile "${profileName}": the service account was refused (HTTP 401); check USER_NAME and PASSWORD`, 'exchange-credentials-rejected');
  }
  if (status === 403) {
    return configurationError(`Exchange profile "${profileName}": the EWS endpoint refused this app (HTTP 403); check the EWS virtual directory's authentication and IP restrictions`, 'exchange-forbidden');
  }
  if (status === 404) {
    return configurationError(`Exchange profile "${profileName}": no EWS endpoint at EWS_URL (HTTP 404)`, 'exchange-url-not-found');
  }
  if ((status >= 300 && status < 400) || RETRYABLE_STATUS.has(status)) {
    return transientError(`Exchange is busy or failing (HTTP ${status})`, status === 429 ? 'throttled' : 'exchange-unavailable', retryAfterMs);
  }
  return permanentError(`Exchange rejected the request (HTTP ${status})`, 'exchange-rejected');
}
