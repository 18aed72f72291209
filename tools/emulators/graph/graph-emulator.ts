/**
 * Microsoft Graph + Entra ID on loopback (HTTPS, see loopback-certificate.ts) for tests, the dev
 * host and benchmarks: the token endpoint, users (found by id or UPN, listed with a directory
 * filter), mailboxSettings, calendarView (+ delta), JSON `$batch`, subscriptions with the
 * validation handshake and change notifications. As unkind as Graph: at most 4 requests in
 * flight per mailbox, permissions checked per request, https-only notification URLs.
 * Driven in-process through `control`, or over HTTP under `/_control/graph/…` (plus the base
 * switches under `/_control/switches`: latency, 429 + Retry-After, 5xx, hang, down).
 */
import { startEmulator, type EmulatorRequest, type EmulatorResponse, type FaultRule, type Route, type RunningEmulator } from '../emulator-server.js';
import { authRoutes, IssuedTokens } from './graph-auth.js';
import { calendarRoutes } from './graph-calendar-routes.js';
import { graphControlRoutes } from './graph-control-routes.js';
import { directoryRoutes } from './graph-directory-routes.js';
import { MailboxSlots } from './graph-mailbox-slots.js';
import {
  GRAPH_PERMISSIONS,
  GraphEmulatorState,
  type GraphAppRegistration,
  type GraphPermission,
} from './graph-emulator-state.js';
import { GraphNotifier, subscriptionRoutes } from './graph-subscription-routes.js';
import { LOOPBACK_TLS_CERT, LOOPBACK_TLS_KEY } from './loopback-certificate.js';
import { graphError } from './graph-wire.js';
import type { GraphApiRequest, GraphEmulatorControl } from './graph-emulator-control.js';

export interface GraphEmulatorOptions {
  readonly port?: number | undefined;
  readonly latencyMs?: number | undefined;
  /** Default: a fixed GUID. */
  readonly tenantId?: string | undefined;
  readonly apps?: readonly GraphAppRegistration[] | undefined;
  /** `expires_in` of issued tokens. Default 3599 (as Entra ID). */
  readonly tokenLifetimeSeconds?: number | undefined;
  /** How long a webhook has to echo the validation token. Default 10 s (as Graph). */
  readonly validationTimeoutMs?: number | undefined;
  /**
   * Accept `http://` notification URLs on loopback hosts (127.0.0.1, ::1, localhost). Graph
   * takes https only; the local environment and tests receive notifications on loopback http.
   */
  readonly allowLoopbackHttpNotifications?: boolean | undefined;
  /** Retry-After (seconds) of a MailboxConcurrency 429. Default "1". */
  readonly mailboxConcurrencyRetryAfter?: string | undefined;
}



export interface RunningGraphEmulator extends RunningEmulator {
  readonly control: GraphEmulatorControl;
  /** The emulator's own certificate (PEM): what clients must trust to talk to it. */
  readonly certificate: string;
}

/** https://learn.microsoft.com/graph/json-batching#batch-size-limitations */
const MAX_BATCH = 20;
/** Batch steps Graph dispatches to Outlook at once (Microsoft Q&A 1660054). */
const BATCH_DISPATCH = 4;
const DEFAULT_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

export async function startGraphEmulator(options: GraphEmulatorOptions = {}): Promise<RunningGraphEmulator> {
  // Known only once the server listens; routes read them at request time.
  const late: { url: string; emulator?: RunningEmulator } = { url: '' };
  const baseUrl = (): string => late.url;
  const tokens = new IssuedTokens();
  const notifications: { notifier?: GraphNotifier } = {};
  const state = new GraphEmulatorState(options.tenantId ?? DEFAULT_TENANT, (change) => notifications.notifier?.notify(change));
  const notifier = new GraphNotifier(state, options.validationTimeoutMs ?? 10_000);
  notifications.notifier = notifier;
  for (const app of options.apps ?? []) state.apps.set(app.clientId, app);
  const slots = new MailboxSlots(state, options.mailboxConcurrencyRetryAfter ?? '1');

  // Every Graph call needs a valid bearer token from our token endpoint, and its app the permission the call needs.
  const authenticated = (route: Route): Route => ({
    ...route,
    handler: (req) => {
      const appId = tokens.appOf(req);
      if (!appId) return graphError(401, 'InvalidAuthenticationToken', req.headers.authorization ? 'Lifetime validation failed, the token is expired.' : 'Access token is empty.');
      const needed = requiredPermission(req.method, req.path);
      const granted = state.apps.get(appId)?.permissions ?? GRAPH_PERMISSIONS;
      return needed && !granted.includes(needed) ? permissionRefusal(needed, req.path) : route.handler(req);
    },
  });
  const apiRoutes = [
    ...directoryRoutes(state, baseUrl),
    ...calendarRoutes(state, baseUrl),
    ...subscriptionRoutes(state, notifier, tokens, baseUrl, options.allowLoopbackHttpNotifications ?? false),
  ].map(authenticated);

  /** Base fault rules apply to `$batch` sub-requests too: Graph throttles each one on its own. */
  const subFault = (method: string, path: string): FaultRule | undefined => {
    for (const rule of late.emulator?.switches.faults ?? []) {
      if (rule.kind !== 'status' || rule.times <= 0) continue;
      if ((rule.method && rule.method !== method) || (rule.path && !rule.path.test(path))) continue;
      if (rule.rate !== undefined && Math.random() >= rule.rate) continue;
      rule.times -= 1;
      return rule;
    }
    return undefined;
  };

  const runSubRequest = async (outer: EmulatorRequest, sub: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const id = typeof sub.id === 'string' ? sub.id : '';
    const method = typeof sub.method === 'string' ? sub.method.toUpperCase() : 'GET';
    const target = new URL(typeof sub.url === 'string' ? sub.url.replace(/^\/?/, '/') : '/', 'https://graph.invalid');
    const path = `/v1.0${decodeURIComponent(target.pathname)}`;
    const subHeaders = Object.fromEntries(Object.entries((sub.headers as Record<string, string> | undefined) ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const fault = subFault(method, path);
    let answer: EmulatorResponse;
    if (fault) {
      const status = fault.status ?? 503;
      answer = graphError(status, status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', 'Injected fault', {
        ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}),
        ...(fault.headers ?? {}),
      });
    } else {
      const req: EmulatorRequest = {
        method,
        path,
        rawPath: `/v1.0${target.pathname}`,
        query: target.searchParams,
        headers: { ...outer.headers, ...subHeaders },
        body: sub.body === undefined ? '' : JSON.stringify(sub.body),
        params: {},
      };
      const route = apiRoutes.find((r) => r.method === method && r.pattern.test(path));
      const groups = route?.pattern.exec(path)?.groups ?? {};
      answer = route ? await route.handler({ ...req, params: { ...groups } }) : graphError(400, 'BadRequest', `Resource not found for the segment '${path}'.`);
    }
    return {
      id,
      status: answer.status,
      headers: { ...(answer.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(answer.headers ?? {}) },
      ...(answer.body !== undefined ? { body: answer.body } : {}),
    };
  };

  const batchRoute: Route = authenticated({
    method: 'POST',
    pattern: /^\/v1\.0\/\$batch$/,
    handler: async (req) => {
      let requests: unknown;
      try {
        requests = (JSON.parse(req.body) as { requests?: unknown }).requests;
      } catch {
        requests = undefined;
      }
      if (!Array.isArray(requests) || requests.length === 0) return graphError(400, 'BadRequest', 'Invalid batch payload format.');
      if (requests.length > MAX_BATCH) return graphError(400, 'BadRequest', `Number of batch request steps exceeds the maximum of ${MAX_BATCH}.`);
      // Graph hands a batch's steps to Outlook at most four at a time, each holding its
      // mailbox's concurrency slot while it runs (Microsoft Q&A 1660054); a step that finds
      // the mailbox's slots taken by other requests gets the 429 alone.
      const responses: Array<Record<string, unknown>> = [];
      for (let first = 0; first < requests.length; first += BATCH_DISPATCH) {
        const wave = requests.slice(first, first + BATCH_DISPATCH).map((sub) => (sub ?? {}) as Record<string, unknown>);
        const admitted = wave.map((sub) => slots.admit(subRequestPath(sub)));
        try {
          responses.push(
            ...(await Promise.all(
              wave.map(async (sub, n) => {
                const admission = admitted[n];
                if (admission && 'refuse' in admission) return subResponse(sub, admission.refuse);
                return runSubRequest(req, sub);
              }),
            )),
          );
        } finally {
          for (const admission of admitted) if (admission && 'release' in admission) admission.release();
        }
      }
      return { status: 200, body: { responses } };
    },
  });

  const control: GraphEmulatorControl = {
    tenantId: state.tenantId,
    registerApp: (app) => void state.apps.set(app.clientId, app),
    setAppPermissions: (clientId, permissions) => {
      const app = state.apps.get(clientId);
      if (!app) throw new Error(`emulator: no app ${clientId}`);
      state.apps.set(clientId, { ...app, permissions: [...permissions] });
    },
    holdMailboxRequests: (user, count) => slots.hold(state.user(user).id, count),
    addUser: (seed) => {
      const user = state.addUser(seed);
      return { id: user.id, address: user.address };
    },
    addEvent: (user, event) => state.addEvent(user, event),
    updateEvent: (user, id, patch) => state.updateEvent(user, id, patch),
    deleteEvent: (user, id) => state.deleteEvent(user, id),
    occurrences: (user, seriesId) =>
      state
        .instances(state.user(user).id)
        .filter((i) => i.seriesMasterId === seriesId)
        .map((i) => ({ id: i.id, start: i.fields.start, end: i.fields.end })),
    updateOccurrence: (user, seriesId, occurrenceId, patch) => state.updateOccurrence(user, seriesId, occurrenceId, patch),
    cancelOccurrence: (user, seriesId, occurrenceId) => state.cancelOccurrence(user, seriesId, occurrenceId),
    setAutomaticReplies: (user, setting) => {
      state.user(user).automaticReplies = setting;
    },
    setTimeZone: (user, zone) => {
      state.user(user).timeZone = zone;
    },
    setMailboxAccess: (user, access) => {
      state.user(user).access = access;
    },
    expireDeltaTokens: (user) => {
      for (const u of user ? [state.user(user)] : state.allUsers()) u.generation += 1;
    },
    revokeAccessTokens: () => tokens.revokeAll(),
    tokensIssued: () => tokens.issuedCount,
    subscriptions: () => [...state.subscriptions.values()],
    sendLifecycleEvent: (subscriptionId, lifecycleEvent) => notifier.lifecycle(subscriptionId, lifecycleEvent),
    notifications: () => [...(notifier.deliveries)],
    flushNotifications: () => notifier.flush(),
    apiRequests: () =>
      (late.emulator?.record ?? [])
        .filter((r) => r.path.startsWith('/v1.0/'))
        .flatMap((r): GraphApiRequest[] => {
          if (r.path !== '/v1.0/$batch') return [{ method: r.method, path: r.path.slice('/v1.0'.length), batched: false }];
          try {
            const subs = (JSON.parse(r.body) as { requests: Array<{ method: string; url: string }> }).requests;
            return subs.map((s) => ({ method: s.method, path: decodeURIComponent(new URL(s.url.replace(/^\/?/, '/'), 'https://graph.invalid').pathname), batched: true }));
          } catch {
            return [];
          }
        }),
  };

  const emulator = await startEmulator({
    name: 'graph',
    port: options.port,
    latencyMs: options.latencyMs,
    tls: { key: LOOPBACK_TLS_KEY, cert: LOOPBACK_TLS_CERT },
    routes: [...graphControlRoutes(control), ...authRoutes(state, baseUrl, tokens, options.tokenLifetimeSeconds ?? 3599), ...apiRoutes, batchRoute],
    admit: (req) => slots.admit(req.path),
    notFound: (req) => graphError(400, 'BadRequest', `Resource not found for the segment '${req.path.split('/').pop() ?? ''}'.`),
  });
  late.url = emulator.url;
  late.emulator = emulator;
  return Object.assign(emulator, { control, certificate: LOOPBACK_TLS_CERT });
}

/** The path below the host a `$batch` step addresses, as the router sees it. */
function subRequestPath(sub: Record<string, unknown>): string {
  const target = new URL(typeof sub.url === 'string' ? sub.url.replace(/^\/?/, '/') : '/', 'https://graph.invalid');
  try {
    return `/v1.0${decodeURIComponent(target.pathname)}`;
  } catch {
    return `/v1.0${target.pathname}`;
  }
}

function subResponse(sub: Record<string, unknown>, answer: EmulatorResponse): Record<string, unknown> {
  return {
    id: typeof sub.id === 'string' ? sub.id : '',
    status: answer.status,
    headers: { 'content-type': 'application/json', ...(answer.headers ?? {}) },
    body: answer.body,
  };
}

/** The permission a request needs: directory reads User.Read.All, mailbox reads the Outlook roles. */
function requiredPermission(method: string, path: string): GraphPermission | undefined {
  if (/^\/v1\.0\/users(?:\/[^/]+)?$/.test(path)) return 'User.Read.All';
  if (/^\/v1\.0\/users\/[^/]+\/mailboxSettings(?:\/|$)/i.test(path)) return 'MailboxSettings.Read';
  if (/^\/v1\.0\/users\/[^/]+\/(?:calendarView|events|calendar)(?:\/|$)/i.test(path)) return 'Calendars.Read';
  if (method === 'POST' && path === '/v1.0/subscriptions') return 'Calendars.Read';
  return undefined;
}

/**
 * What Graph answers an app without the permission. The directory says so in its own words
 * (403 Authorization_RequestDenied). Outlook answers 403 ErrorAccessDenied "Access is denied.
 * Check credentials and try again." for every mailbox (microsoft-graph-docs #3289) — the same
 * words as for one mailbox outside the app's RBAC for Applications scope (MailboxAccess
 * `accessDenied`): only the breadth tells them apart. Subscriptions wrap Outlook's refusal in
 * an ExtensionError, as they wrap its "user does not exist".
 */
function permissionRefusal(permission: GraphPermission, path: string): EmulatorResponse {
  if (permission === 'User.Read.All') return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  if (path === '/v1.0/subscriptions') {
    return graphError(403, 'ExtensionError', 'Operation: Create; Exception: [Status Code: Forbidden; Reason: Access is denied. Check credentials and try again.]');
  }
  return graphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
}
