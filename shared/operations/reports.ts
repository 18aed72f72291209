/**
 * The reports an operator works through (GET /api/reports/*, the admin page's Reports section):
 * invalid addresses, addresses shared by several CMG users, dead-lettered jobs, and activities
 * CMG refused for good.
 */
import type { DeadLetter } from '../store/dead-letter-repository.js';
import type { SyncDeps } from '../sync/sync-deps.js';
import { statusOf, type MailboxStatus } from './mailbox-list.js';

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

/** Jobs settled without success (out of attempts, or an unreadable message), newest first. */
export function deadLetterReport(deps: SyncDeps): Promise<DeadLetter[]> {
  return deps.store.deadLetters.list();
}
