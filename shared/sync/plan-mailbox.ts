/**
 * Steps 2–6 of the sync job (ARCHITECTURE.md): choose full or incremental, fetch through the
 * mailbox's profile (failing over to the others that serve its domain), map, and diff against
 * what CMG acknowledged. Nothing is written but the mailbox's remembered series masters (a
 * cache of what Graph says): the admin preview uses this as it is.
 */
import { AppError } from '../errors/app-error.js';
import { calendarWindow } from '../domain/calendar-window.js';
import { configHash } from '../domain/config-hash.js';
import { externalIdFor } from '../domain/external-id.js';
import { mapCalendar, type MappedCalendar } from '../domain/map-calendar.js';
import { planOperations } from '../domain/plan-operations.js';
import type { CalendarWindow } from '../domain/calendar-window.js';
import type { Operation } from '../domain/activity.js';
import type { ProviderKind } from '../domain/calendar-event.js';
import type { CalendarProvider, FetchCalendarResult } from '../providers/calendar-provider.js';
import type { StoredActivity } from '../store/activity-repository.js';
import type { StoredMailbox } from '../store/mailbox-repository.js';
import { seriesMemoryFor } from './series-memory.js';
import type { SyncDeps } from './sync-deps.js';

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
  /** How many activities CMG held for the mailbox before this plan. */
  readonly activityCountBefore: number;
  /** The window the new sync token belongs to. */
  readonly tokenWindow: CalendarWindow;
  readonly configHash: string;
  readonly timeZone: string;
  readonly automaticRepliesSince: string | undefined;
}

/** No profile serving the domain can open the mailbox: report it as an invalid address. */
export interface MailboxUnavailable {
  readonly kind: 'unavailable';
  readonly reason: string;
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

export async function planMailbox(deps: SyncDeps, mailbox: StoredMailbox, options: PlanOptions): Promise<MailboxPlan | MailboxUnavailable> {
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
  if (fetched.kind === 'unavailable') return fetched;
  const { provider, result } = fetched;

  const timeZone = result.timeZone || mailbox.timeZone || deps.config.sync.defaultTimeZone;
  const automaticRepliesSince =
    result.automaticReplies?.status === 'alwaysEnabled' ? (mailbox.automaticRepliesSince ?? now.toISOString()) : undefined;
  const mapped = mapCalendar(
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
  // A removed id may be a series master's: its occurrences' activities go with it.
  const touchedSeriesIds = [...new Set([...(result.seriesInScope ?? []), ...mapped.removedEventIds])];
  const held = result.mode === 'delta' && readTouchedOnly ? await readTouched(deps, mailbox, provider.kind, mapped.touchedEventIds, touchedSeriesIds) : undefined;
  const acknowledged = held ?? listed ?? (await deps.store.activities.listForMailbox(mailbox.key));
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
    heldBefore: new Set(acknowledged.map((a) => a.externalId)),
    activityCountBefore: held ? mailbox.activityCount : acknowledged.length,
    tokenWindow: result.mode === 'full' ? window : (mailbox.window ?? window),
    configHash: hash,
    timeZone,
    automaticRepliesSince,
  };
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

async function fetchWithFailover(
  deps: SyncDeps,
  mailbox: StoredMailbox,
  window: CalendarWindow,
  incremental: boolean,
): Promise<{ kind: 'fetched'; provider: CalendarProvider; result: FetchCalendarResult } | MailboxUnavailable> {
  const candidates = deps.providers.candidatesFor(mailbox.domain, mailbox.profile);
  if (candidates.length === 0) return { kind: 'unavailable', reason: `no connection profile serves ${mailbox.domain}` };
  const refusals: string[] = [];
  for (const provider of candidates) {
    // A token is only meaningful to the profile that issued it.
    const token = incremental && provider.profileName === mailbox.profile ? mailbox.syncToken : undefined;
    try {
      const result = await fetchOnce(deps, provider, mailbox, window, token);
      return { kind: 'fetched', provider, result };
    } catch (error) {
      if (error instanceof AppError && error.kind === 'permanent') {
        refusals.push(`${provider.profileName}: ${error.message}`);
        deps.logger.warn('sync.profile-refused', { mailbox: mailbox.key, profile: provider.profileName, code: error.code });
        continue;
      }
      throw error;
    }
  }
  return { kind: 'unavailable', reason: refusals.join('; ') };
}

async function fetchOnce(
  deps: SyncDeps,
  provider: CalendarProvider,
  mailbox: StoredMailbox,
  window: CalendarWindow,
  token: string | undefined,
): Promise<FetchCalendarResult> {
  // A directory id is only meaningful to the profile (tenant) that found it.
  const directoryUser =
    mailbox.directoryId && mailbox.directoryIdAddress && provider.profileName === mailbox.profile ? { address: mailbox.directoryIdAddress, id: mailbox.directoryId } : undefined;
  const seriesMemory = seriesMemoryFor(deps.store, mailbox.key);
  try {
    return await provider.fetchCalendar({ address: mailbox.address, directoryUser, window: token ? (mailbox.window ?? window) : window, syncToken: token, seriesMemory });
  } catch (error) {
    if (token && error instanceof AppError && error.kind === 'resync') {
      deps.logger.info('sync.token-expired', { mailbox: mailbox.key, profile: provider.profileName, code: error.code });
      return provider.fetchCalendar({ address: mailbox.address, directoryUser, window, syncToken: undefined, seriesMemory });
    }
    throw error;
  }
}
