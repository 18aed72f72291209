/**
 * The mailbox reads: `/users/{id | address}`, `mailboxSettings`, `calendarView` (paged with
 * $top / $skip, $select honoured) and `calendarView/delta` with real paging and delta semantics:
 * the initial round lists the window, the deltaLink then yields only what changed (created or
 * updated events in full, deletions and moves out of the window as `@removed`), and expired
 * state answers 410 SyncStateNotFound as Exchange does.
 * https://learn.microsoft.com/graph/api/user-list-calendarview, https://learn.microsoft.com/graph/api/event-delta
 */
import type { EmulatorRequest, EmulatorResponse, Route } from '../emulator-server.js';
import { overlaps, type GraphEmulatorState, type StoredUser } from './graph-emulator-state.js';
import { eventJson, graphError, mailboxSettingsJson, removedJson, userJson } from './graph-wire.js';

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

export function calendarRoutes(state: GraphEmulatorState, baseUrl: () => string): Route[] {
  const apiBase = (): string => `${baseUrl()}/v1.0`;
  const lookup = mailboxLookup(state);

  const deltaPage = (user: StoredUser, round: DeltaState, pageSize: number, preferApplied: boolean): EmulatorResponse => {
    const items: Array<Record<string, unknown>> = [];
    if (round.since < 0) {
      for (const i of state.instances(user.id)) if (overlaps(i.fields.start, i.fields.end, round.s, round.e)) items.push(eventJson(i, user, baseUrl()));
    } else {
      for (const [id, befores] of state.changedSince(user.id, round.since)) {
        const now = state.instance(user.id, id);
        if (now && overlaps(now.fields.start, now.fields.end, round.s, round.e)) items.push(eventJson(now, user, baseUrl()));
        else if (befores.some((b) => overlaps(b.start, b.end, round.s, round.e))) items.push(removedJson(id));
      }
    }
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
        const found = lookup(req);
        if ('error' in found) return found.error;
        const start = req.query.get('startDateTime');
        const end = req.query.get('endDateTime');
        if (!isInstant(start) || !isInstant(end)) {
          return graphError(400, 'ErrorInvalidParameter', 'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.');
        }
        const top = Math.min(1000, Number(req.query.get('$top') ?? DEFAULT_PAGE_SIZE) || DEFAULT_PAGE_SIZE);
        const skip = Number(req.query.get('$skip') ?? 0) || 0;
        const all = state.instances(found.user.id).filter((i) => overlaps(i.fields.start, i.fields.end, start, end));
        const value = all.slice(skip, skip + top).map((i) => select(eventJson(i, found.user, baseUrl()), req));
        const nextQuery = new URLSearchParams(req.query);
        nextQuery.set('$skip', String(skip + top));
        nextQuery.set('$top', String(top));
        return {
          status: 200,
          body: {
            '@odata.context': `${apiBase()}/$metadata#users('${found.user.id}')/calendarView`,
            ...(skip + top < all.length ? { '@odata.nextLink': `${apiBase()}/users/${found.user.id}/calendarView?${nextQuery.toString()}` } : {}),
            value,
          },
        };
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
        const start = req.query.get('startDateTime');
        const end = req.query.get('endDateTime');
        if (!isInstant(start) || !isInstant(end)) {
          return graphError(400, 'ErrorInvalidParameter', 'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.');
        }
        if (req.query.has('$select')) return graphError(400, 'ErrorInvalidUrlQuery', 'The following parameters are not supported with change tracking over the \'CalendarView\' resource: \'$select\'.');
        const round: DeltaState = { u: user.id, s: new Date(start).toISOString(), e: new Date(end).toISOString(), g: user.generation, q: state.seq, since: -1, o: 0 };
        return deltaPage(user, round, pageSize, preferred !== undefined);
      },
    },
  ];
}
