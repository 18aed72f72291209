/**
 * The mailbox reads: `/users/{id | address}`, `mailboxSettings`, `calendarView` (full
 * occurrences, paged with $top / $skip, $select honoured), `events/{id}`, `events/{id}/instances`
 * (full occurrences in a window, paged) and `calendarView/delta` with real paging and delta
 * semantics: the initial round lists the window, the deltaLink then yields only what changed,
 * and expired state answers 410 SyncStateNotFound as Exchange does. Delta sends recurring series
 * the way field reports describe, not the way the reference pages suggest (see deltaItems).
 * https://learn.microsoft.com/graph/api/user-list-calendarview, https://learn.microsoft.com/graph/api/event-delta,
 * https://learn.microsoft.com/graph/api/event-get, https://learn.microsoft.com/graph/api/event-list-instances
 */
import type { EmulatorRequest, EmulatorResponse, Route } from '../emulator-server.js';
import { overlaps, type GraphEmulatorState, type Instance, type StoredUser } from './graph-emulator-state.js';
import { eventJson, graphError, mailboxSettingsJson, removedJson, stubJson, userJson } from './graph-wire.js';

/** What a skip or delta token carries (opaque to clients, base64url JSON here). */
interface DeltaState {
  /** user id */
  readonly u: string;
  /** window */
  readonly s: string;
  readonly e: string;
  /** user generation when issued: "expire tokens" bumps it */
  readonly g: number;
  /** change sequence the round reads up to (the next deltaLink's starting point) */
  readonly q: number;
  /** changes after this sequence; -1 for the initial round (everything in the window) */
  readonly since: number;
  /** offset of the next page */
  readonly o: number;
}

const encode = (state: DeltaState): string => Buffer.from(JSON.stringify(state)).toString('base64url');

function decode(token: string): DeltaState | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<DeltaState>;
    if (typeof value.u === 'string' && typeof value.s === 'string' && typeof value.e === 'string' && typeof value.g === 'number' && typeof value.q === 'number' && typeof value.since === 'number' && typeof value.o === 'number') {
      return value as DeltaState;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** `Prefer: odata.maxpagesize=N` (comma-separated preferences, possibly several headers). */
function preferredPageSize(req: EmulatorRequest): number | undefined {
  const header = req.headers.prefer;
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const m = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(text);
  return m?.[1] ? Math.min(1000, Math.max(1, Number(m[1]))) : undefined;
}

const DEFAULT_PAGE_SIZE = 10;

export interface MailboxLookup {
  (req: EmulatorRequest): { user: StoredUser } | { error: EmulatorResponse };
}

/** Finds the addressed mailbox and refuses it the way Exchange Online does when it is missing or off limits. */
export function mailboxLookup(state: GraphEmulatorState): MailboxLookup {
  return (req) => {
    const key = req.params.user ?? '';
    const user = state.findUser(key);
    if (!user) return { error: graphError(404, 'ErrorInvalidUser', `The requested user '${key}' is invalid.`) };
    if (user.access === 'accessDenied') return { error: graphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.') };
    if (user.access === 'restDisabled') {
      return { error: graphError(404, 'MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.') };
    }
    return { user };
  };
}

function select(json: Record<string, unknown>, req: EmulatorRequest): Record<string, unknown> {
  const fields = req.query.get('$select');
  if (!fields) return json;
  const keep = new Set(['@odata.etag', 'id', ...fields.split(',').map((f) => f.trim())]);
  return Object.fromEntries(Object.entries(json).filter(([k]) => keep.has(k)));
}

const isInstant = (value: string | null): value is string => value !== null && Number.isFinite(Date.parse(value));

/** The time window a calendarView or instances request must name. */
function windowOf(req: EmulatorRequest): { start: string; end: string } | { error: EmulatorResponse } {
  const start = req.query.get('startDateTime');
  const end = req.query.get('endDateTime');
  if (isInstant(start) && isInstant(end)) return { start, end };
  return { error: graphError(400, 'ErrorInvalidParameter', 'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.') };
}

const itemNotFound = (): EmulatorResponse => graphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');

export function calendarRoutes(state: GraphEmulatorState, baseUrl: () => string): Route[] {
  const apiBase = (): string => `${baseUrl()}/v1.0`;
  const lookup = mailboxLookup(state);
  /** The mailbox and the time window a calendarView or instances request names. */
  const lookupInWindow = (req: EmulatorRequest): { user: StoredUser; start: string; end: string } | { error: EmulatorResponse } => {
    const found = lookup(req);
    if ('error' in found) return found;
    const window = windowOf(req);
    return 'error' in window ? window : { user: found.user, ...window };
  };

  /** A full-event list paged with $top / $skip, the way calendarView and instances page. */
  const listPage = (req: EmulatorRequest, all: readonly Instance[], user: StoredUser, context: string, path: string): EmulatorResponse => {
    const top = Math.min(1000, Number(req.query.get('$top') ?? DEFAULT_PAGE_SIZE) || DEFAULT_PAGE_SIZE);
    const skip = Number(req.query.get('$skip') ?? 0) || 0;
    const value = all.slice(skip, skip + top).map((i) => select(eventJson(i, user, baseUrl()), req));
    const nextQuery = new URLSearchParams(req.query);
    nextQuery.set('$skip', String(skip + top));
    nextQuery.set('$top', String(top));
    return {
      status: 200,
      body: {
        '@odata.context': `${apiBase()}/$metadata#${context}`,
        ...(skip + top < all.length ? { '@odata.nextLink': `${apiBase()}/${path}?${nextQuery.toString()}` } : {}),
        value,
      },
    };
  };

  /**
   * What one delta round holds. Recurring series as field reports show them: every occurrence
   * is a stub (only id, type, seriesMasterId, start, end: microsoft-graph-docs #1716 and #7632,
   * microsoft-graph-docs-contrib #34), an exception comes in full, and the series master comes
   * too, with the first occurrence's start and end; in the initial round only when that first
   * occurrence is itself in the window (keeper.sh #409: "series that started before the sync
   * window" have no master in the payload).
   */
  const deltaItems = (user: StoredUser, round: DeltaState): Array<Record<string, unknown>> => {
    const inWindow = (i: Instance): boolean => overlaps(i.fields.start, i.fields.end, round.s, round.e);
    const entry = (i: Instance): Record<string, unknown> => (i.type === 'occurrence' ? stubJson(i, user) : eventJson(i, user, baseUrl()));
    const items: Array<Record<string, unknown>> = [];
    if (round.since < 0) {
      const seenSeries = new Set<string>();
      for (const i of state.instances(user.id)) {
        if (!inWindow(i)) continue;
        if (i.seriesMasterId !== undefined && !seenSeries.has(i.seriesMasterId)) {
          seenSeries.add(i.seriesMasterId);
          const master = state.master(user.id, i.seriesMasterId);
          if (master && inWindow(master)) items.push(eventJson(master, user, baseUrl()));
        }
        items.push(entry(i));
      }
      return items;
    }
    for (const change of state.changedSince(user.id, round.since)) {
      const wasInWindow = change.before.some(inWindow);
      if (!change.now) {
        // A deleted series is announced by its master's id alone.
        if (wasInWindow) items.push(removedJson(change.eventId));
      } else if (change.now.type === 'singleInstance') {
        if (inWindow(change.now)) items.push(entry(change.now));
        else if (wasInWindow) items.push(removedJson(change.eventId));
      } else {
        // A changed series comes as its master and the occurrences it has now. A cancelled
        // occurrence, or the old occurrences of a re-timed series, get no `@removed`
        // (microsoft-graph-docs pull request #4501: "No indication is given for a deleted
        // occurrence"; #7632).
        const current = change.instances.filter(inWindow);
        if (current.length === 0 && !wasInWindow) continue;
        items.push(eventJson(change.now, user, baseUrl()), ...current.map(entry));
      }
    }
    return items;
  };

  const deltaPage = (user: StoredUser, round: DeltaState, pageSize: number, preferApplied: boolean): EmulatorResponse => {
    const items = deltaItems(user, round);
    const page = items.slice(round.o, round.o + pageSize);
    const link = `${apiBase()}/users/${user.id}/calendarView/delta`;
    const more = round.o + pageSize < items.length;
    const next = more
      ? { '@odata.nextLink': `${link}?$skiptoken=${encode({ ...round, o: round.o + pageSize })}` }
      : { '@odata.deltaLink': `${link}?$deltatoken=${encode({ ...round, since: round.q, o: 0 })}` };
    return {
      status: 200,
      headers: preferApplied ? { 'preference-applied': `odata.maxpagesize=${pageSize}` } : {},
      body: { '@odata.context': `${apiBase()}/$metadata#Collection(event)`, ...next, value: page },
    };
  };

  return [
    {
      method: 'GET',
      pattern: /^\/v1\.0\/users\/(?<user>[^/]+)$/,
      handler: (req) => {
        const user = state.findUser(req.params.user ?? '');
        if (!user) {
          return graphError(404, 'Request_ResourceNotFound', `Resource '${req.params.user}' does not exist or one of its queried reference-property objects are not present.`);
        }
        return { status: 200, body: select(userJson(user, apiBase()), req) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\.0\/users\/(?<user>[^/]+)\/mailboxSettings$/,
      handler: (req) => {
        const found = lookup(req);
        return 'error' in found ? found.error : { status: 200, body: mailboxSettingsJson(found.user, apiBase()) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\.0\/users\/(?<user>[^/]+)\/calendarView$/,
      handler: (req) => {
        const found = lookupInWindow(req);
        if ('error' in found) return found.error;
        const { user, start, end } = found;
        const all = state.instances(user.id).filter((i) => overlaps(i.fields.start, i.fields.end, start, end));
        return listPage(req, all, user, `users('${user.id}')/calendarView`, `users/${user.id}/calendarView`);
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\.0\/users\/(?<user>[^/]+)\/events\/(?<event>[^/]+)$/,
      handler: (req) => {
        const found = lookup(req);
        if ('error' in found) return found.error;
        const id = req.params.event ?? '';
        const event = state.master(found.user.id, id) ?? state.instance(found.user.id, id);
        if (!event) return itemNotFound();
        return { status: 200, body: { '@odata.context': `${apiBase()}/$metadata#users('${found.user.id}')/events/$entity`, ...select(eventJson(event, found.user, baseUrl()), req) } };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\.0\/users\/(?<user>[^/]+)\/events\/(?<event>[^/]+)\/instances$/,
      handler: (req) => {
        const found = lookupInWindow(req);
        if ('error' in found) return found.error;
        const { user, start, end } = found;
        const id = req.params.event ?? '';
        const series = state.seriesInstances(user.id, id);
        if (!series) return state.master(user.id, id) ? graphError(400, 'ErrorInvalidRequest', 'The specified event is not a recurring series master.') : itemNotFound();
        const all = series.filter((i) => overlaps(i.fields.start, i.fields.end, start, end));
        return listPage(req, all, user, `users('${user.id}')/events('${id}')/instances`, `users/${user.id}/events/${id}/instances`);
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\.0\/users\/(?<user>[^/]+)\/calendarView\/delta$/,
      handler: (req) => {
        const found = lookup(req);
        if ('error' in found) return found.error;
        const user = found.user;
        const preferred = preferredPageSize(req);
        const pageSize = preferred ?? DEFAULT_PAGE_SIZE;
        const token = req.query.get('$skiptoken') ?? req.query.get('$deltatoken');
        if (token !== null) {
          const round = decode(token);
          if (!round || round.u !== user.id) return graphError(400, 'BadRequest', 'The delta token is malformed.');
          if (round.g !== user.generation) {
            return graphError(410, 'SyncStateNotFound', `The sync state generation is not found; generation=${round.g};[highest=${user.generation}].`);
          }
          // A deltaLink starts a new round reading up to now; a skiptoken continues one.
          const next = req.query.has('$deltatoken') ? { ...round, q: state.seq } : round;
          return deltaPage(user, next, pageSize, preferred !== undefined);
        }
        const window = windowOf(req);
        if ('error' in window) return window.error;
        const { start, end } = window;
        if (req.query.has('$select')) return graphError(400, 'ErrorInvalidUrlQuery', 'The following parameters are not supported with change tracking over the \'CalendarView\' resource: \'$select\'.');
        const round: DeltaState = { u: user.id, s: new Date(start).toISOString(), e: new Date(end).toISOString(), g: user.generation, q: state.seq, since: -1, o: 0 };
        return deltaPage(user, round, pageSize, preferred !== undefined);
      },
    },
  ];
}
