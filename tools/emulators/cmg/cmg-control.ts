/**
 * Driving the CMG emulator: in-process methods for tests and benchmarks, and the same as HTTP
 * routes under /_control/cmg/ for the dev host. Generic switches (latency, down, raw fault
 * rules, the request record) stay on the base's /_control/switches and /_control/record.
 */
import { z } from 'zod';
import type { EmulatorResponse, FaultRule, Route, RunningEmulator } from '../emulator-server.js';
import type { CmgUser } from '../../../shared/cmg/cmg-gateway.js';
import type { CmgOperation } from '../../../shared/cmg/cmg-failures.js';
import type { CmgCode } from '../../../shared/domain/cmg-code.js';
import { escapeRegExp } from './escape-regexp.js';
import { seedUserSchema, type CmgStore, type SeedUser, type StoredActivity } from './cmg-store.js';

export interface StatusFault {
  status: number;
  /** How many matching requests fail (default: until cleared). */
  times?: number;
  /** Instead of every request: this probability per request, 0..1. */
  rate?: number;
  /** Retry-After header: seconds or an HTTP date. */
  retryAfter?: string;
  /** More headers, e.g. `{ 'retry-after-ms': '300' }`. */
  headers?: Record<string, string>;
}

export interface CmgEmulatorControl {
  /** Back to the start: seeded users and codes, no activities, faults or record, the starting latency. */
  reset(): void;
  /** Replaces the roster (and drops every activity). */
  seedUsers(users: readonly SeedUser[]): void;
  /** Adds or changes one user; it shows up in `calendar-settings?since=` from now on. */
  changeUser(user: SeedUser): CmgUser;
  deleteUser(userId: string): void;
  setCodes(codes: readonly CmgCode[]): void;
  /** Users per calendar-settings page. */
  setPageSize(size: number): void;
  users(): CmgUser[];
  activities(userId: string): StoredActivity[];
  allActivities(): Record<string, StoredActivity[]>;
  /** The operation answers `status` with a CMG error body (`busy` for 429 / 503). */
  fail(operation: CmgOperation, fault: StatusFault): FaultRule;
  /** The operation never answers; with `afterApply` its effect happens first (a lost answer). */
  hang(operation: CmgOperation, options?: { times?: number; afterApply?: boolean }): FaultRule;
  /** The connection is reset before any answer. */
  dropConnection(operation: CmgOperation, times?: number): FaultRule;
  /** 409 conflict, `times` times (default once). */
  conflict(operation: CmgOperation, times?: number): FaultRule;
}

/** Where each operation lives, as the base matches it: method and decoded path. */
export function operationMatchers(contractPath: string): Record<CmgOperation, { method: string; path: RegExp }> {
  const root = escapeRegExp(contractPath);
  return {
    check: { method: 'GET', path: new RegExp(`^${root}/check$`) },
    codes: { method: 'GET', path: new RegExp(`^${root}/codes$`) },
    calendarSettings: { method: 'GET', path: new RegExp(`^${root}/calendar-settings$`) },
    upsertActivity: { method: 'PUT', path: new RegExp(`^${root}/users/.+/activities/.+$`) },
    deleteActivity: { method: 'DELETE', path: new RegExp(`^${root}/users/.+/activities/.+$`) },
    listActivities: { method: 'GET', path: new RegExp(`^${root}/users/.+/activities$`) },
  };
}

const BODY_CODES: Record<number, string> = { 409: 'conflict', 429: 'busy', 503: 'busy', 401: 'unauthorized', 404: 'unknown_user' };

export function createControl(
  emulator: RunningEmulator,
  store: CmgStore,
  matchers: ReturnType<typeof operationMatchers>,
  initial: { users: readonly SeedUser[]; codes: readonly CmgCode[]; pageSize: number; latencyMs: number },
): CmgEmulatorControl {
  const rule = (operation: CmgOperation, fault: Omit<FaultRule, 'method' | 'path' | 'times'> & { times?: number | undefined }): FaultRule =>
    emulator.fault({ ...fault, ...matchers[operation], times: fault.times ?? Infinity });
  return {
    reset() {
      store.reset(initial.codes);
      store.seedUsers(initial.users);
      store.pageSize = initial.pageSize;
      emulator.clearFaults();
      emulator.clearRecord();
      emulator.switches.latencyMs = initial.latencyMs;
    },
    seedUsers: (users) => store.seedUsers(users),
    changeUser: (user) => store.changeUser(user),
    deleteUser: (userId) => store.deleteUser(userId),
    setCodes: (codes) => store.setCodes(codes),
    setPageSize(size) {
      store.pageSize = size;
    },
    users: () => store.allUsers(),
    activities: (userId) => store.activitiesOf(userId),
    allActivities: () => store.allActivities(),
    fail(operation, fault) {
      const code = BODY_CODES[fault.status] ?? (fault.status >= 500 ? 'server_error' : 'injected');
      return rule(operation, { ...fault, kind: 'status', body: { error: { code, message: `Injected ${fault.status}` } } });
    },
    hang: (operation, options = {}) => rule(operation, { kind: options.afterApply ? 'hang-after' : 'hang', times: options.times }),
    dropConnection: (operation, times) => rule(operation, { kind: 'reset', times }),
    conflict: (operation, times = 1) => rule(operation, { kind: 'status', status: 409, times, body: { error: { code: 'conflict', message: 'Injected conflict' } } }),
  };
}

const operationSchema = z.enum(['check', 'codes', 'calendarSettings', 'upsertActivity', 'deleteActivity', 'listActivities']);
const codeSchema = z.object({ code: z.string().min(1), descriptions: z.record(z.string(), z.string()) });
const faultSchema = z.object({
  operation: operationSchema,
  kind: z.enum(['status', 'hang', 'hang-after', 'reset', 'conflict']),
  status: z.number().int().min(100).max(599).optional(),
  times: z.number().int().min(1).optional(),
  rate: z.number().min(0).max(1).optional(),
  retryAfter: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

/** The control API over HTTP, for the dev host: JSON in, JSON out, 400 on a body it cannot use. */
export function controlRoutes(control: () => CmgEmulatorControl): Route[] {
  const withBody = <T>(schema: z.ZodType<T>, act: (body: T) => EmulatorResponse) => (req: { body: string }): EmulatorResponse => {
    let json: unknown;
    try {
      json = JSON.parse(req.body || '{}');
    } catch {
      return { status: 400, body: { error: { code: 'invalid_request', message: 'body is not JSON' } } };
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) return { status: 400, body: { error: { code: 'invalid_request', message: z.prettifyError(parsed.error) } } };
    return act(parsed.data);
  };
  const state = (): EmulatorResponse => ({
    status: 200,
    body: { users: control().users(), activities: control().allActivities() },
  });
  return [
    { method: 'POST', pattern: /^\/_control\/cmg\/reset$/, handler: () => (control().reset(), { status: 204 }) },
    { method: 'GET', pattern: /^\/_control\/cmg\/state$/, handler: state },
    {
      method: 'GET',
      pattern: /^\/_control\/cmg\/activities$/,
      handler: (req) => ({ status: 200, body: { activities: control().activities(req.query.get('userId') ?? '') } }),
    },
    { method: 'PUT', pattern: /^\/_control\/cmg\/users$/, handler: withBody(z.object({ users: z.array(seedUserSchema) }), (b) => (control().seedUsers(b.users), state())) },
    { method: 'POST', pattern: /^\/_control\/cmg\/users$/, handler: withBody(seedUserSchema, (user) => ({ status: 200, body: control().changeUser(user) })) },
    {
      method: 'DELETE',
      pattern: /^\/_control\/cmg\/users$/,
      handler: (req) => (control().deleteUser(req.query.get('userId') ?? ''), { status: 204 }),
    },
    { method: 'PUT', pattern: /^\/_control\/cmg\/codes$/, handler: withBody(z.object({ codes: z.array(codeSchema) }), (b) => (control().setCodes(b.codes), { status: 204 })) },
    {
      method: 'PUT',
      pattern: /^\/_control\/cmg\/page-size$/,
      handler: withBody(z.object({ pageSize: z.number().int().min(1) }), (b) => (control().setPageSize(b.pageSize), { status: 204 })),
    },
    {
      method: 'POST',
      pattern: /^\/_control\/cmg\/faults$/,
      handler: withBody(faultSchema, (f) => {
        const c = control();
        if (f.kind === 'status' && f.status === undefined) return { status: 400, body: { error: { code: 'invalid_request', message: 'status faults need a status' } } };
        if (f.kind === 'status') c.fail(f.operation, { status: f.status ?? 503, times: f.times, rate: f.rate, retryAfter: f.retryAfter, headers: f.headers });
        else if (f.kind === 'conflict') c.conflict(f.operation, f.times);
        else if (f.kind === 'reset') c.dropConnection(f.operation, f.times);
        else c.hang(f.operation, { times: f.times, afterApply: f.kind === 'hang-after' });
        return { status: 204 };
      }),
    },
  ];
}
