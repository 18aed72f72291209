/**
 * The admin page's mailbox list: each mailbox's status, searched and paged by the Mailboxes
 * table (a substring search is a bounded scan).
 */
import type { MailboxState } from '../domain/mailbox.js';
import type { StoredMailbox } from '../store/mailbox-repository.js';
import type { SyncDeps } from '../sync/sync-deps.js';

export interface MailboxStatus {
  readonly key: string;
  readonly address: string;
  readonly state: MailboxState;
  readonly stateReason: string | undefined;
  readonly profile: string | undefined;
  readonly lastSyncAt: string | undefined;
  readonly lastSyncMode: string | undefined;
  readonly lastError: string | undefined;
  readonly activities: number;
}

export const statusOf = (m: StoredMailbox): MailboxStatus => ({
  key: m.key,
  address: m.address,
  state: m.state,
  stateReason: m.stateReason,
  profile: m.profile,
  lastSyncAt: m.lastSyncAt,
  lastSyncMode: m.lastSyncMode,
  lastError: m.lastError,
  activities: m.activityCount,
});

/**
 * Rows a substring search reads per page at most. Table Storage cannot filter on a substring,
 * so such a search reads the rows that pass the other filters and tests them here; bounded, a
 * page of 10,000 mailboxes costs a few table requests, and `next` goes on from where it stopped.
 */
export const SEARCH_SCAN_LIMIT = 2000;

export interface MailboxSearch {
  readonly pageSize?: number | undefined;
  readonly continuationToken?: string | undefined;
  readonly state?: MailboxState | undefined;
  readonly profile?: string | undefined;
  /** The address starts with this (any case). */
  readonly address?: string | undefined;
  /** The address or the key holds this (any case); a bounded scan, see SEARCH_SCAN_LIMIT. */
  readonly search?: string | undefined;
}

export interface MailboxList {
  readonly mailboxes: MailboxStatus[];
  /** The next page's continuationToken; absent on the last page. */
  readonly next: string | undefined;
  /** With `search`: how many mailboxes this page read and tested, and the bound on that. */
  readonly scan?: { readonly read: number; readonly limit: number } | undefined;
}

export async function listMailboxes(deps: SyncDeps, options: MailboxSearch): Promise<MailboxList> {
  const page = await deps.store.mailboxes.query({
    pageSize: options.pageSize ?? 100,
    scanLimit: SEARCH_SCAN_LIMIT,
    cursor: options.continuationToken,
    state: options.state,
    profile: options.profile,
    addressPrefix: options.address?.toLowerCase(),
    contains: options.search,
  });
  return {
    mailboxes: page.items.map(statusOf),
    next: page.cursor,
    ...(options.search === undefined ? {} : { scan: { read: page.scanned, limit: SEARCH_SCAN_LIMIT } }),
  };
}
