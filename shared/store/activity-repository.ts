/** The Activities table: what CMG acknowledged, per mailbox (ARCHITECTURE.md "Tables"). */
import type { AcknowledgedActivity } from '../domain/activity.js';

export interface StoredActivity extends AcknowledgedActivity {
  /** CMG activity code, start and end (ISO 8601): shown on the admin page. */
  readonly code: string;
  readonly start: string;
  readonly end: string;
  /** ISO instant CMG acknowledged the last PUT. */
  readonly acknowledgedAt: string;
}

export interface ActivityRepository {
  /** Every activity recorded for the mailbox (all pages). */
  listForMailbox(mailboxKey: string): Promise<StoredActivity[]>;
  /** The activities recorded for occurrences of these series (one query over the mailbox's rows). */
  listForSeries(mailboxKey: string, seriesIds: readonly string[]): Promise<StoredActivity[]>;
  /** One activity by its externalId (a point read); undefined when none is recorded. */
  get(mailboxKey: string, externalId: string): Promise<StoredActivity | undefined>;
  /** Records an acknowledgement (creates or replaces). */
  put(mailboxKey: string, activity: StoredActivity): Promise<void>;
  /** Forgets one activity; one that is not there counts as deleted. */
  delete(mailboxKey: string, externalId: string): Promise<void>;
  /** Forgets every activity of the mailbox; returns how many were deleted. */
  deleteAllForMailbox(mailboxKey: string): Promise<number>;
}
