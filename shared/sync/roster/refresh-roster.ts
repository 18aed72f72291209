/**
 * The roster refresh (timer `roster-refresh`): pulls CMG calendar settings changed since the
 * checkpoint, decides who is synced (roster-plan.ts), writes the Mailboxes that changed and
 * enqueues a job for each mailbox whose sync must start or stop now. A full refresh (no
 * checkpoint, or a day since the last one) re-evaluates everyone, e.g. invalid addresses.
 */
import type { CmgUser } from '../../cmg/cmg-gateway.js';
import type { OutgoingJob } from '../../queue/job-queue.js';
import { rosterMessageId } from '../../queue/message-id.js';
import { isSynced, rosterAdded, rosterChanged, UNKNOWN_TO_CMG, type RosterFields } from '../../domain/mailbox.js';
import type { MailboxSummary, MailboxWrite } from '../../store/mailbox-repository.js';
import { planRoster, type PlannedMailbox, type RosterUser } from './roster-plan.js';
import type { SyncDeps } from '../sync-deps.js';

export interface RosterReport {
  readonly full: boolean;
  readonly changedUsers: number;
  readonly states: Readonly<Record<string, number>>;
  readonly multiAddresses: number;
  readonly written: number;
  readonly enqueued: number;
  /** CMG users whose id no table key can hold (reported in the log, never stored). */
  readonly unstorableKeys: number;
}

const FULL_EVERY_MS = 24 * 3_600_000;

/**
 * Runs when ROSTER_PERIOD has passed since the last run (the timer fires more often), and not
 * before ROSTER_INITIAL_DELAY has passed since `startedAt`, when this instance started.
 */
export async function refreshRosterIfDue(deps: SyncDeps, startedAt: Date): Promise<RosterReport | undefined> {
  if (deps.now().getTime() - startedAt.getTime() < deps.config.sync.rosterInitialDelayMs) return undefined;
  const ranAt = await deps.store.state.get('roster', 'ranAt');
  if (ranAt && deps.now().getTime() - Date.parse(ranAt.value) < deps.config.sync.rosterPeriodMs) return undefined;
  return refreshRoster(deps, { full: false });
}

export async function refreshRoster(deps: SyncDeps, options: { full: boolean }): Promise<RosterReport> {
  const now = deps.now();
  const [checkpoint, fullAt] = await Promise.all([deps.store.state.get('roster', 'checkpoint'), deps.store.state.get('roster', 'fullAt')]);
  const full = options.full || !checkpoint || !fullAt || now.getTime() - Date.parse(fullAt.value) >= FULL_EVERY_MS;

  const page = await deps.cmg.calendarSettings(full ? undefined : checkpoint?.value);
  const changed = new Map(page.users.map((u) => [u.userId, u]));
  // Planning needs everyone at once (shared addresses, MAX_BOXES): their summaries, not whole rows.
  const existing = new Map<string, MailboxSummary>();
  for await (const mailbox of deps.store.mailboxes.listSummaries()) existing.set(mailbox.key, mailbox);

  const users: RosterUser[] = [];
  for (const [key, user] of changed) {
    users.push({ key, email: user.email, calendarSync: user.calendarSync, deleted: user.deleted, changed: true, previousState: existing.get(key)?.state });
  }
  for (const [key, mailbox] of existing) {
    if (changed.has(key)) continue;
    // A full roster lists every user: one it does not list is gone from CMG.
    const gone = full || mailbox.stateReason === UNKNOWN_TO_CMG;
    users.push({ key, email: mailbox.address, calendarSync: mailbox.state !== 'disabled', deleted: gone, changed: false, previousState: mailbox.state });
  }
  const plan = planRoster(
    users,
    {
      testAddresses: deps.config.sync.testMailAddresses,
      excludedAddresses: deps.config.sync.excludedMailAddresses,
      maxBoxes: deps.config.sync.maxBoxes,
      servedDomains: deps.providers.servedDomains,
    },
    { full },
  );

  const writes: MailboxWrite[] = [];
  // Existing rows changed by the roster, by key: a conflicting write is done again from a fresh read.
  const merged = new Map<string, RosterFields>();
  const rewrites: Array<[string, RosterFields]> = [];
  const jobs: OutgoingJob[] = [];
  const unstorable: string[] = [];
  for (const planned of plan.mailboxes) {
    const before = existing.get(planned.key);
    const user = changed.get(planned.key);
    if (!before && planned.state === 'disabled') continue; // never synced: nothing to keep
    if (!deps.store.mailboxes.fitsKey(planned.key)) {
      // Not even an invalid row can hold this key: report it, and carry on with the others.
      unstorable.push(planned.key.slice(0, 40));
      continue;
    }
    const next = rosterFieldsFor(before, planned, user);
    if (before && sameRosterFields(before, next)) continue;
    if (!before) writes.push({ mailbox: rosterAdded(planned.key, next) });
    // A merge cannot remove a field: the whole row is read and replaced.
    else if (before.stateReason !== undefined && next.stateReason === undefined) rewrites.push([planned.key, next]);
    else {
      writes.push({ key: planned.key, fields: withoutUndefined(next), etag: before.etag });
      merged.set(planned.key, next);
    }
    const wasSynced = before !== undefined && isSynced(before.state);
    const nowSynced = isSynced(next.state);
    // Start syncing a new mailbox now; clear the activities of one that left active sync.
    if (nowSynced !== wasSynced || (!before && nowSynced) || (before && before.address !== next.address)) {
      jobs.push({
        job: { mailboxKey: planned.key, reason: 'schedule', full: true, enqueuedAt: now.toISOString() },
        messageId: rosterMessageId(planned.key, now),
      });
    }
  }
  // In transactions of up to 100 rows of a shard; a row a sync job changed meanwhile gets the roster's fields on its new self.
  const { conflicts } = await deps.store.mailboxes.writeMany(writes);
  for (const key of conflicts) rewrites.push([key, merged.get(key)!]);
  for (const [key, next] of rewrites) await deps.store.mailboxes.change(key, (m) => rosterChanged(m, next));
  const written = writes.length + rewrites.length - conflicts.length;
  if (jobs.length > 0) await deps.queue.sendMany(jobs);

  await deps.store.state.set('roster', 'checkpoint', page.asOf);
  if (full) await deps.store.state.set('roster', 'fullAt', now.toISOString());
  await deps.store.state.set('roster', 'ranAt', now.toISOString());

  const states: Record<string, number> = {};
  for (const m of plan.mailboxes) states[m.state] = (states[m.state] ?? 0) + 1;
  const report = { full, changedUsers: changed.size, states, multiAddresses: plan.multiAddresses.length, written, enqueued: jobs.length, unstorableKeys: unstorable.length };
  deps.logger.info('roster.done', { ...report });
  if (unstorable.length > 0) deps.logger.warn('roster.unstorable-keys', { count: unstorable.length, keys: unstorable.slice(0, 10) });
  for (const multi of plan.multiAddresses) deps.logger.warn('roster.multi-address', { mailboxes: multi.keys, count: multi.keys.length });
  return report;
}

function rosterFields(m: RosterFields): RosterFields {
  return {
    address: m.address,
    domain: m.domain,
    language: m.language,
    forwardByDefault: m.forwardByDefault,
    messageSystem: m.messageSystem,
    state: m.state,
    stateReason: m.stateReason,
    multiAddress: m.multiAddress,
    rosterModifiedAt: m.rosterModifiedAt,
  };
}

function sameRosterFields(a: RosterFields, b: RosterFields): boolean {
  return JSON.stringify(rosterFields(a)) === JSON.stringify(rosterFields(b));
}

function withoutUndefined(fields: RosterFields): Partial<RosterFields> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

function rosterFieldsFor(before: MailboxSummary | undefined, planned: PlannedMailbox, user: CmgUser | undefined): RosterFields {
  const keepReason = planned.state === before?.state && planned.reason === '';
  return {
    address: planned.address ?? before?.address ?? '',
    domain: planned.domain ?? before?.domain ?? '',
    language: user?.language ?? before?.language ?? 'en',
    forwardByDefault: user?.forwardByDefault ?? before?.forwardByDefault ?? false,
    messageSystem: user?.messageSystem ?? before?.messageSystem ?? 1,
    state: planned.state,
    stateReason: keepReason ? before?.stateReason : planned.reason || undefined,
    multiAddress: planned.multiAddress,
    rosterModifiedAt: user?.modifiedAt ?? before?.rosterModifiedAt,
  };
}
