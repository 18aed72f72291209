/**
 * What an operator may do from the admin API: queue a full resync of one mailbox, preview what a
 * full sync would send now, and replace the push secrets of one mailbox or of every mailbox of a
 * profile. Private appointments' text never appears here, whatever MASK_PRIVATE says; every call
 * is logged with the caller's identity.
 */
import { callerFields, type AdminCaller } from '../auth/admin-caller.js';
import type { OutgoingJob } from '../queue/job-queue.js';
import { manualMessageId, pushSecretsMessageId } from '../queue/message-id.js';
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

export type SecretsTarget = { readonly mailbox: string } | { readonly profile: string };

export type SecretsRequest =
  | { readonly status: 'queued'; readonly mailboxes: number }
  | { readonly status: 'push-off' | 'unknown-mailbox' | 'unknown-profile' | 'no-subscription' };

/** Jobs sent per request: a profile of 10,000 mailboxes is 100 sends. */
const SEND_CHUNK = 100;
const FOREVER = '9999-12-31T00:00:00.000Z';

/**
 * Queues one job per mailbox that has a push subscription or channel (push-secrets-job.ts
 * re-creates them with new secrets, then syncs): the one mailbox, or every mailbox the profile
 * serves. Provider calls run in the jobs, so a profile of any size is answered at once.
 */
export async function requestSecretReplacement(deps: SyncDeps, target: SecretsTarget, caller: AdminCaller): Promise<SecretsRequest> {
  const named = 'mailbox' in target ? { mailbox: target.mailbox } : { profile: target.profile };
  const result = await mailboxesToReplace(deps, target);
  if (result.status !== 'queued') {
    deps.logger.info('admin.push-secrets-refused', { ...named, reason: result.status, ...callerFields(caller) });
    return result;
  }
  const now = deps.now();
  const jobs: OutgoingJob[] = [...result.subscriptions].map(([mailboxKey, ids]) => ({
    job: { mailboxKey, reason: 'manual', full: false, enqueuedAt: now.toISOString(), replaceSecrets: true },
    messageId: pushSecretsMessageId(mailboxKey, now, ids),
  }));
  for (let i = 0; i < jobs.length; i += SEND_CHUNK) await deps.queue.sendMany(jobs.slice(i, i + SEND_CHUNK));
  deps.logger.info('admin.push-secrets-requested', { ...named, mailboxes: jobs.length, ...callerFields(caller) });
  return { status: 'queued', mailboxes: jobs.length };
}

/** The mailboxes to queue, each with the ids of the subscriptions it has now. */
async function mailboxesToReplace(deps: SyncDeps, target: SecretsTarget): Promise<{ status: 'queued'; subscriptions: Map<string, string[]> } | Exclude<SecretsRequest, { status: 'queued' }>> {
  if (!deps.config.push.webhookBaseUrl) return { status: 'push-off' };
  if ('mailbox' in target) {
    if (!(await deps.store.mailboxes.get(target.mailbox))) return { status: 'unknown-mailbox' };
    const own = await deps.store.subscriptions.listByMailbox(target.mailbox);
    return own.length === 0 ? { status: 'no-subscription' } : { status: 'queued', subscriptions: new Map([[target.mailbox, own.map((s) => s.id)]]) };
  }
  if (!deps.providers.byName(target.profile)) return { status: 'unknown-profile' };
  // One read of each table: the mailboxes with a subscription, then those the profile serves.
  const byMailbox = new Map<string, string[]>();
  for (const s of await deps.store.subscriptions.listExpiringBefore(FOREVER)) byMailbox.set(s.mailboxKey, [...(byMailbox.get(s.mailboxKey) ?? []), s.id]);
  const subscriptions = new Map<string, string[]>();
  for await (const m of deps.store.mailboxes.listSummaries()) {
    const ids = byMailbox.get(m.key);
    if (m.profile === target.profile && ids) subscriptions.set(m.key, ids);
  }
  return { status: 'queued', subscriptions };
}
