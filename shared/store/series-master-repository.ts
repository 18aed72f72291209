/**
 * The SeriesMasters table: the Graph series masters a mailbox's occurrence stubs were completed
 * from, remembered so that an unchanged series costs no request on later jobs (MAPPING.md §1).
 */
import type { SeriesMaster } from '../domain/calendar-event.js';

export interface SeriesMasterRepository {
  /** Every master remembered for the mailbox (all pages). */
  listForMailbox(mailboxKey: string): Promise<SeriesMaster[]>;
  /** Remembers these masters, replacing what was remembered under their ids. */
  put(mailboxKey: string, masters: readonly SeriesMaster[]): Promise<void>;
  /** Forgets these masters; ids not remembered count as forgotten. */
  delete(mailboxKey: string, ids: readonly string[]): Promise<void>;
}
