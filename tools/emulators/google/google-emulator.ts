/**
 * A Google Workspace stand-in on loopback: the OAuth token endpoint for service accounts with
 * domain-wide delegation, Calendar API v3 (calendars.get, events.list with paging, sync tokens
 * and singleEvents, events.watch, channels.stop) and push notifications to channel addresses.
 * Point a profile at it with `tokenUrl = control.tokenUrl` and `apiRoot = control.apiRoot`.
 */
import { createPublicKey, randomUUID } from 'node:crypto';
import { startEmulator, type EmulatorRequest, type EmulatorResponse, type FaultRule, type Route, type RunningEmulator } from '../emulator-server.js';
import { apiError, dailyQuotaBody, fullSyncRequired, insufficientScope, notFound, rateLimitBody, unauthenticated } from './google-error-bodies.js';
import { GoogleCalendarStore, GoogleRefusal, type EventInput } from './google-calendar-store.js';
import { bearer, handleTokenRequest, serviceAccountFrom, type AccessToken, type OAuthState, type ServiceAccount } from './google-oauth.js';
import { PushChannels, resourceIdFor, type Channel, type NotificationRecord } from './google-push.js';
import { applyFields, parseFields } from './partial-response.js';
import { addDays, localOf, localToInstant } from './zoned-time.js';

const READ_SCOPES = ['https://www.googleapis.com/auth/calendar.readonly', 'https://www.googleapis.com/auth/calendar.events.readonly'];
const EVENT_SCOPES = new Set([...READ_SCOPES, 'https://www.googleapis.com/auth/calendar', 'https://www.googleapis.com/auth/calendar.events']);
const CALENDAR_SCOPES = new Set(['https://www.googleapis.com/auth/calendar.readonly', 'https://www.googleapis.com/auth/calendar']);
// timeMin / timeMax: "RFC3339 timestamp with mandatory time zone offset".
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
// Not allowed together with syncToken (events.list reference).
const NOT_WITH_SYNC_TOKEN = ['iCalUID', 'orderBy', 'privateExtendedProperty', 'q', 'sharedExtendedProperty', 'timeMin', 'timeMax', 'updatedMin'];
// What a sync token is not tied to: the parameters it replaces, the page, and the answer's form.
const NOT_IN_TOKEN_QUERY = new Set([...NOT_WITH_SYNC_TOKEN, 'syncToken', 'pageToken', 'fields', 'alt', 'prettyPrint', 'quotaUser', 'key']);
// Google's day of quota ends at midnight Pacific Time (error-bodies.ts, dailyQuotaBody).
const QUOTA_ZONE = 'America/Los_Angeles';
const DEFAULT_CHANNEL_TTL_S = 604_800;

export interface GoogleEmulatorOptions {
  port?: number;
  latencyMs?: number;
  /** The emulator's clock (events' times of change, sync tokens' age, the day of quota); Date.now by default. */
  now?: () => number;
  /** How long a sync token is honoured (google-calendar-store.ts, StoreOptions). */
  syncTokenMaxAgeMs?: number;
  /** Fewer events per page than maxResults asks for, as Google may serve (events.list, maxResults); none by default. */
  maxPageSize?: number;
}

export interface GoogleEmulatorControl {
  /** For GoogleProfile.tokenUrl. */
  readonly tokenUrl: string;
  /** For GoogleProfile.apiRoot. */
  readonly apiRoot: string;
  /** Registers a service account's public key; `delegatedScopes` defaults to the read-only calendar scopes. */
  addServiceAccount(account: { clientEmail: string; publicKeyPem: string; delegatedScopes?: readonly string[] }): void;
  /** Changes the domain-wide delegation of a client (undefined: revoked). */
  setDelegation(clientEmail: string, scopes: readonly string[] | undefined): void;
  addUser(email: string, options?: { timeZone?: string }): void;
  /** Creates or replaces an event (notifies channels); returns it as events.list would. */
  putEvent(email: string, event: EventInput): Record<string, unknown>;
  /** Changes an event or one instance of a series (`{seriesId}_{originalStart}`). */
  patchEvent(email: string, id: string, patch: EventInput): void;
  /** Deletes an event or cancels one instance of a series. */
  deleteEvent(email: string, id: string): void;
  /** "This and following events" from one instance on; returns the new series' id (`{id}_R…`). */
  splitSeries(email: string, seriesId: string, fromInstanceId: string, changes: EventInput): string;
  /**
   * Access tokens issued so far (of one user) stop working before they expire: the API answers
   * 401 Invalid Credentials, and "the access token you're using is either expired or invalid"
   * (https://developers.google.com/calendar/api/guides/errors#401_invalid_credentials).
   * Returns how many.
   */
  revokeAccessTokens(email?: string): number;
  /** Every sync token (of one user) answers 410 from now on; returns how many. */
  expireSyncTokens(email?: string): number;
  /** The next `times` Calendar API requests get a throttling answer (error-bodies.ts, rateLimitBody). */
  throttle(options?: { status?: 403 | 429; reason?: 'rateLimitExceeded' | 'userRateLimitExceeded'; wording?: 'documented' | 'quota-metric'; times?: number; retryAfter?: string }): FaultRule;
  /**
   * The project's queries per day are used up: every Calendar API request answers 403 with the
   * per-day message until `until` (by default the next midnight Pacific Time on the emulator's
   * clock), when the day's quota is back. Returns the instant it resets.
   */
  exhaustDailyQuota(options?: { until?: number }): number;
  /** The next `times` Calendar API requests get a 5xx. */
  serverError(options?: { status?: number; times?: number }): FaultRule;
  channels(): readonly Channel[];
  readonly notifications: readonly NotificationRecord[];
  /** Waits until every notification sent so far was answered. */
  flushNotifications(): Promise<void>;
  /** Forgets users, events, tokens, service accounts and channels. */
  reset(): void;
}

/** What a listing still has to serve, page by page. */
interface ListState {
  readonly items: Array<Record<string, unknown>>;
  /** On the last page of events.list; events.instances has none. */
  readonly nextSyncToken: string | undefined;
  readonly pageSize: number;
  /** Which page of the listing comes next, from 0. */
  readonly pageIndex: number;
}

export interface RunningGoogleEmulator extends RunningEmulator {
  readonly control: GoogleEmulatorControl;
}

export async function startGoogleEmulator(options: GoogleEmulatorOptions = {}): Promise<RunningGoogleEmulator> {
  const now = options.now ?? Date.now;
  const store = new GoogleCalendarStore({ now, ...(options.syncTokenMaxAgeMs !== undefined ? { syncTokenMaxAgeMs: options.syncTokenMaxAgeMs } : {}) });
  const push = new PushChannels();
  const pages = new Map<string, ListState & { fields: string | null }>();
  let quotaUntil = 0;
  let baseUrl = '';
  const oauth: OAuthState = {
    serviceAccounts: new Map<string, ServiceAccount>(),
    tokens: new Map<string, AccessToken>(),
    isUser: (email) => store.hasUser(email),
    ownTokenUrl: () => `${baseUrl}/token`,
  };

  /** The caller's token, allowed to read `calendarId`, or the answer refusing it. */
  const authorise = (req: EmulatorRequest, scopes: ReadonlySet<string>, calendarId?: string): { token: AccessToken; email: string } | EmulatorResponse => {
    const token = bearer(oauth, req, Date.now());
    if (!token) return unauthenticated();
    if (![...token.scopes].some((s) => scopes.has(s))) return insufficientScope();
    if (calendarId === undefined) return { token, email: token.subject };
    const email = calendarId === 'primary' ? token.subject : calendarId.toLowerCase();
    // With delegation a user reads their own calendar; nothing here shares calendars.
    if (email !== token.subject || !store.hasUser(email)) return notFound();
    return { token, email };
  };
  const refused = (r: { token: AccessToken; email: string } | EmulatorResponse): r is EmulatorResponse => 'status' in r;

  const withFields = (req: EmulatorRequest, body: unknown): EmulatorResponse => {
    const fields = req.query.get('fields');
    if (fields === null) return { status: 200, body };
    try {
      return { status: 200, body: applyFields(body, parseFields(fields)) };
    } catch {
      return apiError(400, 'invalidParameter', `Invalid field selection ${fields}`);
    }
  };

  // "The number of events in the resulting page may be less than this value, or none at all,
  // even if there are more events matching the query. Incomplete pages can be detected by a
  // non-empty nextPageToken field in the response" (events.list, maxResults). So here: when a
  // listing needs more than one page, its second page is empty and every other page after
  // that holds half of maxResults.
  const servePage = (req: EmulatorRequest, email: string, state: ListState): EmulatorResponse => {
    const collection = (items: unknown[], next: { nextPageToken?: string; nextSyncToken?: string }): Record<string, unknown> => ({
      kind: 'calendar#events',
      etag: `"p${Date.now()}"`,
      summary: email,
      description: '',
      updated: new Date().toISOString(),
      timeZone: store.timeZone(email) ?? 'UTC',
      accessRole: 'owner',
      defaultReminders: [{ method: 'popup', minutes: 10 }],
      ...next,
      items,
    });
    const take = state.pageIndex === 1 ? 0 : state.pageIndex % 2 === 1 ? Math.ceil(state.pageSize / 2) : state.pageSize;
    const page = state.items.slice(0, take);
    const rest = state.items.slice(take);
    if (rest.length === 0) return withFields(req, collection(page, state.nextSyncToken === undefined ? {} : { nextSyncToken: state.nextSyncToken }));
    const token = randomUUID().replace(/-/g, '');
    pages.set(token, { ...state, items: rest, pageIndex: state.pageIndex + 1, fields: req.query.get('fields') });
    return withFields(req, collection(page, { nextPageToken: token }));
  };
  /** The next page of a listing, or undefined when the request asks for a first page. */
  const nextPage = (req: EmulatorRequest, email: string): EmulatorResponse | undefined => {
    const pageToken = req.query.get('pageToken');
    if (pageToken === null) return undefined;
    const state = pages.get(pageToken);
    pages.delete(pageToken);
    if (!state) return apiError(400, 'invalid', 'Invalid page token value.');
    return servePage(req, email, state);
  };
  const timeParam = (req: EmulatorRequest, name: string): number | undefined | 'bad' => {
    const raw = req.query.get(name);
    if (raw === null) return undefined;
    return RFC3339.test(raw) ? Date.parse(raw) : 'bad';
  };

  const listEvents = (req: EmulatorRequest): EmulatorResponse => {
    const auth = authorise(req, EVENT_SCOPES, req.params.calendarId);
    if (refused(auth)) return auth;
    const q = req.query;
    const next = nextPage(req, auth.email);
    if (next) return next;
    const syncToken = q.get('syncToken') ?? undefined;
    // The field's answer to a restriction beside a token, timeMin or showDeleted=false alike
    // (qiita.com/shiraily/items/6762046f041551c269da: "Sync token cannot be used with other
    // request restrictions., syncTokenWithRequestRestrictions").
    if (syncToken !== undefined && (NOT_WITH_SYNC_TOKEN.some((p) => q.has(p)) || q.get('showDeleted') === 'false')) {
      return apiError(400, 'syncTokenWithRequestRestrictions', 'Sync token cannot be used with other request restrictions.');
    }
    const timeMin = timeParam(req, 'timeMin');
    const timeMax = timeParam(req, 'timeMax');
    if (timeMin === 'bad' || timeMax === 'bad') return apiError(400, 'badRequest', 'Bad Request');
    if (timeMin !== undefined && timeMax !== undefined && timeMax <= timeMin) return apiError(400, 'timeRangeEmpty', 'The specified time range is empty.', 'calendar');
    const maxResults = Math.min(Number(q.get('maxResults') ?? 250) || 250, 2500, options.maxPageSize ?? Infinity);
    const maxAttendees = q.has('maxAttendees') ? Number(q.get('maxAttendees')) : undefined;
    const signature = [...q.entries()]
      .filter(([name]) => !NOT_IN_TOKEN_QUERY.has(name))
      .map(([name, value]) => `${name}=${value}`)
      .sort()
      .join('&');
    const outcome = store.list({
      email: auth.email,
      singleEvents: q.get('singleEvents') === 'true',
      showDeleted: q.get('showDeleted') === 'true',
      showHiddenInvitations: q.get('showHiddenInvitations') === 'true',
      timeMin,
      timeMax,
      syncToken,
      maxAttendees,
      signature,
    });
    if (outcome.kind === 'gone') return fullSyncRequired();
    if (outcome.kind === 'query-mismatch') return apiError(400, 'invalid', 'Invalid sync token value.');
    return servePage(req, auth.email, { items: outcome.items, nextSyncToken: outcome.nextSyncToken, pageSize: maxResults, pageIndex: 0 });
  };

  /**
   * events.instances: a series' occurrences between timeMin and timeMax, paged like events.list
   * and without a sync token. A deleted series answers 410; what Google answers then is not
   * documented, and 410 is the less kind choice: a client must not read it as "sync token expired".
   */
  const listInstances = (req: EmulatorRequest): EmulatorResponse => {
    const auth = authorise(req, EVENT_SCOPES, req.params.calendarId);
    if (refused(auth)) return auth;
    const next = nextPage(req, auth.email);
    if (next) return next;
    const timeMin = timeParam(req, 'timeMin');
    const timeMax = timeParam(req, 'timeMax');
    if (timeMin === 'bad' || timeMax === 'bad') return apiError(400, 'badRequest', 'Bad Request');
    const q = req.query;
    const outcome = store.instances(auth.email, req.params.eventId!, {
      timeMin,
      timeMax,
      showDeleted: q.get('showDeleted') === 'true',
      maxAttendees: q.has('maxAttendees') ? Number(q.get('maxAttendees')) : undefined,
    });
    if (outcome.kind === 'not-found') return notFound();
    if (outcome.kind === 'gone') return apiError(410, 'deleted', 'Resource has been deleted');
    const maxResults = Math.min(Number(q.get('maxResults') ?? 250) || 250, 2500, options.maxPageSize ?? Infinity);
    return servePage(req, auth.email, { items: outcome.items, nextSyncToken: undefined, pageSize: maxResults, pageIndex: 0 });
  };

  const watchEvents = (req: EmulatorRequest): EmulatorResponse => {
    const auth = authorise(req, EVENT_SCOPES, req.params.calendarId);
    if (refused(auth)) return auth;
    let body: { id?: unknown; type?: unknown; address?: unknown; token?: unknown; expiration?: unknown; params?: { ttl?: unknown } };
    try {
      body = JSON.parse(req.body || '{}') as typeof body;
    } catch {
      return apiError(400, 'parseError', 'Parse Error');
    }
    if (typeof body.id !== 'string' || body.id === '' || !/^[A-Za-z0-9\-_+/=]{1,64}$/.test(body.id)) return apiError(400, 'required', 'Required', 'global');
    if (body.type !== 'web_hook' && body.type !== 'webhook') return apiError(400, 'push.channelTypeInvalid', `Unknown channel type: ${String(body.type)}`, 'push');
    if (typeof body.address !== 'string') return apiError(400, 'required', 'Required');
    const address = new URL(body.address);
    // Google only calls HTTPS addresses; the emulator also accepts plain HTTP on loopback.
    if (address.protocol !== 'https:' && !['127.0.0.1', 'localhost', '[::1]'].includes(address.hostname)) {
      return apiError(400, 'push.webhookUrlNotHttps', `WebHook callback must be HTTPS: ${body.address}`, 'push');
    }
    if (push.channels.has(body.id)) return apiError(400, 'channelIdNotUnique', `Channel id ${body.id} not unique`);
    const now = Date.now();
    const ttl = Number(body.params?.ttl ?? NaN);
    const requested = Number(body.expiration ?? NaN);
    const expiration = Math.min(
      Number.isFinite(ttl) && ttl > 0 ? now + ttl * 1000 : now + DEFAULT_CHANNEL_TTL_S * 1000,
      Number.isFinite(requested) && requested > now ? requested : Infinity,
    );
    const channel: Channel = {
      id: body.id,
      resourceId: resourceIdFor(auth.email),
      resourceUri: `${baseUrl}/calendar/v3/calendars/${encodeURIComponent(auth.email)}/events?alt=json`,
      token: typeof body.token === 'string' ? body.token : undefined,
      address: body.address,
      expiration,
      email: auth.email,
      clientEmail: auth.token.clientEmail,
      messageNumber: 0,
    };
    setImmediate(() => push.add(channel));
    return {
      status: 200,
      body: { kind: 'api#channel', id: channel.id, resourceId: channel.resourceId, resourceUri: channel.resourceUri, ...(channel.token ? { token: channel.token } : {}), expiration: String(expiration) },
    };
  };

  const stopChannel = (req: EmulatorRequest): EmulatorResponse => {
    const auth = authorise(req, EVENT_SCOPES);
    if (refused(auth)) return auth;
    let body: { id?: unknown; resourceId?: unknown };
    try {
      body = JSON.parse(req.body || '{}') as typeof body;
    } catch {
      return apiError(400, 'parseError', 'Parse Error');
    }
    const channel = typeof body.id === 'string' ? push.channels.get(body.id) : undefined;
    if (!channel || channel.resourceId !== body.resourceId || channel.clientEmail !== auth.token.clientEmail) {
      return apiError(404, 'notFound', `Channel '${String(body.id)}' not found for project '${auth.token.clientEmail.split('@')[1]?.split('.')[0] ?? 'project'}'`);
    }
    push.channels.delete(channel.id);
    return { status: 204 };
  };

  const changed = (email: string): void => {
    setImmediate(() => push.changed(email));
  };

  const control: GoogleEmulatorControl = {
    get tokenUrl() {
      return `${baseUrl}/token`;
    },
    get apiRoot() {
      return baseUrl;
    },
    addServiceAccount(account) {
      oauth.serviceAccounts.set(account.clientEmail, serviceAccountFrom(account.clientEmail, account.publicKeyPem, account.delegatedScopes ?? READ_SCOPES));
    },
    setDelegation(clientEmail, scopes) {
      const account = oauth.serviceAccounts.get(clientEmail);
      if (!account) throw new Error(`No such service account: ${clientEmail}`);
      account.delegatedScopes = scopes === undefined ? undefined : new Set(scopes);
    },
    addUser: (email, opts) => store.addUser(email, opts?.timeZone),
    putEvent(email, event) {
      const created = store.putEvent(email, event);
      changed(email);
      return created;
    },
    patchEvent(email, id, patch) {
      store.patchEvent(email, id, patch);
      changed(email);
    },
    deleteEvent(email, id) {
      store.deleteEvent(email, id);
      changed(email);
    },
    splitSeries(email, seriesId, fromInstanceId, changes) {
      const id = store.splitSeries(email, seriesId, fromInstanceId, changes);
      changed(email);
      return id;
    },
    revokeAccessTokens(email) {
      let revoked = 0;
      for (const [token, grant] of oauth.tokens) {
        if (email !== undefined && grant.subject !== email.toLowerCase()) continue;
        oauth.tokens.delete(token);
        revoked += 1;
      }
      return revoked;
    },
    expireSyncTokens: (email) => store.expireSyncTokens(email),
    throttle({ status = 403, reason = 'rateLimitExceeded', wording = 'documented', times = 1, retryAfter } = {}) {
      return emulator.fault({ path: /^\/calendar\/v3\//, kind: 'status', status, times, body: rateLimitBody(status, reason, wording), ...(retryAfter !== undefined ? { retryAfter } : {}) });
    },
    exhaustDailyQuota({ until } = {}) {
      const at = now();
      quotaUntil = until ?? localToInstant(`${addDays(localOf(at, QUOTA_ZONE).slice(0, 10), 1)}T00:00:00`, QUOTA_ZONE);
      return quotaUntil;
    },
    serverError({ status = 503, times = 1 } = {}) {
      return emulator.fault({ path: /^\/calendar\/v3\//, kind: 'status', status, times, body: apiError(status, 'backendError', 'Backend Error').body });
    },
    channels: () => [...push.channels.values()],
    get notifications() {
      return push.notifications;
    },
    flushNotifications: () => push.flush(),
    reset() {
      store.reset();
      push.reset();
      pages.clear();
      quotaUntil = 0;
      oauth.serviceAccounts.clear();
      oauth.tokens.clear();
    },
  };

  /** A Calendar API route that answers the per-day quota body while the day's quota is used up. */
  const metered =
    (handler: (req: EmulatorRequest) => EmulatorResponse) =>
    (req: EmulatorRequest): EmulatorResponse =>
      now() < quotaUntil ? { status: 403, body: dailyQuotaBody() } : handler(req);

  const routes: Route[] = [
    { method: 'POST', pattern: /^\/token$/, handler: (req) => handleTokenRequest(oauth, req, Date.now()) },
    {
      method: 'GET',
      pattern: /^\/calendar\/v3\/calendars\/(?<calendarId>[^/]+)$/,
      handler: metered((req) => {
        const auth = authorise(req, CALENDAR_SCOPES, req.params.calendarId);
        return refused(auth) ? auth : withFields(req, store.calendarResource(auth.email));
      }),
    },
    { method: 'GET', pattern: /^\/calendar\/v3\/calendars\/(?<calendarId>[^/]+)\/events$/, handler: metered(listEvents) },
    { method: 'GET', pattern: /^\/calendar\/v3\/calendars\/(?<calendarId>[^/]+)\/events\/(?<eventId>[^/]+)\/instances$/, handler: metered(listInstances) },
    { method: 'POST', pattern: /^\/calendar\/v3\/calendars\/(?<calendarId>[^/]+)\/events\/watch$/, handler: metered(watchEvents) },
    { method: 'POST', pattern: /^\/calendar\/v3\/channels\/stop$/, handler: metered(stopChannel) },
    ...controlRoutes(control),
  ];

  const emulator = await startEmulator({
    name: 'google',
    routes,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
    notFound: () => notFound(),
  });
  baseUrl = emulator.url;
  return Object.assign(emulator, { control });
}

/** The same control over HTTP, for the dev host (`/_control/google/...`). */
function controlRoutes(control: GoogleEmulatorControl): Route[] {
  const json = (req: EmulatorRequest): Record<string, unknown> => JSON.parse(req.body || '{}') as Record<string, unknown>;
  const guarded =
    (handler: (req: EmulatorRequest) => EmulatorResponse) =>
    (req: EmulatorRequest): EmulatorResponse => {
      try {
        return handler(req);
      } catch (error) {
        if (error instanceof GoogleRefusal) return apiError(400, error.reason, error.message);
        return { status: 400, body: { error: error instanceof Error ? error.message : String(error) } };
      }
    };
  const user = '(?<email>[^/]+)';
  return [
    {
      method: 'POST',
      pattern: /^\/_control\/google\/reset$/,
      handler: () => {
        control.reset();
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      pattern: /^\/_control\/google\/service-accounts$/,
      handler: guarded((req) => {
        // Accepts the service account JSON key itself (public key derived) or just its public key.
        const body = json(req) as { client_email: string; public_key?: string; private_key?: string; delegated_scopes?: string[] };
        const publicKeyPem = body.public_key ?? createPublicKey(body.private_key ?? '').export({ type: 'spki', format: 'pem' }).toString();
        control.addServiceAccount({ clientEmail: body.client_email, publicKeyPem, ...(body.delegated_scopes ? { delegatedScopes: body.delegated_scopes } : {}) });
        return { status: 204 };
      }),
    },
    {
      method: 'POST',
      pattern: /^\/_control\/google\/users$/,
      handler: guarded((req) => {
        const body = json(req) as { email: string; timeZone?: string };
        control.addUser(body.email, body.timeZone !== undefined ? { timeZone: body.timeZone } : {});
        return { status: 204 };
      }),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^\\/_control\\/google\\/users\\/${user}\\/events$`),
      handler: guarded((req) => ({ status: 201, body: control.putEvent(req.params.email!, json(req) as EventInput) })),
    },
    {
      method: 'PATCH',
      pattern: new RegExp(`^\\/_control\\/google\\/users\\/${user}\\/events\\/(?<id>[^/]+)$`),
      handler: guarded((req) => {
        control.patchEvent(req.params.email!, req.params.id!, json(req) as EventInput);
        return { status: 204 };
      }),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^\\/_control\\/google\\/users\\/${user}\\/events\\/(?<id>[^/]+)\\/split$`),
      handler: guarded((req) => {
        const body = json(req) as { fromInstanceId: string; changes?: EventInput };
        return { status: 201, body: { id: control.splitSeries(req.params.email!, req.params.id!, body.fromInstanceId, body.changes ?? {}) } };
      }),
    },
    {
      method: 'POST',
      pattern: /^\/_control\/google\/daily-quota\/exhaust$/,
      handler: guarded((req) => ({ status: 200, body: { until: new Date(control.exhaustDailyQuota(json(req) as { until?: number })).toISOString() } })),
    },
    {
      method: 'DELETE',
      pattern: new RegExp(`^\\/_control\\/google\\/users\\/${user}\\/events\\/(?<id>[^/]+)$`),
      handler: guarded((req) => {
        control.deleteEvent(req.params.email!, req.params.id!);
        return { status: 204 };
      }),
    },
    {
      method: 'POST',
      pattern: /^\/_control\/google\/sync-tokens\/expire$/,
      handler: guarded((req) => ({ status: 200, body: { expired: control.expireSyncTokens((json(req) as { email?: string }).email) } })),
    },
    {
      method: 'POST',
      pattern: /^\/_control\/google\/throttle$/,
      handler: guarded((req) => {
        control.throttle(json(req) as Parameters<GoogleEmulatorControl['throttle']>[0]);
        return { status: 204 };
      }),
    },
    {
      method: 'POST',
      pattern: /^\/_control\/google\/server-error$/,
      handler: guarded((req) => {
        control.serverError(json(req) as Parameters<GoogleEmulatorControl['serverError']>[0]);
        return { status: 204 };
      }),
    },
    { method: 'GET', pattern: /^\/_control\/google\/channels$/, handler: () => ({ status: 200, body: { channels: control.channels() } }) },
    { method: 'GET', pattern: /^\/_control\/google\/notifications$/, handler: () => ({ status: 200, body: { notifications: control.notifications } }) },
  ];
}
