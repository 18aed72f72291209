/**
 * A small stand-in for the Azure Functions host: it captures what functions/*.js register
 * (`app.http`, `app.timer`, `app.serviceBusQueue`) and serves them — HTTP on a local port,
 * timers on their NCRONTAB schedules (never overlapping, as in Azure), the queue trigger on the
 * in-process queue. The functions run unchanged, with the library's own HttpRequest and
 * InvocationContext objects.
 */
import functions, { type HttpHandler, type HttpMethod, type HttpResponseInit, type TimerHandler } from '@azure/functions';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import type { JobHandler } from '../../shared/queue/job-queue.js';
import { refuseForeignRequest } from './loopback-guard.js';
import { parseNcrontab, type Schedule } from './ncrontab.js';

const { app, HttpRequest, InvocationContext } = functions;

interface HttpFunction {
  readonly name: string;
  readonly methods: readonly string[];
  readonly route: string;
  readonly pattern: RegExp;
  readonly params: readonly string[];
  readonly handler: HttpHandler;
}

interface TimerFunction {
  readonly name: string;
  readonly schedule: Schedule;
  readonly runOnStartup: boolean;
  readonly handler: TimerHandler;
  running: boolean;
}

type QueueHandler = (message: unknown, context: InstanceType<typeof InvocationContext>) => Promise<unknown>;

export interface FunctionsHost {
  readonly http: readonly HttpFunction[];
  readonly timers: readonly TimerFunction[];
  readonly queueTriggers: ReadonlyArray<{ readonly name: string; readonly handler: QueueHandler }>;
  /** Serves the HTTP functions under /api on the port. */
  listen(port: number, host?: string): Promise<Server>;
  /** Runs one timer function now (skipped while a run of it is in progress). */
  runTimer(name: string): Promise<void>;
  /** Fires timers on their schedules; returns a stop function. */
  startTimers(): () => void;
  /** The queue trigger as an in-process job handler. */
  queueHandler(name: string): JobHandler;
}

export type FunctionLog = (functionName: string, level: string, message: string) => void;

export interface FunctionsHostOptions {
  /**
   * The identity the host acts with: a bearer token added to requests that carry no
   * Authorization header (the dev host's local operator).
   */
  readonly localToken?: () => Promise<string>;
}

interface Registrations {
  readonly http: readonly HttpFunction[];
  readonly timers: ReadonlyArray<Omit<TimerFunction, 'running'>>;
  readonly queueTriggers: ReadonlyArray<{ readonly name: string; readonly handler: QueueHandler }>;
}

/**
 * Registrations per directory: a module runs once per process, so a second host in the same
 * process (one bench scenario after another) would capture nothing if it imported again.
 */
const registered = new Map<string, Promise<Registrations>>();

/** Imports every compiled function file with the registrations captured. */
async function captureRegistrations(directory: string): Promise<Registrations> {
  const http: HttpFunction[] = [];
  const timers: Array<Omit<TimerFunction, 'running'>> = [];
  const queueTriggers: Array<{ name: string; handler: QueueHandler }> = [];
  const saved = { http: app.http, timer: app.timer, serviceBusQueue: app.serviceBusQueue };
  Object.assign(app, {
    http: (name: string, options: { methods?: HttpMethod[]; route?: string; handler: HttpHandler }) => {
      const route = options.route ?? name;
      const params: string[] = [];
      const pattern = new RegExp(
        `^/api/${route.split('/').map((segment) => (/^\{\w+\}$/.test(segment) ? (params.push(segment.slice(1, -1)), '([^/]+)') : segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('/')}/?$`,
      );
      http.push({ name, methods: options.methods ?? ['GET', 'POST'], route, pattern, params, handler: options.handler });
    },
    timer: (name: string, options: { schedule: string; runOnStartup?: boolean; handler: TimerHandler }) => {
      timers.push({ name, schedule: parseNcrontab(options.schedule), runOnStartup: options.runOnStartup ?? false, handler: options.handler });
    },
    serviceBusQueue: (name: string, options: { handler: QueueHandler }) => {
      queueTriggers.push({ name, handler: options.handler });
    },
  });
  try {
    for (const file of (await readdir(directory)).filter((f) => f.endsWith('.js')).sort()) {
      await import(pathToFileURL(join(directory, file)).href);
    }
  } finally {
    Object.assign(app, saved);
  }
  return { http, timers, queueTriggers };
}

/** The functions of a compiled directory, with a host to serve, time and trigger them. */
export async function loadFunctions(directory: string, log: FunctionLog, options: FunctionsHostOptions = {}): Promise<FunctionsHost> {
  let registrations = registered.get(directory);
  if (!registrations) {
    registrations = captureRegistrations(directory);
    registered.set(directory, registrations);
  }
  const { http, queueTriggers, ...rest } = await registrations;
  // Each host keeps its own "a run is in progress" marks.
  const timers: TimerFunction[] = rest.timers.map((timer) => ({ ...timer, running: false }));

  const context = (functionName: string, triggerMetadata: Record<string, unknown> = {}) =>
    new InvocationContext({
      invocationId: randomUUID(),
      functionName,
      triggerMetadata,
      logHandler: (level, ...args) => log(functionName, level, args.map(String).join(' ')),
    });

  const runTimer = async (timer: TimerFunction): Promise<void> => {
    if (timer.running) return;
    timer.running = true;
    try {
      const now = new Date().toISOString();
      await timer.handler({ isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: now, next: now, lastUpdated: now } }, context(timer.name));
    } catch (error) {
      log(timer.name, 'error', error instanceof Error ? error.message : String(error));
    } finally {
      timer.running = false;
    }
  };

  return {
    http,
    timers,
    queueTriggers,
    listen: (port, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        const server = createServer((req, res) => {
          // Whatever a request holds, it must not take the host down.
          serve(http, context, req, res, log, options).catch((error: unknown) => {
            log('host', 'error', error instanceof Error ? error.message : String(error));
            if (!res.headersSent) res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'the request could not be read' }));
            else res.end();
          });
        });
        server.once('error', reject);
        server.listen(port, host, () => resolve(server));
      }),
    runTimer: async (name) => {
      const timer = timers.find((t) => t.name === name);
      if (!timer) throw new Error(`no timer function ${name}`);
      await runTimer(timer);
    },
    startTimers() {
      let last = Math.floor(Date.now() / 1000);
      const tick = setInterval(() => {
        const second = Math.floor(Date.now() / 1000);
        // Every whole second since the last tick, so a slow tick skips no schedule.
        for (let s = last + 1; s <= second; s += 1) {
          for (const timer of timers) if (timer.schedule(new Date(s * 1000))) void runTimer(timer);
        }
        last = second;
      }, 250);
      return () => clearInterval(tick);
    },
    queueHandler(name) {
      const trigger = queueTriggers.find((q) => q.name === name);
      if (!trigger) throw new Error(`no queue trigger ${name}`);
      return async (job, delivery) => {
        await trigger.handler(job, context(name, { messageId: delivery.messageId, deliveryCount: delivery.deliveryCount }));
      };
    },
  };
}

async function serve(
  http: readonly HttpFunction[],
  context: (name: string) => InstanceType<typeof InvocationContext>,
  req: IncomingMessage,
  res: ServerResponse,
  log: FunctionLog,
  options: FunctionsHostOptions,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const fetchSite = req.headers['sec-fetch-site'];
  const refusal = refuseForeignRequest({ host: req.headers.host, origin: req.headers.origin, fetchSite: Array.isArray(fetchSite) ? fetchSite[0] : fetchSite });
  if (refusal) {
    res.writeHead(refusal.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: refusal.error }));
    return;
  }
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
  const match = http
    .map((f) => ({ f, m: f.pattern.exec(url.pathname) }))
    .find(({ f, m }) => m !== null && f.methods.includes(method));
  if (!match) {
    if (url.pathname === '/' || url.pathname === '/api' || url.pathname === '/api/') {
      res.writeHead(302, { location: '/api/admin' }).end();
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `no function for ${method} ${url.pathname}` }));
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const params = decodeParams(match.f.params, match.m!);
  if (!params) {
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'a route parameter is not valid percent-encoding' }));
    return;
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
  if (options.localToken && headers.authorization === undefined) headers.authorization = `Bearer ${await options.localToken()}`;
  const request = new HttpRequest({
    method,
    url: url.href,
    headers,
    params,
    ...(method === 'GET' || method === 'HEAD' ? {} : { body: { string: Buffer.concat(chunks).toString('utf8') } }),
  });
  let answer: HttpResponseInit;
  try {
    answer = (await match.f.handler(request, context(match.f.name))) as HttpResponseInit;
  } catch (error) {
    log(match.f.name, 'error', error instanceof Error ? error.message : String(error));
    answer = { status: 500, jsonBody: { error: 'the function failed; see the log' } };
  }
  writeFunctionResponse(res, answer);
}

/** The route's parameters, percent-decoded; undefined when one is malformed (e.g. `%E0%A4%A` or a lone `%`). */
function decodeParams(names: readonly string[], match: RegExpExecArray): Record<string, string> | undefined {
  try {
    return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
  } catch {
    return undefined;
  }
}

/** Writes what an HTTP function returned (status, headers, `jsonBody` or text `body`) to a Node response. */
export function writeFunctionResponse(res: ServerResponse, answer: HttpResponseInit): void {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries((answer.headers ?? {}) as Record<string, string>)) headers[k.toLowerCase()] = String(v);
  let body: string | undefined;
  if (answer.jsonBody !== undefined) {
    body = JSON.stringify(answer.jsonBody);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  } else if (typeof answer.body === 'string') {
    body = answer.body;
  }
  res.writeHead(answer.status ?? 200, headers).end(body);
}
