/**
 * What the admin function offers about mailboxes: the status list (paged), the invalid and
 * multi-address reports, a forced full resync, and a preview of what one mailbox would send.
 * Private appointments' text never appears here, whatever MASK_PRIVATE says.
 */
import { callerFields, type AdminCaller } from '../auth/admin-caller.js';
import { manualMessageId } from '../queue/message-id.js';
import type { MailboxState, StoredMailbox } from '../store/mailbox-repository.js';
import { planMailbox } from './plan-mailbox.js';
import type { SyncDeps } from './sync-deps.js';

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

export async function listMailboxes(
  deps: SyncDeps,
  options: { pageSize?: number; continuationToken?: string; state?: MailboxState },
): Promise<{ mailboxes: MailboxStatus[]; next: string | undefined }> {
  const page = await deps.store.mailboxes.list({ pageSize: options.pageSize ?? 100, continuationToken: options.continuationToken, state: options.state });
  return { mailboxes: page.items.map(statusOf), next: page.continuationToken };
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
  readonly skipped: ReadonlyArray<{ eventId: string; reason: string }>;
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
  if (plan.kind === 'unavailable') return { error: plan.reason };
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
    skipped: plan.mapped.skipped.map((s) => ({ eventId: s.eventId, reason: s.reason })),
    pending: {
      upserts: plan.operations.filter((o) => o.op === 'upsert').length,
      deletes: plan.operations.filter((o) => o.op === 'delete').length,
    },
  };
}
