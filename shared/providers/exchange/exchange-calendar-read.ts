/**
 * How one mailbox's calendar is read over EWS, apart from the wire (issue 26, item 3):
 *
 * - change detection with SyncFolderItems (IdOnly, at most 512 changes a call, on until
 *   IncludesLastItemInRange): one cheap request when nothing changed;
 * - whenever anything changed, and on every full sync, the whole window again with FindItem +
 *   CalendarView, diffed as a full sync: EWS has no occurrence-level delta (SyncFolderItems
 *   reports series masters only, "no calendaring logic", syncfolderitems-operation.md);
 * - a window too large for one CalendarView (ErrorExceededFindCountLimit at 1,000 items,
 *   ErrorCalendarViewRangeTooBig over two years, or an answer truncated at MaxEntriesReturned)
 *   is split in halves and read again, never silently cut;
 * - the automatic replies with every full read, and at most every `automaticRepliesEveryMs`
 *   on quiet polls (their changes do not show in the calendar folder); in delegate mode
 *   Exchange refuses them to anyone but the owner, which is recorded, not failed;
 * - the mailbox's own time zone (all-day items are dates in it) from its regional configuration
 *   (GetUserConfiguration OWA.UserOptions) with every full sync the job asks for, remembered in the
 *   token for the change reads and polls between; not set, unknown or refused: the default zone;
 * - at most 2 requests of one mailbox in flight, and throttling waits as long as Exchange asks.
 *
 * The sync state is fetched to its end before the window is read: a change made while the
 * window is read is reported again by the next SyncFolderItems, so nothing is missed.
 */
import { backoffDelay } from '../../domain/backoff.js';
import type { CalendarWindow } from '../../domain/calendar-window.js';
import { AppError, configurationError } from '../../errors/app-error.js';
import type { Logger } from '../../observability/logger.js';
import { toIanaZone } from '../windows-time-zone.js';
import { pageBudget } from '../read-limits.js';
import { classifyEwsFailure, type EwsSubject } from './exchange-errors.js';
import { MAX_SYNC_CHANGES } from './ews-requests.js';
import { isEwsFailure, type EwsFailure, type SyncFolderItemsResult } from './ews-responses.js';

/** One FindItem CalendarView answer (ews-responses.ts CalendarViewResult, of any item type for tests). */
export interface CalendarViewPage<TItem> {
  readonly items: readonly TItem[];
  readonly includesLastItemInRange: boolean;
  readonly totalItemsInView?: number | undefined;
}

/** The four EWS operations a read needs, as the mailbox (impersonated or delegated) sees them. */
export interface ExchangeReadCalls<TItem, TOof> {
  syncFolderItems(syncState: string | undefined, maxChanges: number): Promise<SyncFolderItemsResult | EwsFailure>;
  calendarView(start: string, end: string, maxEntries: number): Promise<CalendarViewPage<TItem> | EwsFailure>;
  userOofSettings(): Promise<TOof | EwsFailure>;
  /** The Windows zone id of the mailbox's regional configuration; undefined when it holds none. */
  regionalTimeZone(): Promise<{ readonly windowsZone: string | undefined } | EwsFailure>;
}

export interface ExchangeReadOptions {
  readonly profileName: string;
  readonly access: 'impersonation' | 'delegate';
  /** Retries of one request after throttling or a passing failure (SyncConfig.providerMaxRetries). */
  readonly maxRetries: number;
  /** Longest wait slept in-process; a longer BackOffMilliseconds goes back to the job queue. */
  readonly maxRetryWaitMs: number;
  readonly retryBaseMs: number;
  /** Quiet polls read the automatic replies again once the last read is this old. */
  readonly automaticRepliesEveryMs: number;
  /** The IANA zone of a mailbox whose own zone is not set, unknown or refused (SyncConfig.defaultTimeZone). */
  readonly defaultTimeZone: string;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly logger: Logger;
}

export interface ExchangeReadRequest {
  readonly address: string;
  readonly window: CalendarWindow;
  /** From the previous read (absent: a full read). */
  readonly syncToken?: string | undefined;
  /** A full read: the last read's token, whose sync state spares SyncFolderItems the whole folder. */
  readonly previousSyncToken?: string | undefined;
}

export interface ExchangeRead<TItem, TOof> {
  readonly mode: 'full' | 'delta';
  /** full: every item of the window, once each; delta: none (nothing changed). */
  readonly items: readonly TItem[];
  /** Read this time: the settings; refused (delegate access): `refused`; not read: undefined. */
  readonly automaticReplies: { readonly read: TOof } | { readonly refused: string } | undefined;
  readonly nextSyncToken: string;
  /** The mailbox's IANA zone: read with a full sync, else remembered in the token (or the default). */
  readonly timeZone: string;
  readonly requests: number;
}

/** Below EWSFindCountLimit (1,000): a full answer is a truncated one, split and read again. */
export const MAX_VIEW_ENTRIES = 500;
/** A window this short that still holds more than MAX_VIEW_ENTRIES items is not a calendar to sync. */
const MIN_SPLIT_MS = 60 * 60_000;
/** At most this many requests of one mailbox in flight (issue 26, item 5). */
const PER_MAILBOX_IN_FLIGHT = 2;
/** SyncFolderItems pages of one read: 400 × 512 changes, far above any calendar folder. */
const SYNC_LIMITS = { maxPages: 400, maxItems: 400 * MAX_SYNC_CHANGES };

/**
 * The token keeps EWS's sync state, when the automatic replies were last read and, from a read
 * that knew it, the mailbox's IANA zone (`ews2`; `ews1` tokens, from before, carry none).
 */
export function exchangeToken(syncState: string, repliesReadAt: number, timeZone?: string): string {
  return timeZone === undefined ? `ews1.${repliesReadAt}.${syncState}` : `ews2.${repliesReadAt}.${encodeURIComponent(timeZone)}.${syncState}`;
}

function parseToken(token: string): { syncState: string; repliesReadAt: number; timeZone: string | undefined } | undefined {
  const withZone = /^ews2\.(\d+)\.([^.]+)\.(.+)$/s.exec(token);
  if (withZone) return { repliesReadAt: Number(withZone[1]), timeZone: decodeZone(withZone[2]!), syncState: withZone[3]! };
  const match = /^ews1\.(\d+)\.(.+)$/s.exec(token);
  return match ? { repliesReadAt: Number(match[1]), syncState: match[2]!, timeZone: undefined } : undefined;
}

function decodeZone(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}

export async function readExchangeCalendar<TItem extends { readonly itemId: string }, TOof>(
  calls: ExchangeReadCalls<TItem, TOof>,
  request: ExchangeReadRequest,
  options: ExchangeReadOptions,
): Promise<ExchangeRead<TItem, TOof>> {
  let requests = 0;
  const inFlight = limiter(PER_MAILBOX_IN_FLIGHT);

  /** One EWS call, counted, at most 2 at once, retried on throttling and passing failures. */
  const call = async <T>(op: string, subject: EwsSubject, work: () => Promise<T | EwsFailure>): Promise<T | AppError> => {
    for (let attempt = 0; ; attempt += 1) {
      requests += 1;
      const answer = await inFlight(work);
      if (!isEwsFailure(answer)) return answer;
      const error = classifyEwsFailure(answer, options.profileName, subject);
      if (error.kind !== 'transient') return error;
      const delayMs = error.retryAfterMs ?? backoffDelay(attempt, options.retryBaseMs, options.maxRetryWaitMs, options.random);
      if (attempt >= options.maxRetries || delayMs > options.maxRetryWaitMs) return error;
      options.logger.warn('exchange.retry', { call: op, address: request.address, code: answer.responseCode || `HTTP ${answer.httpStatus}`, attempt: attempt + 1, delayMs });
      await options.sleep(delayMs);
    }
  };
  const must = <T>(value: T | AppError): T => {
    if (value instanceof Error) throw value;
    return value;
  };

  const previous = request.syncToken === undefined ? undefined : parseToken(request.syncToken);
  // Not a token of ours (another provider's, or an older form): start over, as on an expired state.
  const syncState = previous?.syncState;
  // A full read asked for (window rolled, settings changed): the last state still saves paging
  // through the whole folder; if Exchange no longer knows it, the read starts from nothing.
  const startState = syncState ?? (request.previousSyncToken === undefined ? undefined : parseToken(request.previousSyncToken)?.syncState);

  // 1. What changed since the last read: SyncFolderItems to the end of its changes.
  const trackChanges = async (from: string | undefined): Promise<{ state: string; changed: boolean }> => {
    const budget = pageBudget('Exchange', request.address, SYNC_LIMITS);
    let state = from;
    let changed = false;
    for (;;) {
      const page = must(await call('SyncFolderItems', 'mailbox', () => calls.syncFolderItems(state, MAX_SYNC_CHANGES)));
      // Read flags say nothing about the calendar.
      if (page.changes.some((c) => c.change !== 'readFlag')) changed = true;
      budget(page.changes.length, page.includesLastItemInRange ? undefined : page.syncState);
      state = page.syncState;
      if (page.includesLastItemInRange) return { state, changed };
    }
  };
  let tracked: { state: string; changed: boolean };
  try {
    tracked = await trackChanges(startState);
  } catch (error) {
    if (syncState !== undefined || startState === undefined || !(error instanceof AppError && error.kind === 'resync')) throw error;
    options.logger.info('exchange.previous-state-refused', { address: request.address });
    tracked = await trackChanges(undefined);
  }
  const nextState = tracked.state;
  const changed = tracked.changed;

  const now = options.now();
  const full = syncState === undefined || changed;
  const repliesDue = full || previous === undefined || now - previous.repliesReadAt >= options.automaticRepliesEveryMs;
  const readReplies = async (): Promise<ExchangeRead<TItem, TOof>['automaticReplies']> => {
    if (!repliesDue) return undefined;
    const replies = await call('GetUserOofSettings', 'automatic-replies', () => calls.userOofSettings());
    if (!(replies instanceof Error)) return { read: replies };
    if (replies.code !== 'automatic-replies-refused') throw replies;
    const why =
      options.access === 'delegate'
        ? 'Exchange shows automatic replies to the mailbox owner only, and this profile reads as a delegate (ACCESS=delegate)'
        : `Exchange refused the automatic replies (${replies.message})`;
    options.logger.info('exchange.automatic-replies-refused', { address: request.address, access: options.access });
    return { refused: why };
  };

  // 2. Nothing changed: the poll ends here (plus, now and then, the automatic replies).
  if (!full && previous) {
    const automaticReplies = await readReplies();
    const timeZone = previous.timeZone ?? options.defaultTimeZone;
    return { mode: 'delta', items: [], automaticReplies, nextSyncToken: exchangeToken(nextState, repliesDue ? now : previous.repliesReadAt, previous.timeZone), timeZone, requests };
  }

  // The zone all-day items are read in: read again with every full sync the job asks for (first
  // sync, the window's daily roll, changed settings, a manual resync), so a zone the user changes
  // is followed within a day; between them, a change costs no extra request.
  const readZone = async (): Promise<string> => {
    if (syncState !== undefined && previous?.timeZone !== undefined) return previous.timeZone;
    const answer = await call('GetUserConfiguration', 'regional-configuration', () => calls.regionalTimeZone());
    const fallBack = (reason: string, zone?: string): string => {
      options.logger.info('exchange.time-zone-default', { address: request.address, reason, zone, using: options.defaultTimeZone });
      return options.defaultTimeZone;
    };
    if (answer instanceof Error) {
      if (answer.code === 'time-zone-not-set') return fallBack('not set');
      if (answer.code === 'time-zone-unavailable') return fallBack(`refused (${options.access})`);
      throw answer;
    }
    if (answer.windowsZone === undefined) return fallBack('not set');
    return toIanaZone(answer.windowsZone) ?? fallBack('unknown zone', answer.windowsZone);
  };

  // 3. The whole window, and the automatic replies beside it.
  const items = new Map<string, TItem>();
  const viewBudget = pageBudget('Exchange', request.address);
  const readWindow = async (start: string, end: string): Promise<void> => {
    const answer = await call('FindItem CalendarView', 'mailbox', () => calls.calendarView(start, end, MAX_VIEW_ENTRIES));
    if (answer instanceof Error && answer.code !== 'window-too-big') throw answer;
    if (answer instanceof Error || !answer.includesLastItemInRange || (answer.totalItemsInView ?? 0) > answer.items.length) {
      const startMs = Date.parse(start);
      const endMs = Date.parse(end);
      if (endMs - startMs <= MIN_SPLIT_MS) {
        throw configurationError(`Exchange holds more than ${MAX_VIEW_ENTRIES} items for ${request.address} between ${start} and ${end}; reading stopped (is this a resource calendar? exclude it)`, 'read-limit');
      }
      const middle = new Date(startMs + Math.floor((endMs - startMs) / 2 / 60_000) * 60_000).toISOString();
      options.logger.debug('exchange.window-split', { address: request.address, start, middle, end });
      await Promise.all([readWindow(start, middle), readWindow(middle, end)]);
      return;
    }
    viewBudget(answer.items.length, `${start}/${end}`);
    // An item across a split point comes back from both halves: once is enough.
    for (const item of answer.items) items.set(item.itemId, item);
  };
  const [automaticReplies, timeZone] = await Promise.all([readReplies(), readZone(), readWindow(request.window.start, request.window.end)]);
  return { mode: 'full', items: [...items.values()], automaticReplies, nextSyncToken: exchangeToken(nextState, now, timeZone), timeZone, requests };
}

/** Runs at most `limit` of the given tasks at once, the rest in arrival order. */
function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}
