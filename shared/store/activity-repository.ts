/** The Activities table: what CMG acknowledged, per mailbox (ARCHITECTURE.md "Tables"). */
import type { AcknowledgedActivity } from '../domain/activity.js';

export interface StoredActivity extends AcknowledgedActivity {
  /** CMG activity code, start and end (ISO 8601): shown on the admin page. */
  readonly code: string;
  readonly start: string;
  readonly end: string;
  /** ISO instant CMG acknowledged the last PUT (or refused it, with `rejected`). */
  readonly acknowledgedAt: string;
  /**
   * CMG refused this content for good (its error code): CMG does not hold it, and it is not
   * sent again until its hash changes.
   */
  readonly rejected?: string | undefined;
}

/** Rows to record and externalIds to forget, of one mailbox; an externalId in at most one of them. */
export interface ActivityWrites {
  readonly put: readonly StoredActivity[];
  readonly forget: readonly string[];
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
  /**
   * Records many at once, as `put` and `delete` would one by one (a row to forget that is not
   * there counts as deleted): one request per 100 rows instead of one per row.
   */
  writeAll(mailboxKey: string, writes: ActivityWrites): Promise<void>;
  /** Every activity CMG refused, across mailboxes (the admin report). */
  listRejected(): Promise<Array<StoredActivity & { readonly mailboxKey: string }>>;
  /** Forgets every activity of the mailbox; returns how many were deleted. */
  deleteAllForMailbox(mailboxKey: string): Promise<number>;
}
