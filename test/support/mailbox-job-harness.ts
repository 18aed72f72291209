import type { MailboxJob } from '../../shared/queue/mailbox-job.js';

/** A valid `mailbox-sync` message body: a scheduled delta job unless overridden. */
export const aJob = (mailboxKey: string, overrides: Partial<MailboxJob> = {}): MailboxJob => ({
  mailboxKey,
  reason: 'schedule',
  full: false,
  enqueuedAt: '2026-11-25T08:00:00.000Z',
  ...overrides,
});
