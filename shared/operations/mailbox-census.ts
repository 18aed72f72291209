/**
 * Mailboxes counted by state, per profile, for the status report. One projected scan of the
 * Mailboxes table (the timers' summary columns, without delta tokens or errors; 1,000 rows a page,
 * so 10 pages for 10,000 mailboxes), made at most once per status cache period and never for
 * /api/health. Counts kept up to date on every state change would put a contended counter row on
 * every job's path; counts taken by the roster refresh would be up to ROSTER_PERIOD old and know
 * no profile, which only a sync sets.
 */
import type { MailboxState } from '../domain/mailbox.js';
import type { SyncDeps } from '../sync/sync-deps.js';

export type StateCounts = Partial<Record<MailboxState, number>>;

export interface MailboxCensus {
  readonly total: number;
  readonly byState: StateCounts;
  /** Per profile name; mailboxes no sync has served yet have none and are only in the totals. */
  readonly byProfile: ReadonlyMap<string, StateCounts>;
  /** The newest successful sync of any mailbox (ISO), if any. */
  readonly lastSyncAt: string | undefined;
  /** Mailbox key → state and last successful sync, to tell whether a dead letter still matters. */
  readonly mailboxes: ReadonlyMap<string, { readonly state: MailboxState; readonly lastSyncAt: string | undefined }>;
}

export async function takeCensus(deps: SyncDeps): Promise<MailboxCensus> {
  const byState: StateCounts = {};
  const byProfile = new Map<string, StateCounts>();
  const mailboxes = new Map<string, { state: MailboxState; lastSyncAt: string | undefined }>();
  let lastSyncAt: string | undefined;
  for await (const m of deps.store.mailboxes.listSummaries()) {
    byState[m.state] = (byState[m.state] ?? 0) + 1;
    if (m.profile !== undefined) {
      const counts = byProfile.get(m.profile) ?? {};
      counts[m.state] = (counts[m.state] ?? 0) + 1;
      byProfile.set(m.profile, counts);
    }
    if (m.lastSyncAt !== undefined && (lastSyncAt === undefined || m.lastSyncAt > lastSyncAt)) lastSyncAt = m.lastSyncAt;
    mailboxes.set(m.key, { state: m.state, lastSyncAt: m.lastSyncAt });
  }
  return { total: mailboxes.size, byState, byProfile, lastSyncAt, mailboxes };
}

/** Synced mailboxes (active or failing) and the share of them failing, 0 when there are none. */
export function failingShare(counts: StateCounts): { synced: number; failing: number; share: number } {
  const failing = counts.failing ?? 0;
  const synced = (counts.active ?? 0) + failing;
  return { synced, failing, share: synced === 0 ? 0 : failing / synced };
}
