/**
 * Table Storage answers turned into the app's error kinds (STYLE.md habits 3 and 6). Expected
 * answers (404 on delete, 409 on create table) are handled where they occur; this file names
 * the statuses and classifies everything else.
 */
import { AppError, configurationError, permanentError, transientError } from '../errors/app-error.js';

/** The HTTP status of a RestError, if the error is one. */
export function statusOf(error: unknown): number | undefined {
  if (error && typeof error === 'object' && 'statusCode' in error && typeof error.statusCode === 'number') {
    return error.statusCode;
  }
  return undefined;
}

/** Anything a Table Storage call threw, as an AppError naming the table and operation. */
export function toStoreError(error: unknown, table: string, operation: string): AppError {
  if (error instanceof AppError) return error;
  const status = statusOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  const message = `Table ${table}: ${operation} failed${status === undefined ? '' : ` (${status})`}: ${detail}`;
  if (status === 401 || status === 403) return configurationError(message, 'table-access-denied', error);
  if (status === undefined || status === 408 || status === 429 || status >= 500) {
    return transientError(message, 'table-unavailable', undefined, error);
  }
  return permanentError(message, 'table-request-rejected', error);
}

/** Every successful write answers with an ETag; its absence means the answer was not understood. */
export function requireEtag(etag: string | undefined, table: string, key: string): string {
  if (etag === undefined) throw transientError(`Table ${table}: write of ${key} answered without an ETag`, 'table-unexpected-answer');
  return etag;
}
