/** The `mailbox-sync` message body (ARCHITECTURE.md "Messages"), validated on receipt. */
import { z } from 'zod';
import { permanentError, type AppError } from '../errors/app-error.js';

export const JOB_REASONS = ['schedule', 'notification', 'lifecycle', 'manual', 'retry'] as const;
export type JobReason = (typeof JOB_REASONS)[number];

/** Graph lifecycle events (https://learn.microsoft.com/graph/change-notifications-lifecycle-events). */
export const LIFECYCLE_EVENTS = ['reauthorizationRequired', 'subscriptionRemoved', 'missed'] as const;
export type LifecycleEvent = (typeof LIFECYCLE_EVENTS)[number];

export const LifecycleRequestSchema = z.object({
  event: z.enum(LIFECYCLE_EVENTS),
  /** The Graph subscription the event is about. */
  subscriptionId: z.string().min(1).max(200),
});
export type LifecycleRequest = z.infer<typeof LifecycleRequestSchema>;

export const MailboxJobSchema = z.object({
  /** CMG user id; also the session id, which Service Bus caps at 128 characters. */
  mailboxKey: z.string().min(1).max(128),
  reason: z.enum(JOB_REASONS),
  /** Ask for a full sync whatever the mailbox's token says. */
  full: z.boolean(),
  /** ISO instant the job was enqueued (for lag metrics). */
  enqueuedAt: z.iso.datetime({ offset: true }),
  /** A lifecycle event the job acts on (renew, recreate) before it syncs; the webhook only enqueues. */
  lifecycle: LifecycleRequestSchema.optional(),
  /** An operator asked for new push secrets: the job re-creates the mailbox's subscriptions or channels before it syncs. */
  replaceSecrets: z.literal(true).optional(),
});

export type MailboxJob = z.infer<typeof MailboxJobSchema>;

export type ParsedJob = { readonly ok: true; readonly job: MailboxJob } | { readonly ok: false; readonly error: AppError };

/**
 * A received body (object, JSON text or bytes) as a job, or a permanent `invalid-message`
 * error naming what is wrong: such a message can only be dead-lettered, never retried.
 */
export function parseMailboxJob(body: unknown): ParsedJob {
  let value = body;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    try {
      value = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
    } catch {
      return { ok: false, error: permanentError('mailbox-sync message body is not JSON', 'invalid-message') };
    }
  }
  const result = MailboxJobSchema.safeParse(value);
  if (result.success) return { ok: true, job: result.data };
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
  return { ok: false, error: permanentError(`Invalid mailbox-sync message: ${problems}`, 'invalid-message', result.error) };
}

/** Throws the parse error: sending an invalid job is a bug in the sender, not a queue problem. */
export function requireValidJob(job: MailboxJob): MailboxJob {
  const parsed = parseMailboxJob(job);
  if (!parsed.ok) throw parsed.error;
  return parsed.job;
}
