/**
 * The HTTP base every emulator (Graph, Google, CMG) is built on: a real server on a loopback
 * port, a tiny router, a record of every request received, and switches for latency and
 * faults (status with Retry-After, hang until the client times out, reset the connection,
 * "down"). Used by tests, the dev host and the benchmarks.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface EmulatorRequest {
  readonly method: string;
  /** Decoded path without the query. */
  readonly path: string;
  /** The path as received, still percent-encoded: for ids that may contain `/` (split it, then decode each segment). */
  readonly rawPath: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** Named groups from the route's pattern. */
  readonly params: Record<string, string>;
}

export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings as they are. */
  body?: unknown;
}

export type RouteHandler = (req: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>;

export interface Route {
  readonly method: string;
  /** Matched against the decoded path; named groups become `params`. */
  readonly pattern: RegExp;
  readonly handler: RouteHandler;
}

export interface RecordedRequest {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly status: number;
}

export interface FaultRule {
  /** Only requests with this method (any when absent). */
  method?: string;
  /** Only requests whose path matches (any when absent). */
  path?: RegExp;
  /** How many matching requests fail; Infinity for "until cleared". */
  times: number;
  /**
   * `status`: answer with it; `hang`: never answer (client times out); `reset`: destroy the socket;
   * `hang-after`: handle the request (its effect happens), then never answer — the lost-answer case
   * behind exactly-once tests.
   */
  kind: 'status' | 'hang' | 'reset' | 'hang-after';
  status?: number;
  /** Sent as the Retry-After header (seconds or HTTP date). */
  retryAfter?: string;
  /** Further headers of a `status` answer, e.g. `retry-after-ms`. */
  headers?: Record<string, string>;
  body?: unknown;
  /** For a random failure rate instead of a count: probability 0..1 per matching request. */
  rate?: number;
}

export interface EmulatorSwitches {
  /** Added before every answer. */
  latencyMs: number;
  /** Every request gets 503 while down (control routes excepted). */
  down: boolean;
  faults: FaultRule[];
}

export interface RunningEmulator {
  readonly url: string;
  readonly port: number;
  readonly switches: EmulatorSwitches;
  /** Every request received, in order (control routes excepted). */
  readonly record: RecordedRequest[];
  /** TCP connections accepted since start: with keep-alive it should stay at the client's pool size. */
  connectionsOpened(): number;
  /** Adds a fault rule; returns it so a test can inspect `times` left. */
  fault(rule: FaultRule): FaultRule;
  clearFaults(): void;
  clearRecord(): void;
  close(): Promise<void>;
}

const CONTROL_PREFIX = '/_control/';
const MAX_BODY = 8 * 1024 * 1024;

export async function startEmulator(options: {
  name: string;
  routes: Route[];
  port?: number;
  host?: string;
  latencyMs?: number;
  /** Answer for no route: a provider-shaped 404. */
  notFound?: (req: EmulatorRequest) => EmulatorResponse;
  /** Serve HTTPS with this key and certificate (PEM): for clients that refuse plain http, e.g. msal authorities. */
  tls?: { key: string; cert: string };
  /**
   * Asked before a request's latency starts: a refusal is answered at once; `hold` keeps
   * whatever it stands for (a per-mailbox concurrency slot) until the answer is sent, so the
   * latency counts as time the request is in flight.
   */
  admit?: (req: EmulatorRequest) => { refuse: EmulatorResponse } | { release: () => void } | undefined;
}): Promise<RunningEmulator> {
  const switches: EmulatorSwitches = { latencyMs: options.latencyMs ?? 0, down: false, faults: [] };
  const record: RecordedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  let connections = 0;

  const controlRoutes: Route[] = [
    {
      method: 'POST',
      pattern: /^\/_control\/switches$/,
      handler: (req) => {
        const body = JSON.parse(req.body || '{}') as Partial<{ latencyMs: number; down: boolean; faults: Array<Omit<FaultRule, 'path'> & { path?: string }> }>;
        if (typeof body.latencyMs === 'number') switches.latencyMs = body.latencyMs;
        if (typeof body.down === 'boolean') switches.down = body.down;
        if (Array.isArray(body.faults)) {
          switches.faults = body.faults.map((f) => ({ ...f, times: f.times ?? Infinity, path: f.path ? new RegExp(f.path) : undefined }));
        }
        return { status: 200, body: { latencyMs: switches.latencyMs, down: switches.down, faults: switches.faults.length } };
      },
    },
    { method: 'GET', pattern: /^\/_control\/record$/, handler: () => ({ status: 200, body: { requests: record } }) },
    {
      method: 'DELETE',
      pattern: /^\/_control\/record$/,
      handler: () => {
        record.length = 0;
        return { status: 204 };
      },
    },
  ];

  const send = (res: ServerResponse, answer: EmulatorResponse): void => {
    const headers: Record<string, string> = { ...(answer.headers ?? {}) };
    let payload: string | undefined;
    if (answer.body !== undefined) {
      if (typeof answer.body === 'string') {
        payload = answer.body;
        headers['content-type'] ??= 'text/plain; charset=utf-8';
      } else {
        payload = JSON.stringify(answer.body);
        headers['content-type'] ??= 'application/json; charset=utf-8';
      }
    }
    res.writeHead(answer.status, headers);
    res.end(payload);
  };

  const matchRoute = (routes: Route[], method: string, path: string): { route: Route; params: Record<string, string> } | undefined => {
    for (const route of routes) {
      if (route.method !== method) continue;
      const m = route.pattern.exec(path);
      if (m) return { route, params: { ...(m.groups ?? {}) } };
    }
    return undefined;
  };

  const pickFault = (method: string, path: string): FaultRule | undefined => {
    for (const rule of switches.faults) {
      if (rule.times <= 0) continue;
      if (rule.method && rule.method !== method) continue;
      if (rule.path && !rule.path.test(path)) continue;
      if (rule.rate !== undefined && Math.random() >= rule.rate) continue;
      rule.times -= 1;
      return rule;
    }
    return undefined;
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://emulator');
        const method = (req.method ?? 'GET').toUpperCase();
        const rawPath = url.pathname;
        let path: string;
        try {
          path = decodeURIComponent(rawPath);
        } catch {
          // A malformed percent sequence: answer as a real server would, never crash the emulator.
          return send(res, { status: 400, body: { error: { code: 'bad_request', message: 'malformed percent-encoding in the path' } } });
        }
        const body = Buffer.concat(chunks).toString('utf8');
        const isControl = path.startsWith(CONTROL_PREFIX);
        const recordAs = (status: number): void => {
          if (!isControl) record.push({ at: Date.now(), method, path, query: url.search, headers: req.headers, body, status });
        };
        const admission = isControl ? undefined : options.admit?.({ method, path, rawPath, query: url.searchParams, headers: req.headers, body, params: {} });
        if (admission && 'refuse' in admission) {
          recordAs(admission.refuse.status);
          return send(res, admission.refuse);
        }
        if (admission) res.on('close', admission.release);
        try {
          if (!isControl && switches.latencyMs > 0) await new Promise((r) => setTimeout(r, switches.latencyMs));
          const hangAfter = (res: ServerResponse): void => {
            hanging.add(res);
            res.on('close', () => hanging.delete(res));
          };
          const control = isControl ? matchRoute(controlRoutes.concat(options.routes.filter((r) => r.pattern.source.startsWith('^\\/_control'))), method, path) : undefined;
          if (!isControl) {
            if (switches.down) {
              recordAs(503);
              return send(res, { status: 503, body: { error: { code: 'unavailable', message: `${options.name} emulator is down` } } });
            }
            const fault = pickFault(method, path);
            if (fault?.kind === 'hang-after') {
              const found = matchRoute(options.routes, method, path);
              if (found) await found.route.handler({ method, path, rawPath, query: url.searchParams, headers: req.headers, body, params: found.params });
              recordAs(0);
              return hangAfter(res);
            }
            if (fault) {
              if (fault.kind === 'hang') {
                recordAs(0);
                return hangAfter(res);
              }
              if (fault.kind === 'reset') {
                recordAs(0);
                req.socket.destroy();
                return;
              }
              const status = fault.status ?? 503;
              recordAs(status);
              return send(res, {
                status,
                headers: { ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}), ...(fault.headers ?? {}) },
                body: fault.body ?? { error: { code: status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', message: 'Injected fault' } },
              });
            }
          }
          const found = control ?? matchRoute(options.routes, method, path);
          if (!found) {
            const answer = options.notFound?.({ method, path, rawPath, query: url.searchParams, headers: req.headers, body, params: {} }) ?? {
              status: 404,
              body: { error: { code: 'not_found', message: `No route for ${method} ${path}` } },
            };
            recordAs(answer.status);
            return send(res, answer);
          }
          const answer = await found.route.handler({ method, path, rawPath, query: url.searchParams, headers: req.headers, body, params: found.params });
          recordAs(answer.status);
          send(res, answer);
        } catch (error) {
          recordAs(500);
          send(res, { status: 500, body: { error: { code: 'emulator_error', message: error instanceof Error ? error.message : String(error) } } });
        }
      })();
    });
  };
  const server: Server = options.tls ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, listener) : createServer(listener);
  server.keepAliveTimeout = 5_000;
  server.on('connection', () => {
    connections += 1;
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    port,
    switches,
    record,
    connectionsOpened: () => connections,
    fault(rule) {
      switches.faults.push(rule);
      return rule;
    },
    clearFaults() {
      switches.faults.length = 0;
      switches.down = false;
    },
    clearRecord() {
      record.length = 0;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
