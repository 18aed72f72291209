/**
 * When a dead-lettered job still matters ("open"): while its mailbox is failing or has not synced
 * since; one whose message could not be read (no mailbox key), for a day; one whose mailbox is
 * gone, no more. The status check and the dead-letter gauge (which the alert reads) judge by this
 * one rule, so the page and the alert agree.
 */
import type { MailboxState } from './mailbox.js';

const UNREADABLE_OPEN_MS = 24 * 3_600_000;

export interface MailboxSyncState {
  readonly state: MailboxState;
  readonly lastSyncAt?: string | undefined;
}

export function isDeadLetterOpen(deadLetter: { readonly mailboxKey?: string | undefined; readonly at: string }, mailbox: MailboxSyncState | undefined, now: number): boolean {
  if (deadLetter.mailboxKey === undefined) return now - Date.parse(deadLetter.at) < UNREADABLE_OPEN_MS;
  return mailbox !== undefined && (mailbox.state === 'failing' || mailbox.lastSyncAt === undefined || mailbox.lastSyncAt < deadLetter.at);
}
