/**
 * The one error hierarchy used at every boundary (STYLE.md habit 6). Each external system's
 * adapter turns what it catches into one of these, so the use cases decide by `kind` alone.
 */

/** What the caller should do about an error. */
export type ErrorKind =
  /** Settings or credentials are wrong: stop, report, alert. Retrying will not help. */
  | 'configuration'
  /** This item (mailbox, activity) cannot be processed as it is: report it, do not retry. */
  | 'permanent'
  /** Worth retrying later, after `retryAfterMs` when the service said so. */
  | 'transient'
  /** The provider forgot our sync state (delta / sync token expired): do a full sync. */
  | 'resync';

export interface AppErrorOptions {
  /** Machine-readable reason, e.g. `mailbox-not-found`, `unknown_code`, `throttled`. */
  code: string;
  /** For transient errors: how long the service asked us to wait. */
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly retryAfterMs: number | undefined;

  constructor(kind: ErrorKind, message: string, options: AppErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.kind = kind;
    this.code = options.code;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export const configurationError = (message: string, code = 'configuration', cause?: unknown): AppError =>
  new AppError('configuration', message, { code, cause });

export const permanentError = (message: string, code: string, cause?: unknown): AppError =>
  new AppError('permanent', message, { code, cause });

export const transientError = (message: string, code: string, retryAfterMs?: number, cause?: unknown): AppError =>
  new AppError('transient', message, { code, retryAfterMs, cause });

export const resyncRequired = (message: string, code = 'resync-required', cause?: unknown): AppError =>
  new AppError('resync', message, { code, cause });

export const isAppError = (value: unknown): value is AppError => value instanceof AppError;

/**
 * Anything thrown, as an AppError. Unknown errors are treated as transient: a bug or an
 * unexpected outage is retried a bounded number of times, then dead-lettered with its reason.
 */
export function toAppError(value: unknown): AppError {
  if (value instanceof AppError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return transientError(`Unexpected error: ${message}`, 'unexpected', undefined, value);
}
