/**
 * The CMG emulator: the whole calendar contract (CMG-INTERFACE.md) under a virtual path with a
 * space, on the shared emulator base (latency, faults, down, request record). Tests, the dev
 * host and the benchmarks drive it through `control` or HTTP under /_control/cmg/.
 */
import { startEmulator, type EmulatorRequest, type EmulatorResponse, type Route, type RunningEmulator } from '../emulator-server.js';
import type { CmgCode } from '../../../shared/domain/cmg-code.js';
import { CmgStore, cmgError, type SeedUser } from './cmg-store.js';
import { controlRoutes, createControl, operationMatchers, type CmgEmulatorControl } from './cmg-control.js';
import { DEFAULT_CMG_CODES } from './default-codes.js';
import { escapeRegExp } from './escape-regexp.js';

export interface CmgEmulatorOptions {
  /** The virtual path, unencoded (default `/CMG Office`). */
  basePath?: string;
  /** Basic auth user (default `EXCHANGE`) and password (default `emulator-password`). */
  application?: string;
  password?: string;
  /** Message systems CMG knows (default 1, 3, 4). */
  messageSystems?: number[];
  version?: string;
  users?: SeedUser[];
  codes?: CmgCode[];
  /** Users per calendar-settings page (default 100). */
  pageSize?: number;
  latencyMs?: number;
  port?: number;
  host?: string;
  now?: () => Date;
  /** Serve HTTPS with this key and certificate (PEM), as a CMG with an internal CA's certificate does. */
  tls?: { key: string; cert: string };
}

export interface CmgEmulator extends RunningEmulator {
  /** What CMG_BASE_URL would be: `http://127.0.0.1:port/CMG Office` (unencoded, as people write it). */
  readonly baseUrl: string;
  readonly control: CmgEmulatorControl;
}

export async function startCmgEmulator(options: CmgEmulatorOptions = {}): Promise<CmgEmulator> {
  const basePath = `/${(options.basePath ?? '/CMG Office').replace(/^\/+|\/+$/g, '')}`;
  const contractPath = `${basePath}/api/calendar/v1`;
  const application = options.application ?? 'EXCHANGE';
  const password = options.password ?? 'emulator-password';
  const messageSystems = options.messageSystems ?? [1, 3, 4];
  const initial = { users: options.users ?? [], codes: options.codes ?? DEFAULT_CMG_CODES, pageSize: options.pageSize ?? 100, latencyMs: options.latencyMs ?? 0 };
  const store = new CmgStore(messageSystems, options.now ?? (() => new Date()), initial.pageSize);
  store.reset(initial.codes);
  store.seedUsers(initial.users);

  const expectedAuth = `${application}:${password}`;
  const authorized = (req: EmulatorRequest): boolean => {
    const header = req.headers.authorization ?? '';
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
    return match?.[1] !== undefined && Buffer.from(match[1], 'base64').toString('utf8') === expectedAuth;
  };
  const guarded = (handler: (req: EmulatorRequest) => EmulatorResponse) => (req: EmulatorRequest): EmulatorResponse =>
    authorized(req) ? handler(req) : cmgError(401, 'unauthorized', 'application or password is wrong');

  // Ids may hold `/`, so the users routes read the still-encoded path and decode segment by segment.
  const contractSegments = contractPath.split('/').filter(Boolean);
  const userPath = (req: EmulatorRequest): { userId: string; externalId?: string | undefined } | undefined => {
    const segments = req.rawPath.split('/').filter(Boolean).map(decodeURIComponent);
    if (contractSegments.some((s, i) => segments[i] !== s)) return undefined;
    const [users, userId, activities, externalId, ...rest] = segments.slice(contractSegments.length);
    if (users !== 'users' || userId === undefined || activities !== 'activities' || rest.length > 0) return undefined;
    return { userId, externalId };
  };
  const notFound = (req: EmulatorRequest): EmulatorResponse => cmgError(404, 'not_found', `No route for ${req.method} ${req.path}`);
  const usersRoute = (method: string, act: (target: { userId: string; externalId?: string | undefined }, req: EmulatorRequest) => EmulatorResponse): Route => ({
    method,
    pattern: new RegExp(`^${escapeRegExp(contractPath)}/users/`),
    handler: guarded((req) => {
      const target = userPath(req);
      return target ? act(target, req) : notFound(req);
    }),
  });

  const contract = (path: string): RegExp => new RegExp(`^${escapeRegExp(contractPath)}/${path}$`);
  const routes: Route[] = [
    {
      method: 'GET',
      pattern: contract('check'),
      handler: guarded(() => ({ status: 200, body: { version: options.version ?? '1.0', application, messageSystems } })),
    },
    { method: 'GET', pattern: contract('codes'), handler: guarded((req) => store.codesAnswer(req.query.get('languages'))) },
    { method: 'GET', pattern: contract('calendar-settings'), handler: guarded((req) => store.rosterAnswer(req.query.get('since'), req.query.get('cursor'))) },
    usersRoute('PUT', (t, req) => (t.externalId === undefined ? notFound(req) : store.putActivity(t.userId, t.externalId, req.body))),
    usersRoute('DELETE', (t, req) => (t.externalId === undefined ? notFound(req) : store.deleteActivity(t.userId, t.externalId))),
    usersRoute('GET', (t, req) => (t.externalId === undefined ? store.listAnswer(t.userId, req.query.get('sign')) : notFound(req))),
    ...controlRoutes(() => control),
  ];

  const emulator = await startEmulator({ name: 'CMG', routes, port: options.port, host: options.host, latencyMs: options.latencyMs, notFound, tls: options.tls });
  const control = createControl(emulator, store, operationMatchers(contractPath), initial);
  return { ...emulator, baseUrl: `${emulator.url}${basePath}`, control };
}
