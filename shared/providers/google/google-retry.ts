/**
 * The one retry loop for Google calls: throttling (429, 403 rate limits), 5xx, timeouts and
 * network failures are retried up to `maxRetries` times, waiting what the server asked
 * (Retry-After) or an exponential backoff with jitter, as Google recommends
 * (https://developers.google.com/calendar/api/guides/quota#backoff). A wait longer than
 * `maxWaitMs` is not slept here: the error goes to the job queue, which reschedules.
 */
import { backoffDelay } from '../../domain/backoff.js';
import type { Logger } from '../../observability/logger.js';
import { classifyGoogleError, type GoogleCallContext } from './google-errors.js';

export interface RetryPolicy {
  readonly maxRetries: number;
  readonly baseDelayMs: number;
  readonly maxWaitMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly logger: Logger;
}

export async function withGoogleRetries<T>(op: string, context: GoogleCallContext, policy: RetryPolicy, call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (thrown) {
      const { error, retry } = classifyGoogleError(thrown, context);
      const delayMs = error.retryAfterMs ?? backoffDelay(attempt, policy.baseDelayMs, policy.maxWaitMs, policy.random);
      if (!retry || attempt >= policy.maxRetries || delayMs > policy.maxWaitMs) throw error;
      policy.logger.warn('google.retry', { call: op, address: context.address, code: error.code, attempt: attempt + 1, delayMs });
      await policy.sleep(delayMs);
    }
  }
}
