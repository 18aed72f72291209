/**
 * One delivery of a `mailbox-sync` message: run the job; on a transient failure complete the
 * message and schedule a `retry` with exponential backoff (Retry-After honoured), up to
 * JOB_MAX_ATTEMPTS; then mark the mailbox failing and dead-letter the message with the reason.
 * Configuration errors are reported on the mailbox and not retried: the next scheduled job
 * tries again once an operator fixed the setting.
 */
import { toAppError } from '../errors/app-error.js';
import { backoffDelay } from '../errors/retry-after.js';
import { retryMessageId } from '../queue/message-id.js';
import type { JobDelivery } from '../queue/job-queue.js';
import type { MailboxJob } from '../queue/mailbox-job.js';
import { saveMailbox, syncMailbox, type SyncOutcome } from './sync-mailbox.js';
import type { SyncDeps } from './sync-deps.js';

export type JobResult =
  | SyncOutcome
  | { readonly status: 'retry-scheduled'; readonly attempt: number; readonly at: string }
  | { readonly status: 'dead-lettered'; readonly reason: string }
  | { readonly status: 'configuration-error'; readonly message: string };

export async function runMailboxJob(deps: SyncDeps, job: MailboxJob, delivery: JobDelivery): Promise<JobResult> {
  try {
    return await syncMailbox(deps, job, delivery.deliveryCount > 1);
  } catch (thrown) {
    const error = toAppError(thrown);
    const log = deps.logger.child({ mailbox: job.mailboxKey });
    const mailbox = await deps.store.mailboxes.get(job.mailboxKey);
    const at = deps.now().toISOString();

    if (error.kind === 'configuration') {
      log.error('sync.configuration-error', { code: error.code, error: error.message });
      if (mailbox) await saveMailbox(deps, mailbox, (m) => ({ ...m, lastError: error.message, lastErrorAt: at }));
      return { status: 'configuration-error', message: error.message };
    }

    const attempt = (mailbox?.failures ?? 0) + 1;
    const { jobMaxAttempts, jobRetryBaseMs, jobRetryMaxMs } = deps.config.sync;
    if (attempt >= jobMaxAttempts) {
      const reason = `${attempt} attempts failed; last: ${error.message}`;
      log.error('sync.failing', { attempt, code: error.code, error: error.message });
      if (mailbox) {
        await saveMailbox(deps, mailbox, (m) => ({ ...m, state: m.state === 'active' ? 'failing' : m.state, stateReason: m.state === 'active' ? reason : m.stateReason, failures: attempt, lastError: error.message, lastErrorAt: at }));
      }
      await delivery.deadLetter(reason);
      return { status: 'dead-lettered', reason };
    }

    const delay = Math.min(jobRetryMaxMs, Math.max(error.retryAfterMs ?? 0, backoffDelay(attempt - 1, jobRetryBaseMs, jobRetryMaxMs)));
    const retryAt = new Date(deps.now().getTime() + delay);
    if (mailbox) await saveMailbox(deps, mailbox, (m) => ({ ...m, failures: attempt, lastError: error.message, lastErrorAt: at }));
    await deps.queue.send(
      // A lifecycle event rides along: its renewal is retried with the sync.
      { mailboxKey: job.mailboxKey, reason: 'retry', full: job.full, enqueuedAt: at, ...(job.lifecycle ? { lifecycle: job.lifecycle } : {}) },
      { messageId: retryMessageId(job.mailboxKey, attempt, delivery.messageId), scheduledAt: retryAt },
    );
    log.warn('sync.retry-scheduled', { attempt, at: retryAt.toISOString(), code: error.code, error: error.message });
    return { status: 'retry-scheduled', attempt, at: retryAt.toISOString() };
  }
}
