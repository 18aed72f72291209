/**
 * Gauges counted on a walk of every mailbox that runs anyway (the dispatch, once per
 * UPDATE_INTERVAL), so metrics cost no table scan of their own: mailboxes by state, and
 * dead-lettered jobs still open (shared/domain/dead-letter-status.ts).
 */
import { MAILBOX_STATES, type MailboxState } from '../../domain/mailbox.js';
import type { StoredMailbox } from '../../store/mailbox-repository.js';
import type { DeadLetter } from '../../store/dead-letter-repository.js';
import type { Telemetry } from '../../observability/telemetry.js';
import { isDeadLetterOpen } from '../../domain/dead-letter-status.js';

/** Dead letters read per count, newest first: enough to say "some are open". */
export const DEAD_LETTERS_READ = 1000;

export interface RosterGauges {
  add(mailbox: Pick<StoredMailbox, 'key' | 'state' | 'lastSyncAt'>): void;
  /** Sets the gauges from what was added. */
  report(telemetry: Telemetry): void;
}

export function rosterGauges(deadLetters: readonly DeadLetter[], now: number): RosterGauges {
  const states = new Map<MailboxState, number>(MAILBOX_STATES.map((state) => [state, 0]));
  /** Mailbox key → its dead letters, judged when the walk reaches the mailbox. */
  const byMailbox = new Map<string, DeadLetter[]>();
  let open = 0;
  for (const d of deadLetters) {
    if (d.mailboxKey === undefined) {
      if (isDeadLetterOpen(d, undefined, now)) open += 1;
    } else {
      const own = byMailbox.get(d.mailboxKey);
      if (own) own.push(d);
      else byMailbox.set(d.mailboxKey, [d]);
    }
  }
  return {
    add(mailbox) {
      states.set(mailbox.state, (states.get(mailbox.state) ?? 0) + 1);
      for (const d of byMailbox.get(mailbox.key) ?? []) if (isDeadLetterOpen(d, mailbox, now)) open += 1;
    },
    report(telemetry) {
      for (const [state, count] of states) telemetry.gauge('mailboxes', count, { state });
      telemetry.gauge('deadLetters', open, {});
    },
  };
}
