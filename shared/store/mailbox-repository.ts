/** The Mailboxes table: one row per synced CMG user (ARCHITECTURE.md "Tables"). */
import type { Mailbox, MailboxState } from '../domain/mailbox.js';

/** A mailbox as read, with the ETag to make a conditional update. */
export type StoredMailbox = Mailbox & { readonly etag: string };

export interface MailboxPage {
  readonly items: readonly StoredMailbox[];
  /** Pass to the next `list` call; undefined on the last page. */
  readonly continuationToken: string | undefined;
}

/**
 * What the timers (roster refresh, dispatch, subscriptions) and the status census read of every mailbox: the roster's
 * fields, the profile, the backoff and the last sync, without the sync job's own state (delta token, window,
 * errors), which is most of a row's size.
 */
export type MailboxSummary = Pick<
  StoredMailbox,
  'key' | 'etag' | 'address' | 'domain' | 'language' | 'forwardByDefault' | 'messageSystem' | 'state' | 'stateReason' | 'multiAddress' | 'rosterModifiedAt' | 'profile' | 'retryAt' | 'lastSyncAt'
>;

export interface ListMailboxesOptions {
  readonly state?: MailboxState;
  /** At most 1000 (Table Storage's page limit, also the default). */
  readonly pageSize?: number;
  readonly continuationToken?: string | undefined;
}

/**
 * One row for `writeMany`: a whole row (`mailbox`), created or replaced, only if the row still
 * has `etag` when one is given; or some of an existing row's fields (`fields`, none of them
 * undefined), merged into it only if it still has `etag`.
 */
export type MailboxWrite =
  | { readonly mailbox: Mailbox; readonly etag?: string | undefined }
  | { readonly key: string; readonly fields: Partial<Omit<Mailbox, 'key'>>; readonly etag: string };

/** A search of the admin page: filters the table evaluates, and a substring it cannot. */
export interface MailboxQuery {
  readonly state?: MailboxState | undefined;
  readonly profile?: string | undefined;
  /** Start of the address (addresses are stored in lower case): a range filter on the table. */
  readonly addressPrefix?: string | undefined;
  /**
   * Text found anywhere in the address or the key, case-insensitively. Table Storage has no
   * substring filter, so the rows are read and tested here: at most `scanLimit` rows per call.
   */
  readonly contains?: string | undefined;
  /** At most this many mailboxes per page. */
  readonly pageSize: number;
  /** With `contains`: at most this many rows read per call. */
  readonly scanLimit: number;
  /** Where the last page stopped; absent for the first page. */
  readonly cursor?: string | undefined;
}

export interface MailboxQueryPage {
  readonly items: readonly StoredMailbox[];
  /** Pass as `cursor` for the next page; undefined when every row has been seen. */
  readonly cursor: string | undefined;
  /** Rows this page read from the table (with `contains`, each was tested here). */
  readonly scanned: number;
}

export interface MailboxRepository {
  /** Whether a mailbox with this key can be stored at all (the store's key limits). */
  fitsKey(key: string): boolean;
  get(key: string): Promise<StoredMailbox | undefined>;
  /**
   * One page of a search, shard by shard, each shard in key order. The cursor is this
   * repository's own: one it did not give is a permanent error with code `invalid-cursor`.
   */
  query(query: MailboxQuery): Promise<MailboxQueryPage>;
  /** One page, across all shards, optionally only mailboxes in one state. */
  list(options?: ListMailboxesOptions): Promise<MailboxPage>;
  /** Every mailbox (in one state), page after page. */
  listAll(options?: Omit<ListMailboxesOptions, 'continuationToken'>): AsyncIterable<StoredMailbox>;
  /** Every mailbox's summary, page after page: one read of the table, a fraction of its bytes. */
  listSummaries(): AsyncIterable<MailboxSummary>;
  /** Creates or replaces unconditionally; returns the new ETag. */
  upsert(mailbox: Mailbox): Promise<string>;
  /**
   * Replaces the row only if it still has `etag`; returns the new ETag. Throws
   * ConcurrencyConflictError when another writer changed or deleted it meanwhile.
   */
  update(mailbox: Mailbox, etag: string): Promise<string>;
  /**
   * Applies `transition` (domain/mailbox.ts) to the row and writes the result with its ETag; when
   * another writer (the roster refresh, a sync job) wrote the row meanwhile, reads it again and
   * applies the same transition to the fresh row. `read`, when the caller holds the row already,
   * saves the first read. Returns the row written, or undefined when there is no row (any more).
   */
  change(key: string, transition: (mailbox: Mailbox) => Mailbox, read?: StoredMailbox): Promise<StoredMailbox | undefined>;
  /**
   * Writes many rows in few requests (Table Storage transactions: up to 100 rows of one shard
   * each). Returns the keys of the conditional writes that met another writer's change: the
   * caller reads those again. Every other write is done when it resolves.
   */
  writeMany(writes: readonly MailboxWrite[]): Promise<{ readonly conflicts: readonly string[] }>;
  /** Deleting a mailbox that is not there succeeds. With `etag`, a conflicting write throws ConcurrencyConflictError. */
  delete(key: string, etag?: string): Promise<void>;
}
