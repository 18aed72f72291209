import { describe, expect, it } from 'vitest';
import { classifyEwsFailure, classifyEwsHttp } from '../../../../shared/providers/exchange/exchange-errors.js';
import { UNREADABLE_RESPONSE, type EwsFailure } from '../../../../shared/providers/exchange/ews-responses.js';

const failure = (responseCode: string, extra: Partial<EwsFailure> = {}): EwsFailure => ({
  kind: 'ews-failure',
  responseCode,
  message: `message for ${responseCode}`,
  httpStatus: 200,
  ...extra,
});

describe('classifyEwsFailure', () => {
  it('when Exchange answers ErrorServerBusy with BackOffMilliseconds, then it is transient and waits as long as asked', () => {
    expect(classifyEwsFailure(failure('ErrorServerBusy', { httpStatus: 500, backOffMs: 29_572 }), 'ONPREM')).toMatchObject({ kind: 'transient', code: 'throttled', retryAfterMs: 29_572 });
  });

  it.each([
    ['ErrorExceededConnectionCount', 'throttled'],
    ['ErrorTooManyObjectsOpened', 'throttled'],
    ['ErrorInternalServerTransientError', 'exchange-unavailable'],
    ['ErrorMailboxStoreUnavailable', 'exchange-unavailable'],
    ['ErrorMailboxMoveInProgress', 'exchange-unavailable'],
    ['ErrorMailboxFailover', 'exchange-unavailable'],
    ['ErrorTimeoutExpired', 'exchange-unavailable'],
  ])('when Exchange answers %s, then it is transient (%s)', (code, appCode) => {
    const error = classifyEwsFailure(failure(code), 'ONPREM');
    expect(error).toMatchObject({ kind: 'transient', code: appCode });
    expect(error.retryAfterMs).toBeUndefined();
  });

  it.each(['ErrorNonExistentMailbox', 'ErrorMailRecipientNotFound', 'ErrorInvalidSmtpAddress'])(
    'when Exchange answers %s, then it is positive evidence: mailbox-not-found, the code failover treats as evidence',
    (code) => {
      expect(classifyEwsFailure(failure(code, { httpStatus: 500 }), 'ONPREM')).toMatchObject({ kind: 'permanent', code: 'mailbox-not-found' });
    },
  );

  it.each(['ErrorImpersonateUserDenied', 'ErrorImpersonationDenied', 'ErrorAccessDenied', 'ErrorFolderNotFound', 'ErrorItemNotFound'])(
    'when the mailbox answers %s, then it is a refusal (mailbox-unavailable, as Graph\'s 403): counted by the circuit, never evidence',
    (code) => {
      expect(classifyEwsFailure(failure(code, { httpStatus: 500 }), 'ONPREM', 'mailbox')).toMatchObject({ kind: 'permanent', code: 'mailbox-unavailable' });
    },
  );

  it('when the sync state is refused, then a full sync follows', () => {
    expect(classifyEwsFailure(failure('ErrorInvalidSyncStateData'), 'ONPREM')).toMatchObject({ kind: 'resync', code: 'resync-required' });
  });

  it('when a watermark is refused, then the subscription starts afresh', () => {
    expect(classifyEwsFailure(failure('ErrorInvalidWatermark'), 'ONPREM', 'subscription')).toMatchObject({ kind: 'resync', code: 'watermark-invalid' });
  });

  it.each(['ErrorItemNotFound', 'ErrorCalendarOccurrenceIsDeletedFromRecurrence'])('when a stale item id gets %s, then the item is gone, not the mailbox', (code) => {
    expect(classifyEwsFailure(failure(code), 'ONPREM', 'item')).toMatchObject({ kind: 'permanent', code: 'item-gone' });
  });

  it.each(['ErrorSubscriptionNotFound', 'ErrorExpiredSubscription', 'ErrorInvalidSubscription'])('when a subscription request gets %s, then the subscription is gone', (code) => {
    expect(classifyEwsFailure(failure(code), 'ONPREM', 'subscription')).toMatchObject({ kind: 'permanent', code: 'subscription-not-found' });
  });

  it('when a delegate asks for the automatic replies, then Exchange\'s "not mailbox owner" fault (no ResponseCode) is a refusal of that read only', () => {
    // As the reader gives it: no ResponseCode, so the faultcode's local name
    const fault = failure('Client', {
      httpStatus: 500,
      message: 'Microsoft.Exchange.Data.Storage.AccessDeniedException: User is not mailbox owner. User = S-1-5-21-1, MailboxGuid = S-1-5-21-2 ---> User is not mailbox owner.',
    });
    expect(classifyEwsFailure(fault, 'ONPREM', 'automatic-replies')).toMatchObject({ kind: 'permanent', code: 'automatic-replies-refused' });
    expect(classifyEwsFailure(failure('ErrorAccessDenied'), 'ONPREM', 'automatic-replies')).toMatchObject({ code: 'automatic-replies-refused' });
    // The same fault on the calendar is no refusal of the automatic replies
    expect(classifyEwsFailure(fault, 'ONPREM', 'mailbox')).toMatchObject({ kind: 'permanent', code: 'exchange-rejected' });
  });

  it('when Exchange refuses the push URL or the request version, then the profile\'s configuration is named', () => {
    const url = classifyEwsFailure(failure('ErrorInvalidPushSubscriptionUrl'), 'ONPREM', 'subscription');
    expect(url).toMatchObject({ kind: 'configuration', code: 'exchange-push-url-refused' });
    expect(url.message).toContain('"ONPREM"');
    expect(classifyEwsFailure(failure('ErrorInvalidServerVersion'), 'ONPREM')).toMatchObject({ kind: 'configuration', code: 'exchange-version' });
    expect(classifyEwsFailure(failure('ErrorSubscriptionDelegateAccessNotSupported'), 'ONPREM', 'subscription')).toMatchObject({ kind: 'configuration', code: 'exchange-push-delegate' });
  });

  it.each(['ErrorExceededFindCountLimit', 'ErrorCalendarViewRangeTooBig'])('when the window is too large for one CalendarView (%s), then the caller is told to split it', (code) => {
    expect(classifyEwsFailure(failure(code), 'ONPREM')).toMatchObject({ kind: 'permanent', code: 'window-too-big' });
  });

  it('when the code is unknown, then the request is rejected for good and the message names the code, never Exchange\'s text', () => {
    const error = classifyEwsFailure(failure('ErrorSchemaValidation', { message: 'secret-looking text about alice@contoso.com' }), 'ONPREM');
    expect(error).toMatchObject({ kind: 'permanent', code: 'exchange-rejected' });
    expect(error.message).toContain('ErrorSchemaValidation');
    expect(error.message).not.toContain('alice@contoso.com');
  });

  it('when the answer was no EWS answer (an IIS or load balancer page), then the HTTP status decides', () => {
    expect(classifyEwsFailure(failure(UNREADABLE_RESPONSE, { httpStatus: 503 }), 'ONPREM')).toMatchObject({ kind: 'transient', code: 'exchange-unavailable' });
    expect(classifyEwsFailure(failure(UNREADABLE_RESPONSE, { httpStatus: 404 }), 'ONPREM')).toMatchObject({ kind: 'configuration', code: 'exchange-url-not-found' });
  });
});

describe('classifyEwsHttp', () => {
  it.each([
    [401, 'configuration', 'exchange-credentials-rejected'],
    [403, 'configuration', 'exchange-forbidden'],
    [404, 'configuration', 'exchange-url-not-found'],
    [302, 'transient', 'exchange-unavailable'],
    [429, 'transient', 'throttled'],
    [500, 'transient', 'exchange-unavailable'],
    [502, 'transient', 'exchange-unavailable'],
    [503, 'transient', 'exchange-unavailable'],
    [504, 'transient', 'exchange-unavailable'],
    [400, 'permanent', 'exchange-rejected'],
  ])('when the web server answers %i, then the error is %s %s', (status, kind, code) => {
    expect(classifyEwsHttp(status, 'ONPREM')).toMatchObject({ kind, code });
  });

  it('when a 503 says how long to wait, then the wait is kept', () => {
    expect(classifyEwsHttp(503, 'ONPREM', 5_000).retryAfterMs).toBe(5_000);
  });

  it('when the account is refused, then the message names the profile and the settings, not the password', () => {
    const message = classifyEwsHttp(401, 'ONPREM').message;
    expect(message).toContain('"ONPREM"');
    expect(message).toContain('PASSWORD');
  });
});
