import { ClientAuthError, ClientConfigurationError, ServerError } from '@azure/msal-node';
import { GraphError } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors/app-error.js';
import { classifyGraphError, classifyGraphFailure } from '../../../../shared/providers/graph/graph-errors.js';

const graphError = (status: number, code: string, headers?: Record<string, string>): GraphError => {
  const error = new GraphError(status, 'message from Graph');
  error.code = code;
  if (headers) error.headers = new Headers(headers);
  return error;
};

describe('classifyGraphFailure', () => {
  it.each([
    [404, 'ErrorInvalidUser', 'permanent', 'user-not-found'],
    [404, 'ResourceNotFound', 'permanent', 'mailbox-not-found'],
    [404, 'ErrorItemNotFound', 'permanent', 'mailbox-not-found'],
    [404, 'MailboxNotEnabledForRESTAPI', 'permanent', 'mailbox-not-found'],
    [403, 'ErrorAccessDenied', 'permanent', 'mailbox-unavailable'],
    [403, '', 'permanent', 'mailbox-unavailable'],
    [403, 'Authorization_RequestDenied', 'configuration', 'graph-permission-missing'],
    [410, 'SyncStateNotFound', 'resync', 'resync-required'],
    [400, 'resyncRequired', 'resync', 'resync-required'],
    [400, 'SyncStateInvalid', 'resync', 'resync-required'],
    [401, 'InvalidAuthenticationToken', 'configuration', 'graph-unauthorized'],
    [429, 'TooManyRequests', 'transient', 'throttled'],
    [503, 'ServiceUnavailable', 'transient', 'graph-unavailable'],
    [504, 'GatewayTimeout', 'transient', 'graph-unavailable'],
    [400, 'BadRequest', 'permanent', 'graph-rejected'],
  ])('when Graph answers %i %s, then the error is %s %s', (status, code, kind, appCode) => {
    expect(classifyGraphFailure({ status, code }, 'M365')).toMatchObject({ kind, code: appCode });
  });

  it('when a subscription request gets 404, then it means the subscription is gone, not the mailbox', () => {
    expect(classifyGraphFailure({ status: 404, code: 'ResourceNotFound' }, 'M365', 'subscription')).toMatchObject({ kind: 'permanent', code: 'subscription-not-found' });
  });

  it.each([
    [400, 'BadRequest'],
    [400, 'ErrorInvalidParameter'],
  ])('when a request that carried a delta or skip token gets %i %s, then a full resync is needed', (status, code) => {
    expect(classifyGraphFailure({ status, code }, 'M365', 'sync-state')).toMatchObject({ kind: 'resync', code: 'resync-required' });
  });

  it('when a request that carried a token gets 403 or 404, then it is still the mailbox that is refused', () => {
    expect(classifyGraphFailure({ status: 403, code: 'ErrorAccessDenied' }, 'M365', 'sync-state')).toMatchObject({ kind: 'permanent' });
    expect(classifyGraphFailure({ status: 404, code: 'ErrorInvalidUser' }, 'M365', 'sync-state')).toMatchObject({ kind: 'permanent' });
  });

  it('when a 401 is classified, then the message names the profile', () => {
    expect(classifyGraphFailure({ status: 401 }, 'Contoso_M365').message).toContain('"Contoso_M365"');
  });
});

describe('classifyGraphError', () => {
  it('when a GraphError carries Retry-After, then the transient error has it in ms', () => {
    expect(classifyGraphError(graphError(429, 'TooManyRequests', { 'Retry-After': '7' }), 'M365')).toMatchObject({ kind: 'transient', retryAfterMs: 7000 });
  });

  it('when msal reports invalid_client, then the error is configuration with the AADSTS code and without msal\'s text', () => {
    const error = classifyGraphError(new ServerError('invalid_client', 'corr', 'AADSTS7000215: Invalid client secret provided. Trace ID: abc'), 'M365');
    expect(error).toMatchObject({ kind: 'configuration', code: 'graph-credentials' });
    expect(error.message).toContain('AADSTS7000215');
    expect(error.message).not.toContain('Trace ID');
  });

  it('when msal rejects its configuration (e.g. a bad key), then the error is configuration', () => {
    expect(classifyGraphError(new ClientConfigurationError('invalid_cert', 'corr'), 'M365')).toMatchObject({ kind: 'configuration' });
  });

  it('when msal cannot reach the token endpoint, then the error is transient', () => {
    expect(classifyGraphError(new ClientAuthError('network_error', 'corr'), 'M365')).toMatchObject({ kind: 'transient', code: 'token-unavailable' });
  });

  it('when an AppError is thrown, then it passes through unchanged', () => {
    const original = new AppError('transient', 'timeout', { code: 'timeout' });
    expect(classifyGraphError(original, 'M365')).toBe(original);
  });
});
