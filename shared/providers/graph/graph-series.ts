/**
 * Completes the recurring series of one calendar fetch (MAPPING.md §1). `calendarView/delta`
 * sends an occurrence as a stub (id, series, start, end), sometimes with its series master,
 * and never announces a cancelled occurrence or the old occurrences of a re-timed series.
 *
 * - Full fetch: each stub is completed from its master: the one in the same delta, else the one
 *   remembered for the mailbox while the stub's etag still carries its change key, else one
 *   fetched with `GET events/{id}` in JSON `$batch`es of up to 20. A master that is gone (404)
 *   leaves its stubs unresolved.
 * - Delta: every series any item of which changed is listed anew with
 *   `events/{id}/instances` in the window (full occurrences, in `$batch`es of up to 20), so the
 *   occurrences that no longer exist can be told from those that do; its series is then in
 *   scope for deletions. A series that is gone (404) is in scope with no occurrences.
 *
 * Masters seen in a delta or fetched replace what the mailbox remembers; gone ones are forgotten.
 * https://learn.microsoft.com/graph/api/event-get, https://learn.microsoft.com/graph/api/event-list-instances,
 * https://learn.microsoft.com/graph/json-batching
 */
import type { NormalizeResult, SeriesMaster } from '../../domain/calendar-event.js';
import type { CalendarWindow } from '../../domain/calendar-window.js';
import { hydrateStubs, mastersIn } from '../../domain/series-stubs.js';
import { normalizeGraphEvent } from '../../domain/normalize-graph-event.js';
import { transientError } from '../../errors/app-error.js';
import type { SeriesMemory } from '../calendar-provider.js';
import { MAX_BATCH_REQUESTS, type GraphApi, type GraphRequestSpec } from './graph-client.js';
import { EventListPageSchema, GraphErrorBodySchema, type BatchItemResponse } from './graph-schemas.js';
import type { MailboxGate } from './mailbox-gate.js';

export interface SeriesContext {
  readonly api: GraphApi;
  readonly gate: MailboxGate;
  readonly address: string;
  /** How Graph is to find the user: the address as UPN, or the object id the directory gave. */
  readonly userRef: string;
  /** The window of the fetch (a delta's is the one its token was issued for). */
  readonly window: CalendarWindow;
  /** `Prefer` and the like, as the calendar requests send them. */
  readonly headers: Readonly<Record<string, string>>;
  readonly pageSize: number;
  readonly memory: SeriesMemory | undefined;
  /** A throttled sub-request is sent again after its Retry-After, up to this wait. */
  readonly maxRetryDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** The fetch's page budget (read-limits.ts): instances pages count against it too. */
  readonly countPage: (items: number, next: string | undefined) => void;
}

export interface CompletedSeries {
  readonly items: NormalizeResult[];
  readonly seriesInScope: string[];
  readonly requests: number;
}

/** The fields a master lends its occurrences, plus its change key: all a master GET needs to return. */
const MASTER_SELECT = 'subject,categories,showAs,sensitivity,isAllDay,responseStatus,isCancelled,location,isOnlineMeeting,onlineMeetingProvider,organizer,type,changeKey';
/** How often a throttled sub-request is sent again before the fetch gives up with the error. */
const MAX_SUB_RETRIES = 3;

export async function completeSeries(ctx: SeriesContext, items: readonly NormalizeResult[], mode: 'full' | 'delta'): Promise<CompletedSeries> {
  return mode === 'full' ? completeFull(ctx, items) : completeDelta(ctx, items);
}

async function completeFull(ctx: SeriesContext, items: readonly NormalizeResult[]): Promise<CompletedSeries> {
  const inDelta = mastersIn(items);
  const stubsBySeries = new Map<string, Array<string | undefined>>();
  for (const item of items) if (item.kind === 'stub') stubsBySeries.set(item.seriesId, [...(stubsBySeries.get(item.seriesId) ?? []), item.changeKey]);
  if (stubsBySeries.size === 0 && inDelta.size === 0) return { items: [...items], seriesInScope: [], requests: 0 };

  const remembered = new Map((ctx.memory ? await ctx.memory.recall() : []).map((m) => [m.id, m]));
  const masters = new Map(inDelta);
  const toFetch: string[] = [];
  for (const [seriesId, changeKeys] of stubsBySeries) {
    if (masters.has(seriesId)) continue;
    const known = remembered.get(seriesId);
    // An occurrence carries its series' change key in its etag: a different one means the
    // master changed since it was remembered.
    if (known && changeKeys.every((key) => key === undefined || key === known.changeKey)) masters.set(seriesId, known);
    else toFetch.push(seriesId);
  }
  const fetched = await fetchMasters(ctx, toFetch);
  for (const master of fetched.masters) masters.set(master.id, master);

  if (ctx.memory) {
    const changed = [...inDelta.values(), ...fetched.masters].filter((m) => remembered.get(m.id)?.changeKey !== m.changeKey || m.changeKey === undefined);
    // A full fetch sees the whole window: masters no series in it needs are forgotten.
    const unused = [...remembered.keys()].filter((id) => !masters.has(id));
    if (changed.length > 0) await ctx.memory.remember(changed);
    if (unused.length > 0) await ctx.memory.forget(unused);
  }
  return { items: hydrateStubs(items, masters), seriesInScope: [], requests: fetched.requests };
}

async function completeDelta(ctx: SeriesContext, items: readonly NormalizeResult[]): Promise<CompletedSeries> {
  const touched = new Set<string>();
  for (const item of items) {
    const seriesId = seriesOf(item);
    if (seriesId !== undefined) touched.add(seriesId);
  }
  const removed = items.flatMap((item) => (item.kind === 'removed' ? [item.id] : []));
  if (touched.size === 0) {
    // A removed id may be a series master: forgetting it costs nothing if it was not one.
    if (ctx.memory && removed.length > 0) await ctx.memory.forget(removed);
    return { items: [...items], seriesInScope: [], requests: 0 };
  }

  const listed = await listInstances(ctx, [...touched]);
  const out: NormalizeResult[] = [];
  for (const item of items) {
    const seriesId = seriesOf(item);
    const relisted = seriesId !== undefined && listed.occurrences.has(seriesId);
    const gone = seriesId !== undefined && listed.gone.has(seriesId);
    // A listed series' occurrences come from the listing; a gone series' stubs stay unresolved.
    if ((relisted || gone) && item.kind === 'event') continue;
    if (relisted && item.kind === 'stub') continue;
    out.push(item);
  }
  for (const occurrences of listed.occurrences.values()) out.push(...occurrences);

  if (ctx.memory) {
    const changed = [...mastersIn(items).values()].filter((m) => !listed.gone.has(m.id));
    if (changed.length > 0) await ctx.memory.remember(changed);
    const forget = [...listed.gone, ...removed];
    if (forget.length > 0) await ctx.memory.forget(forget);
  }
  return { items: out, seriesInScope: [...touched], requests: listed.requests };
}

/** The series an item belongs to: a stub's or occurrence's series, a master's own id. */
function seriesOf(item: NormalizeResult): string | undefined {
  if (item.kind === 'stub') return item.seriesId;
  if (item.kind === 'master') return item.master.id;
  if (item.kind === 'event') return item.event.seriesId;
  return undefined;
}

async function fetchMasters(ctx: SeriesContext, seriesIds: readonly string[]): Promise<{ masters: SeriesMaster[]; requests: number }> {
  const user = `/users/${encodeURIComponent(ctx.userRef)}`;
  const answers = await batchGet(
    ctx,
    seriesIds.map((id) => ({ id, method: 'GET', path: `${user}/events/${encodeURIComponent(id)}?$select=${MASTER_SELECT}`, headers: ctx.headers })),
  );
  const masters: SeriesMaster[] = [];
  for (const [, answer] of answers.items) {
    if (answer.status === 404) continue;
    const item = normalizeGraphEvent(answer.body);
    // Anything but a master (the id now names a single event) leaves its stubs unresolved.
    if (item.kind === 'master') masters.push(item.master);
  }
  return { masters, requests: answers.requests };
}

async function listInstances(
  ctx: SeriesContext,
  seriesIds: readonly string[],
): Promise<{ occurrences: Map<string, NormalizeResult[]>; gone: Set<string>; requests: number }> {
  const user = `/users/${encodeURIComponent(ctx.userRef)}`;
  const window = `startDateTime=${encodeURIComponent(ctx.window.start)}&endDateTime=${encodeURIComponent(ctx.window.end)}&$top=${ctx.pageSize}`;
  const answers = await batchGet(
    ctx,
    seriesIds.map((id) => ({ id, method: 'GET', path: `${user}/events/${encodeURIComponent(id)}/instances?${window}`, headers: ctx.headers })),
  );
  let requests = answers.requests;
  const occurrences = new Map<string, NormalizeResult[]>();
  const gone = new Set<string>();
  for (const [seriesId, answer] of answers.items) {
    if (answer.status === 404) {
      gone.add(seriesId);
      continue;
    }
    const first = EventListPageSchema.safeParse(answer.body);
    if (!first.success) throw transientError('Graph answered an instances request in an unexpected shape', 'graph-bad-response');
    let page = first.data;
    ctx.countPage(page.value.length, page['@odata.nextLink']);
    const listed = page.value.map(normalizeGraphEvent);
    while (page['@odata.nextLink']) {
      const next = await ctx.gate.run(ctx.address, 1, () => ctx.api.send({ method: 'GET', path: page['@odata.nextLink']!, headers: ctx.headers }, EventListPageSchema));
      requests += next.requests;
      page = next.body;
      ctx.countPage(page.value.length, page['@odata.nextLink']);
      listed.push(...page.value.map(normalizeGraphEvent));
    }
    occurrences.set(seriesId, listed);
  }
  return { occurrences, gone, requests };
}

/**
 * GETs in `$batch`es of up to 20. An answer is a 2xx or a 404 for the item itself
 * (ErrorItemNotFound); a throttled or failing sub-request is sent again after its Retry-After,
 * anything else (the mailbox refused, a token refused) ends the fetch with its error.
 */
async function batchGet(ctx: SeriesContext, specs: ReadonlyArray<GraphRequestSpec & { readonly id: string }>): Promise<{ items: Map<string, BatchItemResponse>; requests: number }> {
  const items = new Map<string, BatchItemResponse>();
  let requests = 0;
  for (let first = 0; first < specs.length; first += MAX_BATCH_REQUESTS) {
    let pending = specs.slice(first, first + MAX_BATCH_REQUESTS);
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      const batch = await ctx.gate.run(ctx.address, pending.length, () => ctx.api.batch(pending));
      requests += batch.requests;
      const again: typeof pending = [];
      let wait = 0;
      for (const spec of pending) {
        const answer = batch.items.get(spec.id);
        if (!answer) throw transientError('Graph $batch answer lacks a response', 'graph-bad-response');
        if (answer.status < 300 || isItemNotFound(answer)) {
          items.set(spec.id, answer);
          continue;
        }
        const failure = ctx.api.failureOf(answer);
        if (failure.kind !== 'transient' || attempt >= MAX_SUB_RETRIES || (failure.retryAfterMs ?? 0) > ctx.maxRetryDelayMs) throw failure;
        again.push(spec);
        wait = Math.max(wait, failure.retryAfterMs ?? 500 * 2 ** attempt);
      }
      if (again.length > 0) await ctx.sleep(wait);
      pending = again;
    }
  }
  return { items, requests };
}

/** The event itself is not there (not the mailbox: that is ErrorInvalidUser or the like). */
function isItemNotFound(answer: BatchItemResponse): boolean {
  if (answer.status !== 404) return false;
  return GraphErrorBodySchema.safeParse(answer.body).data?.error.code.toLowerCase() === 'erroritemnotfound';
}
