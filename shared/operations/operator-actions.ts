/**
 * What an operator may do to one mailbox from the admin API: queue a full resync, and preview
 * what a full sync would send now. Private appointments' text never appears here, whatever
 * MASK_PRIVATE says; every call is logged with the caller's identity.
 */
import { callerFields, type AdminCaller } from '../auth/admin-caller.js';
import { manualMessageId } from '../queue/message-id.js';
import { planMailbox } from '../sync/job/plan-mailbox.js';
import type { SyncDeps } from '../sync/sync-deps.js';

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
