/**
 * The mailbox's lifecycle (ARCHITECTURE.md "Failure containment"): the Mailbox record, its states,
 * and every event that moves it, each a pure function `(mailbox, event, now, settings) → mailbox`.
 * The use cases decide which event happened (a job synced, a provider refused, the roster changed
 * a user) and the repository writes the result with its ETag (MailboxRepository.change); the
 * rules themselves — backoff, INVALID_AFTER, INVALID_REPROBE — are decided here and nowhere else.
 */
import type { CalendarWindow } from './calendar-window.js';
import type { ProviderKind } from './calendar-event.js';
import { backoffDelay } from './backoff.js';

export const MAILBOX_STATES = ['active', 'invalid', 'excluded', 'disabled', 'over-limit', 'failing'] as const;
/** Whether the mailbox is synced, and if not, why not. */
export type MailboxState = (typeof MAILBOX_STATES)[number];

export type SyncMode = 'full' | 'delta';

export interface Mailbox {
  /** CMG user id: the RowKey, the Activities partition and the Service Bus session id. */
  readonly key: string;
  readonly address: string;
  readonly domain: string;
  readonly language: string;
  /** CMG's forwarding default for the user's activities. */
  readonly forwardByDefault: boolean;
  readonly messageSystem: number;
  readonly state: MailboxState;
  /** Why the state is not `active`, for the status report. */
  readonly stateReason?: string | undefined;
  /** The address belongs to more than one CMG user. */
  readonly multiAddress: boolean;
  /** Name of the profile (tenant / domain settings) the mailbox is synced with. */
  readonly profile?: string | undefined;
  readonly provider?: ProviderKind | undefined;
  /** Graph deltaLink or Google syncToken; absent until the first full sync. */
  readonly syncToken?: string | undefined;
  /** The window the token was obtained for: a new day means a new window and a full sync. */
  readonly window?: CalendarWindow | undefined;
  /** Hash of the settings that shape the mapping: a change forces a full sync. */
  readonly configHash?: string | undefined;
  /** Graph, with PROFILE_<NAME>_RESOLVE_ADDRESSES: the user's object id found for `directoryIdAddress`. */
  readonly directoryId?: string | undefined;
  /** The address `directoryId` was found for: once the address changes, it is looked up again. */
  readonly directoryIdAddress?: string | undefined;
  /** IANA zone of the mailbox, for all-day events. */
  readonly timeZone?: string | undefined;
  /** ISO instant since which automatic replies have been on, if they are. */
  readonly automaticRepliesSince?: string | undefined;
  /** What the last sync's automatic replies mapped to: a delta mapping the same leaves them alone. */
  readonly automaticRepliesSeen?: string | undefined;
  readonly lastSyncAt?: string | undefined;
  readonly lastSyncMode?: SyncMode | undefined;
  /** Short text of the last failure; never a secret. */
  readonly lastError?: string | undefined;
  readonly lastErrorAt?: string | undefined;
  /** Consecutive failed jobs (for an invalid mailbox: failed re-probes); 0 after a success. */
  readonly failures: number;
  /**
   * ISO instant before which dispatch schedules no job: the backoff of a failing mailbox, the
   * next re-probe of one the sync job found invalid.
   */
  readonly retryAt?: string | undefined;
  /** ISO instant of the first provider refusal in the current unbroken run of refusals. */
  readonly refusedSince?: string | undefined;
  /** Activities CMG holds for the mailbox. */
  readonly activityCount: number;
  /** CMG's modification time of the calendar settings the row was built from. */
  readonly rosterModifiedAt?: string | undefined;
}


/** The settings the transitions read (SyncConfig has them, under these names). */
export interface MailboxSettings {
  /** INVALID_AFTER: refusals unbroken for this long, with the profile's circuit closed, make a mailbox invalid. */
  readonly invalidAfterMs: number;
  /** INVALID_REPROBE: the first wait before an invalid mailbox is probed again; each failed probe doubles it. */
  readonly invalidReprobeMs: number;
  /** JOB_RETRY_BASE and JOB_RETRY_MAX: the bounds of a failed job's backoff. */
  readonly jobRetryBaseMs: number;
  readonly jobRetryMaxMs: number;
  /** JOB_MAX_ATTEMPTS: after this many failed attempts in a row the job is dead-lettered. */
  readonly jobMaxAttempts: number;
}

/** A mailbox declared invalid is probed again at least once a day (the roster re-evaluates it too). */
export const REPROBE_MAX_MS = 24 * 3_600_000;

/** The roster's reason for a user CMG no longer lists: the job clears its activities and forgets the row. */
export const REMOVED_FROM_CMG = 'removed from CMG';
/** The sync job's reason for a user CMG answered it does not know. */
export const UNKNOWN_TO_CMG = 'CMG does not know this user';

/** States in which a mailbox is synced; a failing one keeps being tried so it recovers by itself. */
export const isSynced = (state: MailboxState): boolean => state === 'active' || state === 'failing';

const iso = (now: number): string => new Date(now).toISOString();

/**
 * What a job does with the mailbox it loaded: sync it; probe an invalid one whose re-probe is
 * due (a sync that, once it succeeds, makes it active again); clear what CMG holds for one that
 * is not synced; or clear it and forget the row of a user CMG removed.
 */
export type JobStart = 'sync' | 'probe' | 'clear' | 'forget';

export function jobStart(mailbox: Mailbox, now: number): JobStart {
  if (isSynced(mailbox.state)) return 'sync';
  if (isReprobeDue(mailbox, now)) return 'probe';
  return mailbox.state === 'disabled' && mailbox.stateReason === REMOVED_FROM_CMG ? 'forget' : 'clear';
}

/** An invalid mailbox whose wait is over: the next job probes it. */
export function isReprobeDue(mailbox: Mailbox, now: number): boolean {
  return mailbox.state === 'invalid' && mailbox.retryAt !== undefined && Date.parse(mailbox.retryAt) <= now;
}

/** What a successful job learnt: the token and everything the next job starts from. */
export interface Synced {
  readonly profile: string;
  readonly provider: ProviderKind;
  readonly mode: SyncMode;
  readonly syncToken: string | undefined;
  /** The window `syncToken` belongs to. */
  readonly window: CalendarWindow;
  readonly configHash: string;
  readonly directoryUser: { readonly id: string; readonly address: string } | undefined;
  readonly timeZone: string;
  readonly automaticRepliesSince: string | undefined;
  readonly automaticRepliesSeen: string | undefined;
  /** CMG's error codes for the activities it refused for good in this job (one per activity). */
  readonly rejectedCodes: readonly string[];
  /** Activities CMG holds for the mailbox after this job. */
  readonly activityCount: number;
}

/**
 * A job synced the mailbox: every operation acknowledged, so the token advances; a failing or
 * invalid (probed) mailbox is active again and its backoff and refusals are forgotten.
 */
export function synced(mailbox: Mailbox, event: Synced, now: number): Mailbox {
  const recovered = mailbox.state === 'failing' || mailbox.state === 'invalid';
  const at = iso(now);
  const rejected = event.rejectedCodes.length;
  return {
    ...mailbox,
    state: recovered ? 'active' : mailbox.state,
    stateReason: recovered ? undefined : mailbox.stateReason,
    retryAt: undefined,
    refusedSince: undefined,
    profile: event.profile,
    provider: event.provider,
    syncToken: event.syncToken,
    window: event.window,
    configHash: event.configHash,
    directoryId: event.directoryUser?.id,
    directoryIdAddress: event.directoryUser?.address,
    timeZone: event.timeZone,
    automaticRepliesSince: event.automaticRepliesSince,
    automaticRepliesSeen: event.automaticRepliesSeen,
    lastSyncAt: at,
    lastSyncMode: event.mode,
    lastError: rejected > 0 ? `CMG refused ${rejected} activit${rejected === 1 ? 'y' : 'ies'} (${[...new Set(event.rejectedCodes)].join(', ')})` : undefined,
    lastErrorAt: rejected > 0 ? at : undefined,
    failures: 0,
    activityCount: event.activityCount,
  };
}

/**
 * A provider refused the mailbox without saying it is gone. A refusal is not evidence: CMG keeps
 * what it holds and the mailbox backs off (`jitter` in [0, 1) spreads the retries). Only
 * refusals unbroken for INVALID_AFTER while the profile's circuit is closed (others of the
 * profile are served, so the fault is this mailbox's) make it invalid.
 */
export function refused(mailbox: Mailbox, event: { readonly reason: string; readonly circuitOpen: boolean; readonly jitter: number }, now: number, settings: MailboxSettings): Mailbox {
  const since = mailbox.refusedSince ?? iso(now);
  if (refusedTooLong(mailbox, event.circuitOpen, now, settings)) {
    return declaredInvalid(mailbox, { reason: `refused since ${since}: ${event.reason}` }, now, settings);
  }
  const failures = mailbox.failures + 1;
  return {
    ...mailbox,
    state: mailbox.state === 'active' ? 'failing' : mailbox.state,
    stateReason: isSynced(mailbox.state) ? event.reason : mailbox.stateReason,
    failures,
    retryAt: iso(now + backoffDelay(failures - 1, settings.jobRetryBaseMs, settings.jobRetryMaxMs, () => event.jitter)),
    refusedSince: since,
    lastError: event.reason,
    lastErrorAt: iso(now),
  };
}

/** Whether one more refusal makes the mailbox invalid: refusals unbroken for INVALID_AFTER with the circuit closed. */
export function refusedTooLong(mailbox: Mailbox, circuitOpen: boolean, now: number, settings: MailboxSettings): boolean {
  return !circuitOpen && now - Date.parse(mailbox.refusedSince ?? iso(now)) >= settings.invalidAfterMs;
}

/**
 * Positive evidence (every profile serving the domain says the user does not exist, or none
 * serves it) or hours of refusals: invalid, the token dropped (the job clears its activities),
 * probed again after INVALID_REPROBE, doubled after each failed probe up to a day.
 */
export function declaredInvalid(mailbox: Mailbox, event: { readonly reason: string }, now: number, settings: MailboxSettings): Mailbox {
  const failures = mailbox.state === 'invalid' ? mailbox.failures + 1 : 1;
  const wait = Math.min(REPROBE_MAX_MS, settings.invalidReprobeMs * 2 ** (failures - 1));
  return { ...mailbox, state: 'invalid', stateReason: event.reason, syncToken: undefined, failures, retryAt: iso(now + wait), refusedSince: undefined };
}

/** A full sync was asked for while the mailbox could not be synced: without its token, the next job reads the whole window. */
export function fullSyncOwed(mailbox: Mailbox): Mailbox {
  return { ...mailbox, syncToken: undefined };
}

/** How long a failed job waits before attempt `attempt + 1`: at least what the service asked, at most JOB_RETRY_MAX. */
export function retryDelay(attempt: number, retryAfterMs: number | undefined, jitter: number, settings: MailboxSettings): number {
  // Attempt 0 (the failure could not even be recorded) waits as a second attempt would.
  const backoff = backoffDelay(attempt === 0 ? 1 : attempt - 1, settings.jobRetryBaseMs, settings.jobRetryMaxMs, () => jitter);
  return Math.min(settings.jobRetryMaxMs, Math.max(retryAfterMs ?? 0, backoff));
}

/** The failed attempts reached JOB_MAX_ATTEMPTS: the job is dead-lettered, not retried. */
export const attemptsExhausted = (mailbox: Pick<Mailbox, 'failures'>, settings: MailboxSettings): boolean => mailbox.failures >= settings.jobMaxAttempts;

/**
 * A job failed with a transient error (a timeout, a 5xx, throttling). The attempt is counted and
 * the retry spaced; the last allowed attempt marks the mailbox failing until JOB_RETRY_MAX has
 * passed, so dispatch leaves it alone while the incident lasts.
 */
export function failedAttempt(
  mailbox: Mailbox,
  event: { readonly message: string; readonly retryAfterMs: number | undefined; readonly jitter: number },
  now: number,
  settings: MailboxSettings,
): Mailbox {
  const attempt = mailbox.failures + 1;
  const failed = { ...mailbox, failures: attempt, lastError: event.message, lastErrorAt: iso(now) };
  if (!attemptsExhausted(failed, settings)) return { ...failed, retryAt: iso(now + retryDelay(attempt, event.retryAfterMs, event.jitter, settings)) };
  return {
    ...failed,
    state: mailbox.state === 'active' ? 'failing' : mailbox.state,
    stateReason: mailbox.state === 'active' ? `${attempt} attempts failed; last: ${event.message}` : mailbox.stateReason,
    retryAt: iso(now + settings.jobRetryMaxMs),
  };
}

/** A setting is wrong: reported on the mailbox, not retried; the next scheduled job tries again. */
export function configurationError(mailbox: Mailbox, event: { readonly message: string }, now: number): Mailbox {
  return { ...mailbox, lastError: event.message, lastErrorAt: iso(now) };
}

/** CMG says it does not know the user: the mailbox is disabled until the roster says otherwise. */
export function unknownToCmg(mailbox: Mailbox): Mailbox {
  return { ...mailbox, state: 'disabled', stateReason: UNKNOWN_TO_CMG, syncToken: undefined, activityCount: 0 };
}

/** A mailbox that is not synced had its activities removed from CMG: the next sync starts over. */
export function cleared(mailbox: Mailbox): Mailbox {
  return { ...mailbox, activityCount: 0, syncToken: undefined };
}

/** The fields the roster refresh owns: what CMG says about the user, and whether it is synced. */
export type RosterFields = Pick<Mailbox, 'address' | 'domain' | 'language' | 'forwardByDefault' | 'messageSystem' | 'state' | 'stateReason' | 'multiAddress' | 'rosterModifiedAt'>;

/** The roster added a user: a new mailbox, never synced. */
export function rosterAdded(key: string, fields: RosterFields): Mailbox {
  return { key, ...fields, failures: 0, activityCount: 0 };
}

/**
 * The roster changed, excluded or removed a user (its state and reason are the roster's plan:
 * `excluded`, `disabled` with REMOVED_FROM_CMG, …). The sync job's own fields stay: the next job
 * acts on the new state (jobStart).
 */
export function rosterChanged(mailbox: Mailbox, fields: RosterFields): Mailbox {
  return { ...mailbox, ...fields };
}
