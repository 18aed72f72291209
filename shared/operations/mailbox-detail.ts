/**
 * What the admin function offers about mailboxes: the status list (searched and paged), one
 * mailbox's detail, the invalid and multi-address reports, a forced full resync, and a preview
 * of what one mailbox would send. Private appointments' text never appears here, whatever
 * MASK_PRIVATE says.
 */
import { callerFields, type AdminCaller } from '../auth/admin-caller.js';
import { manualMessageId } from '../queue/message-id.js';
import type { MailboxState } from '../domain/mailbox.js';
import type { StoredMailbox } from '../store/mailbox-repository.js';
import type { StoredActivity } from '../store/activity-repository.js';
import { planMailbox } from '../sync/job/plan-mailbox.js';
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

const statusOf = (m: StoredMailbox): MailboxStatus => ({
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

/** An activity CMG holds (or refused), as the Activities table remembers it: no text is kept there. */
export interface HeldActivity {
  readonly externalId: string;
  readonly code: string;
  readonly start: string;
  readonly end: string;
  readonly sourceEventId: string;
  readonly seriesId: string | undefined;
  readonly acknowledgedAt: string;
  /** CMG refused it for good (its error code): CMG does not hold it. */
  readonly rejected: string | undefined;
}

export interface MailboxDetail {
  readonly mailbox: MailboxStatus & {
    readonly provider: string | undefined;
    readonly multiAddress: boolean;
    readonly failures: number;
    readonly lastErrorAt: string | undefined;
    readonly retryAt: string | undefined;
    readonly refusedSince: string | undefined;
    readonly timeZone: string | undefined;
    readonly automaticRepliesSince: string | undefined;
    readonly window: { readonly start: string; readonly end: string } | undefined;
  };
  /** Graph subscriptions or Google channels: when each expires (never its secret). */
  readonly subscriptions: ReadonlyArray<{ readonly provider: string; readonly id: string; readonly expiresAt: string }>;
  /** Every activity recorded for the mailbox, by start. */
  readonly activities: readonly HeldActivity[];
  /** The instant `current` and `next` were judged at. */
  readonly at: string;
  /** What CMG shows now: the held activities under way at `at`. */
  readonly current: readonly HeldActivity[];
  /** The first held activity to start after `at`. */
  readonly next: HeldActivity | undefined;
}

const heldOf = (a: StoredActivity): HeldActivity => ({
  externalId: a.externalId,
  code: a.code,
  start: a.start,
  end: a.end,
  sourceEventId: a.sourceEventId,
  seriesId: a.seriesId,
  acknowledgedAt: a.acknowledgedAt,
  rejected: a.rejected,
});

/** One mailbox's state, subscriptions and held activities: why CMG shows what it shows. */
export async function mailboxDetail(deps: SyncDeps, key: string): Promise<MailboxDetail | undefined> {
  const mailbox = await deps.store.mailboxes.get(key);
  if (!mailbox) return undefined;
  const [subscriptions, stored] = await Promise.all([deps.store.subscriptions.listByMailbox(key), deps.store.activities.listForMailbox(key)]);
  const at = deps.now();
  const activities = stored.map(heldOf).sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const held = activities.filter((a) => a.rejected === undefined);
  return {
    mailbox: {
      ...statusOf(mailbox),
      provider: mailbox.provider,
      multiAddress: mailbox.multiAddress,
      failures: mailbox.failures,
      lastErrorAt: mailbox.lastErrorAt,
      retryAt: mailbox.retryAt,
      refusedSince: mailbox.refusedSince,
      timeZone: mailbox.timeZone,
      automaticRepliesSince: mailbox.automaticRepliesSince,
      window: mailbox.window,
    },
    subscriptions: subscriptions.map((s) => ({ provider: s.provider, id: s.id, expiresAt: s.expiresAt })).sort((a, b) => (a.expiresAt < b.expiresAt ? -1 : 1)),
    activities,
    at: at.toISOString(),
    current: held.filter((a) => Date.parse(a.start) <= at.getTime() && at.getTime() < Date.parse(a.end)),
    next: held.find((a) => Date.parse(a.start) > at.getTime()),
  };
}

/** Addresses the providers refused or no profile serves (MAPPING.md 7: the invalid report). */
export async function invalidReport(deps: SyncDeps): Promise<MailboxStatus[]> {
  const out: MailboxStatus[] = [];
  for await (const m of deps.store.mailboxes.listAll({ state: 'invalid' })) out.push(statusOf(m));
  return out;
}

/** Addresses used by more than one CMG user; each user is still synced. */
export async function multiAddressReport(deps: SyncDeps): Promise<Array<{ address: string; mailboxes: string[] }>> {
  const byAddress = new Map<string, string[]>();
  for await (const m of deps.store.mailboxes.listAll()) {
    if (m.multiAddress) byAddress.set(m.address, [...(byAddress.get(m.address) ?? []), m.key]);
  }
  return [...byAddress].map(([address, mailboxes]) => ({ address, mailboxes: mailboxes.sort() })).sort((a, b) => (a.address < b.address ? -1 : 1));
}

/** Activities CMG refused for good (one bad activity stays one): what, when and why. */
export async function rejectedActivityReport(
  deps: SyncDeps,
): Promise<Array<{ mailbox: string; externalId: string; sourceEventId: string; code: string; start: string; end: string; rejected: string; at: string }>> {
  const rows = await deps.store.activities.listRejected();
  return rows.map((r) => ({ mailbox: r.mailboxKey, externalId: r.externalId, sourceEventId: r.sourceEventId, code: r.code, start: r.start, end: r.end, rejected: r.rejected ?? '', at: r.acknowledgedAt }));
}

/** Queues a full sync of one mailbox on behalf of `caller`, whose identity the log keeps. */
export async function requestResync(deps: SyncDeps, key: string, caller: AdminCaller): Promise<'queued' | 'unknown-mailbox'> {
  const mailbox = await deps.store.mailboxes.get(key);
  if (!mailbox) {
    deps.logger.info('admin.resync-refused', { mailbox: key, reason: 'unknown mailbox', ...callerFields(caller) });
    return 'unknown-mailbox';
  }
  const now = deps.now();
  await deps.queue.send({ mailboxKey: key, reason: 'manual', full: true, enqueuedAt: now.toISOString() }, { messageId: manualMessageId(key, now) });
  deps.logger.info('admin.resync-requested', { mailbox: key, ...callerFields(caller) });
  return 'queued';
}

export interface MailboxPreview {
  readonly key: string;
  readonly mode: 'full' | 'delta';
  readonly profile: string;
  readonly activities: ReadonlyArray<{ externalId: string; start: string; end: string; code: string; text: string; forward: boolean; private: boolean }>;
  readonly skipped: ReadonlyArray<{ eventId: string; reason: string; detail?: string }>;
  readonly pending: { readonly upserts: number; readonly deletes: number };
}

/**
 * A full fetch of the live calendar mapped as the next job would; nothing is written. It shows
 * live subjects, so every preview is logged with the caller's identity.
 */
export async function previewMailbox(deps: SyncDeps, key: string, caller: AdminCaller): Promise<MailboxPreview | { error: string }> {
  deps.logger.info('admin.preview', { mailbox: key, ...callerFields(caller) });
  const mailbox = await deps.store.mailboxes.get(key);
  if (!mailbox) return { error: 'unknown mailbox' };
  const plan = await planMailbox(deps, mailbox, { full: true });
  if (plan.kind !== 'plan') return { error: plan.reason };
  return {
    key,
    mode: plan.fetched.mode,
    profile: plan.provider.profileName,
    activities: plan.mapped.activities.map((a) => ({
      externalId: a.externalId,
      start: a.start,
      end: a.end,
      code: a.code,
      text: a.private ? deps.config.mapping.privateSubject : a.text,
      forward: a.forward,
      private: a.private,
    })),
    // The detail of an `invalid` event is short and never its text (Skipped).
    skipped: plan.mapped.skipped.map((s) => ({ eventId: s.eventId, reason: s.reason, ...(s.detail === undefined ? {} : { detail: s.detail }) })),
    pending: {
      upserts: plan.operations.filter((o) => o.op === 'upsert').length,
      deletes: plan.operations.filter((o) => o.op === 'delete').length,
    },
  };
}
