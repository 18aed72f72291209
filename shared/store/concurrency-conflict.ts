/** The one storage error the use cases handle themselves: an ETag-guarded write met another writer. */
import { AppError } from '../errors/app-error.js';

/**
 * Another writer changed (or deleted) the entity since it was read: re-read, re-apply, retry.
 * Transient, so a caller that does not handle it still gets a bounded retry.
 */
export class ConcurrencyConflictError extends AppError {
  constructor(table: string, key: string, cause: unknown) {
    super('transient', `${table} ${key} was changed by another writer; read it again and retry`, {
      code: 'concurrency-conflict',
      cause,
    });
    this.name = 'ConcurrencyConflictError';
  }
}

export const isConcurrencyConflict = (value: unknown): value is ConcurrencyConflictError =>
  value instanceof ConcurrencyConflictError;
