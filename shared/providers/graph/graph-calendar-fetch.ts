/**
 * Reads one mailbox: its settings (time zone, automatic replies) and its calendar window,
 * with the fewest round trips.
 *
 * Full fetch = the initial round of `calendarView/delta`: it returns every event in the window
 * (occurrences of series expanded) and ends with the deltaLink, so a separate `calendarView`
 * listing would only double the requests. Incremental fetch = GET of the stored deltaLink (the
 * window is fixed inside it). Either way the first calendar request travels in one JSON `$batch`
 * with `mailboxSettings`: a quiet mailbox costs exactly one HTTP request per sync, and a
 * full sync of n pages costs n. `$select` is not used: delta does not accept it. Recurring
 * series then need their masters or a fresh listing of their occurrences (graph-series.ts).
 * https://learn.microsoft.com/graph/delta-query-events, https://learn.microsoft.com/graph/json-batching
 */
import { normalizeGraphAutomaticReplies } from '../../domain/normalize-graph-automatic-replies.js';
import { normalizeGraphEvent } from '../../domain/normalize-graph-event.js';
import type { NormalizeResult } from '../../domain/calendar-event.js';
import { transientError } from '../../errors/app-error.js';
import type { Logger } from '../../observability/logger.js';
import type { FetchCalendarRequest, FetchCalendarResult } from '../calendar-provider.js';
import { pageBudget, type ReadLimits } from '../read-limits.js';
import type { GraphApi, GraphRequestSpec } from './graph-client.js';
import { completeSeries } from './graph-series.js';
import { DeltaPageSchema, MailboxSettingsSchema, type DeltaPage, type MailboxSettings } from './graph-schemas.js';
import type { MailboxGate } from './mailbox-gate.js';
import { toIanaZone } from '../windows-time-zone.js';

export interface CalendarFetchOptions {
  /** `Prefer: odata.maxpagesize` for delta pages. */
  readonly pageSize: number;
  /** A throttled `$batch` sub-request is repeated alone after its Retry-After, up to this wait. */
  readonly maxRetryDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly logger: Logger;
  /** Pages and items one fetch may read; DEFAULT_READ_LIMITS when not given. */
  readonly limits?: ReadLimits | undefined;
}

/** `userRef`: how Graph is to find the user, the address (as UPN) unless the directory gave its object id. */
export async function fetchGraphCalendar(
  api: GraphApi,
  gate: MailboxGate,
  request: FetchCalendarRequest,
  options: CalendarFetchOptions,
  userRef: string = request.address,
): Promise<FetchCalendarResult> {
  const { address, window, syncToken } = request;
  const user = `/users/${encodeURIComponent(userRef)}`;
  // Times in UTC (MAPPING.md §5); page size so a 50-event window is one page.
  const headers = { Prefer: `outlook.timezone="UTC", odata.maxpagesize=${options.pageSize}` };
  const settingsSpec: GraphRequestSpec = { method: 'GET', path: `${user}/mailboxSettings` };
  const calendarSpec: GraphRequestSpec = {
    method: 'GET',
    path: syncToken ?? `${user}/calendarView/delta?startDateTime=${encodeURIComponent(window.start)}&endDateTime=${encodeURIComponent(window.end)}`,
    headers,
    // Graph answers a token it no longer accepts with 400 as often as with 410: either way a full sync.
    target: syncToken ? 'sync-state' : 'mailbox',
  };
  let requests = 0;
  const getPage = async (spec: GraphRequestSpec): Promise<DeltaPage> => {
    const answer = await gate.run(address, 1, () => api.send(spec, DeltaPageSchema));
    requests += answer.requests;
    return answer.body;
  };
  const getSettings = async (): Promise<MailboxSettings> => {
    const answer = await gate.run(address, 1, () => api.send(settingsSpec, MailboxSettingsSchema));
    requests += answer.requests;
    return answer.body;
  };

  let settings: MailboxSettings;
  let page: DeltaPage;
  if (calendarSpec.path.startsWith('/') || api.relativePath(calendarSpec.path) !== undefined) {
    const batch = await gate.run(address, 2, () =>
      api.batch([
        { id: 'calendar', ...calendarSpec },
        { id: 'settings', ...settingsSpec },
      ]),
    );
    requests += batch.requests;
    const calendarItem = batch.items.get('calendar');
    const settingsItem = batch.items.get('settings');
    if (!calendarItem || !settingsItem) throw transientError('Graph $batch answer lacks a response', 'graph-bad-response');
    // A lost delta state or an unavailable mailbox decides the outcome; a throttled
    // sub-request alone is repeated on its own, with the normal retry rules.
    const calendarFailure = calendarItem.status >= 300 ? api.failureOf(calendarItem, calendarSpec.target) : undefined;
    const settingsFailure = settingsItem.status >= 300 ? api.failureOf(settingsItem) : undefined;
    for (const failure of [calendarFailure, settingsFailure]) {
      if (failure && (failure.kind !== 'transient' || (failure.retryAfterMs ?? 0) > options.maxRetryDelayMs)) throw failure;
    }
    const wait = Math.max(calendarFailure?.retryAfterMs ?? 0, settingsFailure?.retryAfterMs ?? 0);
    if (wait > 0) await options.sleep(wait);
    page = calendarFailure ? await getPage(calendarSpec) : parseItem(DeltaPageSchema, calendarItem.body, 'calendar');
    settings = settingsFailure ? await getSettings() : parseItem(MailboxSettingsSchema, settingsItem.body, 'settings');
  } else {
    // A deltaLink on another host than the profile's endpoint cannot join a batch.
    [page, settings] = await Promise.all([getPage(calendarSpec), getSettings()]);
  }

  const countPage = pageBudget('Graph', address, options.limits);
  countPage(page.value.length, page['@odata.nextLink']);
  const items: NormalizeResult[] = page.value.map(normalizeGraphEvent);
  while (page['@odata.nextLink']) {
    page = await getPage({ method: 'GET', path: page['@odata.nextLink'], headers, target: 'sync-state' });
    countPage(page.value.length, page['@odata.nextLink']);
    for (const raw of page.value) items.push(normalizeGraphEvent(raw));
  }
  const deltaLink = page['@odata.deltaLink'];
  if (!deltaLink) throw transientError('Graph delta round ended without a deltaLink', 'graph-bad-response');
  const mode = syncToken ? 'delta' : 'full';
  const series = await completeSeries(
    {
      api,
      gate,
      address,
      userRef,
      window,
      headers,
      pageSize: options.pageSize,
      memory: request.seriesMemory,
      maxRetryDelayMs: options.maxRetryDelayMs,
      sleep: options.sleep,
      countPage,
    },
    items,
    mode,
  );
  requests += series.requests;

  const zoneName = settings.timeZone ?? '';
  const timeZone = toIanaZone(zoneName);
  if (!timeZone) options.logger.warn('graph.time-zone-unknown', { zone: zoneName, using: 'UTC' });
  return {
    mode,
    items: series.items,
    seriesInScope: mode === 'delta' ? series.seriesInScope : undefined,
    nextSyncToken: deltaLink,
    timeZone: timeZone ?? 'UTC',
    automaticReplies: normalizeGraphAutomaticReplies(settings, toIanaZone),
    requests,
  };
}

function parseItem<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } }, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw transientError(`Graph answered the ${what} request in an unexpected shape`, 'graph-bad-response');
  return parsed.data;
}
