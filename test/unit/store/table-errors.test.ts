import { RestError } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { transientError } from '../../../shared/errors/app-error.js';
import { toStoreError } from '../../../shared/store/table-errors.js';

const rest = (statusCode: number) => new RestError('service said no', { statusCode });

describe('toStoreError', () => {
  it('when access is denied, then it is a configuration error', () => {
    expect(toStoreError(rest(403), 'Mailboxes', 'get')).toMatchObject({ kind: 'configuration', code: 'table-access-denied' });
    expect(toStoreError(rest(401), 'Mailboxes', 'get').kind).toBe('configuration');
  });

  it('when the service is busy, failing or unreachable, then it is transient', () => {
    for (const error of [rest(503), rest(500), rest(429), rest(408), new Error('ECONNREFUSED')]) {
      expect(toStoreError(error, 'Mailboxes', 'get')).toMatchObject({ kind: 'transient', code: 'table-unavailable' });
    }
  });

  it('when the request is rejected, then it is permanent and the message names table, operation and status', () => {
    const error = toStoreError(rest(400), 'Activities', 'put u-1/x');

    expect(error).toMatchObject({ kind: 'permanent', code: 'table-request-rejected' });
    expect(error.message).toBe('Table Activities: put u-1/x failed (400): service said no');
  });

  it('when given an AppError, then it is returned unchanged', () => {
    const original = transientError('x', 'y');

    expect(toStoreError(original, 'State', 'get')).toBe(original);
  });
});
