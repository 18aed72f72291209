/**
 * One delivery of a `mailbox-sync` message, settled exactly once: run the job; on a transient
 * failure complete the message and schedule a `retry` with exponential backoff (Retry-After
 * honoured), up to JOB_MAX_ATTEMPTS; then mark the mailbox failing until its backoff ends and
 * dead-letter the job with its reason (a DeadLetters row). Configuration errors are reported on
 * the mailbox and not retried: the next scheduled job tries again once an operator fixed the
 * setting. Nothing here throws into redelivery unless even the retry cannot be sent.
 */
import { toAppError, type AppError } from '../../errors/app-error.js';
import { attemptsExhausted, configurationError, failedAttempt, retryDelay } from '../../domain/mailbox.js';
import { retryMessageId } from '../../queue/message-id.js';
import { parseMailboxJob, type MailboxJob } from '../../queue/mailbox-job.js';
import type { JobDelivery } from '../../queue/job-queue.js';
import { syncMailbox, type SyncOutcome } from './sync-mailbox.js';
import type { SyncDeps } from '../sync-deps.js';

export type JobResult =
  | SyncOutcome
  | { readonly status: 'retry-scheduled'; readonly attempt: number; readonly at: string }
  | { readonly status: 'dead-lettered'; readonly reason: string }
  | { readonly status: 'configuration-error'; readonly message: string };

/** A received message body (anything): parsed, then run; an unreadable one is dead-lettered once. */
export async function runMailboxMessage(deps: SyncDeps, body: unknown, delivery: JobDelivery): Promise<JobResult> {
  const parsed = parseMailboxJob(body);
  if (!parsed.ok) {
    deps.logger.error('job.invalid-message', { messageId: delivery.messageId, error: parsed.error.message });
    await deadLetter(deps, delivery, undefined, 'invalid-message', parsed.error.message);
    deps.telemetry.count('jobs', { result: 'dead-lettered', reason: 'invalid-message' });
    return { status: 'dead-lettered', reason: parsed.error.message };
  }
  return runMailboxJob(deps, parsed.job, delivery);
}

/** The job runs in a span that continues the trace of whoever enqueued it (a webhook); its end is counted. */
export function runMailboxJob(deps: SyncDeps, job: MailboxJob, delivery: JobDelivery): Promise<JobResult> {
  return deps.telemetry.span(
    'mailbox-job',
    async () => {
      const result = await settleJob(deps, job, delivery);
      deps.telemetry.count('jobs', { result: result.status, reason: job.reason });
      return result;
    },
    { carried: { traceparent: delivery.traceparent }, kind: 'consumer', attributes: { 'calsync.mailbox': job.mailboxKey, 'calsync.job.reason': job.reason, 'calsync.delivery_count': delivery.deliveryCount } },
  );
}

async function settleJob(deps: SyncDeps, job: MailboxJob, delivery: JobDelivery): Promise<JobResult> {
  try {
    return await syncMailbox(deps, job, delivery.deliveryCount > 1);
  } catch (thrown) {
    const error = toAppError(thrown);
    try {
      return await afterFailure(deps, job, delivery, error);
    } catch (recording) {
      // The store itself fails (throttled, down): the job's own bookkeeping cannot be written.
      // A retry goes through the queue alone, so the message is not redelivered at once.
      return scheduleRetry(deps, job, delivery, 0, toAppError(recording));
    }
  }
}

async function afterFailure(deps: SyncDeps, job: MailboxJob, delivery: JobDelivery, error: AppError): Promise<JobResult> {
  const log = deps.logger.child({ mailbox: job.mailboxKey });
  const now = deps.now().getTime();

  if (error.kind === 'configuration') {
    log.error('sync.configuration-error', { code: error.code, error: error.message });
    await deps.store.mailboxes.change(job.mailboxKey, (m) => configurationError(m, { message: error.message }, now));
    return { status: 'configuration-error', message: error.message };
  }

  const jitter = Math.random();
  const failed = await deps.store.mailboxes.change(job.mailboxKey, (m) =>
    failedAttempt(m, { message: error.message, retryAfterMs: error.retryAfterMs, jitter }, now, deps.config.sync),
  );
  // Without a row there is nothing to count on: the first attempt, spaced as one.
  const attempt = failed?.failures ?? 1;
  if (attemptsExhausted({ failures: attempt }, deps.config.sync)) {
    const reason = `${attempt} attempts failed; last: ${error.message}`;
    log.error('sync.failing', { attempt, code: error.code, error: error.message, retryAt: failed?.retryAt ?? new Date(now + deps.config.sync.jobRetryMaxMs).toISOString() });
    await deadLetter(deps, delivery, job.mailboxKey, 'attempts-exhausted', reason);
    return { status: 'dead-lettered', reason };
  }
  return scheduleRetry(deps, job, delivery, attempt, error, failed?.retryAt ?? new Date(now + retryDelay(attempt, error.retryAfterMs, jitter, deps.config.sync)).toISOString());
}

/** `retryAt`: when the mailbox's backoff (already recorded) ends; absent when nothing could be recorded. */
async function scheduleRetry(deps: SyncDeps, job: MailboxJob, delivery: JobDelivery, attempt: number, error: AppError, retryAt?: string): Promise<JobResult> {
  const at = new Date(retryAt ?? deps.now().getTime() + retryDelay(attempt, error.retryAfterMs, Math.random(), deps.config.sync));
  await deps.queue.send(
    // A lifecycle event rides along: its renewal is retried with the sync.
    { mailboxKey: job.mailboxKey, reason: 'retry', full: job.full, enqueuedAt: deps.now().toISOString(), ...(job.lifecycle ? { lifecycle: job.lifecycle } : {}) },
    // The retry stays in the trace of the job (and webhook) it follows.
    { messageId: retryMessageId(job.mailboxKey, attempt, delivery.messageId), scheduledAt: at, traceparent: deps.telemetry.traceparent() },
  );
  deps.logger.warn('sync.retry-scheduled', { mailbox: job.mailboxKey, attempt, at: at.toISOString(), code: error.code, error: error.message });
  return { status: 'retry-scheduled', attempt, at: at.toISOString() };
}

/** Keeps the job's reason where an operator sees it, then settles the message. */
async function deadLetter(deps: SyncDeps, delivery: JobDelivery, mailboxKey: string | undefined, reason: string, description: string): Promise<void> {
  await deps.store.deadLetters.add({
    messageId: delivery.messageId,
    mailboxKey,
    reason,
    description: description.slice(0, 1000),
    deliveryCount: delivery.deliveryCount,
    at: deps.now().toISOString(),
  });
  await delivery.deadLetter(reason, description);
}
