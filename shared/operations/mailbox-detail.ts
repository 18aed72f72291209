/**
 * One mailbox's detail for the admin page: its state, subscriptions and the activities CMG holds
 * for it, so an operator sees why CMG shows what it shows. No appointment's text is kept here.
 */
import type { StoredActivity } from '../store/activity-repository.js';
import type { SyncDeps } from '../sync/sync-deps.js';
import { statusOf, type MailboxStatus } from './mailbox-list.js';

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
