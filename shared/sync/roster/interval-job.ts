/**
 * One mailbox's job for a dispatch interval (dispatch-jobs.ts) or an Exchange poll interval
 * (exchange-polls.ts): none while its backoff runs (a retry of its own may be scheduled, a later
 * interval takes it) or when its spread slot falls in the quiet period; else a scheduled job at
 * its slot, under the interval's message id, so a repeated or racing run sends nothing twice.
 */
import type { OutgoingJob } from '../../queue/job-queue.js';
import type { MailboxSummary } from '../../store/mailbox-repository.js';
import { isQuiet, spreadOffsetMs, type QuietPeriod } from '../../domain/pacing.js';

export interface IntervalSlot {
  readonly now: number;
  /** Start of the interval (pacing.ts intervalStart). */
  readonly start: number;
  readonly intervalMs: number;
  readonly quiet: QuietPeriod | undefined;
  /** The interval's message id for a mailbox (message-id.ts). */
  readonly messageId: (mailboxKey: string, intervalStart: Date) => string;
}

export type IntervalJob = { readonly kind: 'job'; readonly job: OutgoingJob } | { readonly kind: 'backing-off' } | { readonly kind: 'quiet' };

export function intervalJob(mailbox: Pick<MailboxSummary, 'key' | 'retryAt'>, slot: IntervalSlot): IntervalJob {
  if (mailbox.retryAt !== undefined && Date.parse(mailbox.retryAt) > slot.now) return { kind: 'backing-off' };
  const at = Math.max(slot.now, slot.start + spreadOffsetMs(mailbox.key, slot.intervalMs));
  if (isQuiet(at, slot.quiet)) return { kind: 'quiet' };
  return {
    kind: 'job',
    job: {
      job: { mailboxKey: mailbox.key, reason: 'schedule', full: false, enqueuedAt: new Date(slot.now).toISOString() },
      messageId: slot.messageId(mailbox.key, new Date(slot.start)),
      scheduledAt: new Date(at),
    },
  };
}
