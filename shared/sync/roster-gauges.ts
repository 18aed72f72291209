/**
 * Gauges counted on a walk of every mailbox that runs anyway (the dispatch, once per
 * UPDATE_INTERVAL), so metrics cost no table scan of their own: mailboxes by state, and
 * dead-lettered jobs still open. A dead letter is open while its mailbox is failing or has not
 * synced since; one whose message could not be read, for a day; one whose mailbox is gone, no more.
 */
import { MAILBOX_STATES, type MailboxState, type StoredMailbox } from '../store/mailbox-repository.js';
import type { DeadLetter } from '../store/dead-letter-repository.js';
import type { Telemetry } from '../observability/telemetry.js';

/** Dead letters read per count, newest first: enough to say "some are open". */
export const DEAD_LETTERS_READ = 1000;
const UNREADABLE_OPEN_MS = 24 * 3_600_000;

export interface RosterGauges {
  add(mailbox: StoredMailbox): void;
  /** Sets the gauges from what was added. */
  report(telemetry: Telemetry): void;
}

export function rosterGauges(deadLetters: readonly DeadLetter[], now: number): RosterGauges {
  const states = new Map<MailboxState, number>(MAILBOX_STATES.map((state) => [state, 0]));
  /** Mailbox key → its newest dead letter's instant. */
  const newestDeadLetter = new Map<string, string>();
  let open = 0;
  for (const d of deadLetters) {
    if (d.mailboxKey === undefined) {
      if (now - Date.parse(d.at) < UNREADABLE_OPEN_MS) open += 1;
    } else if ((newestDeadLetter.get(d.mailboxKey) ?? '') < d.at) newestDeadLetter.set(d.mailboxKey, d.at);
  }
  return {
    add(mailbox) {
      states.set(mailbox.state, (states.get(mailbox.state) ?? 0) + 1);
      const at = newestDeadLetter.get(mailbox.key);
      if (at !== undefined && (mailbox.state === 'failing' || mailbox.lastSyncAt === undefined || mailbox.lastSyncAt < at)) open += 1;
    },
    report(telemetry) {
      for (const [state, count] of states) telemetry.gauge('mailboxes', count, { state });
      telemetry.gauge('deadLetters', open, {});
    },
  };
}
