/**
 * Steps 2–6 of the sync job (ARCHITECTURE.md): choose full or incremental, fetch
 * (fetch-with-failover.ts), map, and diff: a delta against what CMG acknowledged, a full sync
 * against what CMG holds (cmg-truth.ts). Nothing is written but a profile circuit's bookkeeping
 * and the mailbox's remembered series masters (a cache of what Graph says): the admin preview
 * uses this as it is.
 */
import { AppError } from '../../errors/app-error.js';
import { automaticRepliesSeen, withoutAutomaticReplies } from '../../domain/automatic-replies-seen.js';
import { calendarWindow } from '../../domain/calendar-window.js';
import { configHash } from '../../domain/config-hash.js';
import { externalIdFor } from '../../domain/external-id.js';
import { mapCalendar, type MappedCalendar } from '../../domain/map-calendar.js';
import { planOperations } from '../../domain/plan-operations.js';
import type { CalendarWindow } from '../../domain/calendar-window.js';
import type { Operation } from '../../domain/activity.js';
import type { ProviderKind } from '../../domain/calendar-event.js';
import type { CalendarProvider, FetchCalendarResult } from '../../providers/calendar-provider.js';
import type { StoredActivity } from '../../store/activity-repository.js';
import type { StoredMailbox } from '../../store/mailbox-repository.js';
import { cmgTruth, type CmgHeldActivity, type RecordRepair } from './cmg-truth.js';
import { fetchWithFailover, type MailboxHeld, type MailboxRefused, type MailboxUnavailable } from './fetch-with-failover.js';
import type { SyncDeps } from '../sync-deps.js';

export interface MailboxPlan {
  readonly kind: 'plan';
  readonly provider: CalendarProvider;
  readonly fetched: FetchCalendarResult;
  readonly mapped: MappedCalendar;
  readonly operations: readonly Operation[];
  /**
   * ExternalIds CMG held before this plan among those the plan could change: all the mailbox's
   * for a full plan, those of the touched events for a delta.
   */
  readonly heldBefore: ReadonlySet<string>;
  /** A full plan's corrections of our record to what CMG holds (cmg-truth.ts). */
  readonly recordRepair: RecordRepair | undefined;
  /** How many activities CMG held for the mailbox before this plan. */
  readonly activityCountBefore: number;
  /** The window the new sync token belongs to. */
  readonly tokenWindow: CalendarWindow;
  readonly configHash: string;
  readonly timeZone: string;
  readonly automaticRepliesSince: string | undefined;
  /** What the automatic replies mapped to (automatic-replies-seen.ts), for the mailbox to remember. */
  readonly automaticRepliesSeen: string | undefined;
}

const dayOf = (iso: string): string => iso.slice(0, 10);

/**
 * A delta touching at most this many events reads their rows by key; one touching more reads the
 * mailbox's partition, which is then the cheaper single request.
 */
const POINT_READS_AT_MOST = 8;

/** Why this job must fetch the whole window, or undefined when an incremental fetch will do. */
export function fullSyncReason(mailbox: StoredMailbox, window: CalendarWindow, hash: string, requested: boolean): string | undefined {
  if (requested) return 'requested';
  if (!mailbox.syncToken || !mailbox.window) return 'no sync token';
  if (dayOf(mailbox.window.start) !== dayOf(window.start)) return 'window rolled to a new day';
  if (mailbox.configHash !== hash) return 'mapping settings changed';
  return undefined;
}

export interface PlanOptions {
  /** Ask for a full fetch whatever the mailbox's token says. */
  readonly full: boolean;
  /**
   * Read every acknowledged row even for a delta. A failed attempt may have recorded rows
   * without saving the mailbox's count; the whole record counts them again.
   */
  readonly recount?: boolean;
}

export async function planMailbox(deps: SyncDeps, mailbox: StoredMailbox, options: PlanOptions): Promise<MailboxPlan | MailboxUnavailable | MailboxRefused | MailboxHeld> {
  const now = deps.now();
  const mapping = deps.config.mapping;
  const window = calendarWindow(now, mapping);
  const hash = configHash(mapping);
  const fullReason = fullSyncReason(mailbox, window, hash, options.full);

  const languages = mapping.codeLanguages.length > 0 ? mapping.codeLanguages : [mailbox.language];
  const incremental = fullReason === undefined;
  const readTouchedOnly = incremental && options.recount !== true;
  // Independent reads: waiting for them one after the other would add two round trips to every
  // job. A delta's rows are read once the fetch has said which events it touched.
  const [fetched, codes, listed] = await Promise.all([
    fetchWithFailover(deps, mailbox, window, incremental),
    deps.cmg.codes(languages),
    readTouchedOnly ? undefined : deps.store.activities.listForMailbox(mailbox.key),
  ]);
  if (fetched.kind !== 'fetched') return fetched;
  const { provider, result } = fetched;

  const timeZone = result.timeZone || mailbox.timeZone || deps.config.sync.defaultTimeZone;
  const automaticRepliesSince =
    result.automaticReplies?.status === 'alwaysEnabled' ? (mailbox.automaticRepliesSince ?? now.toISOString()) : undefined;
  const mappedAll = mapCalendar(
    result.items,
    {
      settings: mapping,
      codes,
      mailbox: { key: mailbox.key, provider: provider.kind, language: mailbox.language, forwardByDefault: mailbox.forwardByDefault, timeZone },
      window,
      automaticRepliesSince,
    },
    result.automaticReplies,
  );
  // A full plan always weighs the automatic replies; a delta only when they map otherwise than last time.
  const repliesSeen = automaticRepliesSeen(mappedAll);
  const mapped =
    result.mode === 'delta' && repliesSeen !== undefined && repliesSeen === mailbox.automaticRepliesSeen ? withoutAutomaticReplies(mappedAll) : mappedAll;
  // A removed id may be a series master's: its occurrences' activities go with it.
  const touchedSeriesIds = [...new Set([...(result.seriesInScope ?? []), ...mapped.removedEventIds])];
  const held = result.mode === 'delta' && readTouchedOnly ? await readTouched(deps, mailbox, provider.kind, mapped.touchedEventIds, touchedSeriesIds) : undefined;
  const recorded = held ?? listed ?? (await deps.store.activities.listForMailbox(mailbox.key));
  const truth = result.mode === 'full' ? cmgTruth(await listInCmg(deps, mailbox), mapped.activities, recorded, deps.config.cmg.messageSystems, now) : undefined;
  const acknowledged = truth?.acknowledged ?? recorded;
  // A refused row stays in the plan's input (its hash keeps it from being sent again) but CMG does not hold it.
  const inCmg = acknowledged.filter((a) => a.rejected === undefined);
  const operations = planOperations({
    desired: mapped.activities,
    acknowledged,
    scope: result.mode === 'full' ? { kind: 'full' } : { kind: 'delta', touchedEventIds: mapped.touchedEventIds, touchedSeriesIds },
  });
  return {
    kind: 'plan',
    provider,
    fetched: result,
    mapped,
    operations,
    heldBefore: new Set(inCmg.map((a) => a.externalId)),
    recordRepair: truth?.repair,
    activityCountBefore: held ? mailbox.activityCount : inCmg.length,
    tokenWindow: result.mode === 'full' ? window : (mailbox.window ?? window),
    configHash: hash,
    timeZone,
    automaticRepliesSince,
    automaticRepliesSeen: repliesSeen ?? mailbox.automaticRepliesSeen,
  };
}

/** What CMG holds for the user with our sign; nothing when CMG no longer knows the user (applying then disables the mailbox). */
async function listInCmg(deps: SyncDeps, mailbox: StoredMailbox): Promise<readonly CmgHeldActivity[]> {
  try {
    return await deps.cmg.listActivities(mailbox.key, deps.config.mapping.sign);
  } catch (error) {
    if (error instanceof AppError && error.code === 'unknown_user') return [];
    throw error;
  }
}

/**
 * The acknowledged rows a delta can change, read by key: an activity's externalId derives from
 * its source event (external-id.ts), so the touched events name every row the plan may upsert
 * or delete; the rows of touched series' occurrences are found by their series. Undefined when
 * the delta touched too many events for point reads to pay.
 */
async function readTouched(
  deps: SyncDeps,
  mailbox: StoredMailbox,
  provider: ProviderKind,
  touchedEventIds: readonly string[],
  touchedSeriesIds: readonly string[],
): Promise<StoredActivity[] | undefined> {
  if (touchedEventIds.length > POINT_READS_AT_MOST) return undefined;
  const [rows, ofSeries] = await Promise.all([
    Promise.all(touchedEventIds.map((eventId) => deps.store.activities.get(mailbox.key, externalIdFor(provider, mailbox.key, eventId)))),
    deps.store.activities.listForSeries(mailbox.key, touchedSeriesIds),
  ]);
  const byId = new Map(ofSeries.map((row) => [row.externalId, row]));
  for (const row of rows) if (row !== undefined) byId.set(row.externalId, row);
  return [...byId.values()];
}
