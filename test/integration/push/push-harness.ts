/**
 * Push end to end: the webhook functions served over real HTTP on a free loopback port (the
 * emulators call it as Graph and Google would), the local environment pointed at it through
 * WEBHOOK_BASE_URL, and the functions' queue wrapped so a test sees every job they send.
 */
import functions, { type HttpResponseInit } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ewsNotifications } from '../../../functions/ews-notifications.js';
import { googleNotifications } from '../../../functions/google-notifications.js';
import { graphLifecycle } from '../../../functions/graph-lifecycle.js';
import { graphNotifications } from '../../../functions/graph-notifications.js';
import { subscriptionsTimer } from '../../../functions/subscriptions.js';
import { useDeps } from '../../../shared/app/app-context.js';
import { createLogger } from '../../../shared/observability/logger.js';
import type { ProviderKind } from '../../../shared/domain/calendar-event.js';
import type { Telemetry } from '../../../shared/observability/telemetry.js';
import type { JobQueue, OutgoingJob } from '../../../shared/queue/job-queue.js';
import type { Subscription } from '../../../shared/store/subscription-repository.js';
import type { LocalEnvironment } from '../../../tools/local-env/local-environment.js';
import { startE2e } from '../e2e/e2e-harness.js';

const { HttpRequest, InvocationContext } = functions;

type Handler = (request: InstanceType<typeof HttpRequest>) => Promise<HttpResponseInit>;

const routes: Record<string, Handler> = {
  '/api/graph-notifications': graphNotifications,
  '/api/graph-lifecycle': graphLifecycle,
  '/api/google-notifications': googleNotifications,
};

/** Exchange's route carries our subscription id and its secret: ews-notifications/{id}/{secret}. */
const EWS_ROUTE = /^\/api\/ews-notifications\/([^/]+)\/([^/]+)$/;

export interface Webhooks {
  readonly url: string;
  /** While true, every request fails at the network (the socket is destroyed): the app cannot be reached. */
  unreachable: boolean;
  close(): Promise<void>;
}

/** The webhook functions behind a node:http server, each request as the library's own HttpRequest. */
export async function startWebhooks(): Promise<Webhooks> {
  const state = { unreachable: false };
  const server: Server = createServer((req, res) => {
    if (state.unreachable) return void req.socket.destroy();
    void serve(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get unreachable() {
      return state.unreachable;
    },
    set unreachable(value: boolean) {
      state.unreachable = value;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const ews = EWS_ROUTE.exec(url.pathname);
  const handler = req.method !== 'POST' ? undefined : ews ? ewsNotifications : routes[url.pathname];
  const params: Record<string, string> = ews ? { id: decodeURIComponent(ews[1]!), secret: decodeURIComponent(ews[2]!) } : {};
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (!handler) return void res.writeHead(404).end();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
  let answer: HttpResponseInit;
  try {
    answer = await handler(new HttpRequest({ method: 'POST', url: url.href, headers, params, body: { string: Buffer.concat(chunks).toString('utf8') } }));
  } catch {
    answer = { status: 500 };
  }
  const out = Object.fromEntries(Object.entries((answer.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
  if (answer.jsonBody !== undefined) out['content-type'] ??= 'application/json';
  res.writeHead(answer.status ?? 200, out).end(answer.jsonBody !== undefined ? JSON.stringify(answer.jsonBody) : typeof answer.body === 'string' ? answer.body : undefined);
}

export interface LogRecord {
  readonly op: string;
  readonly level: string;
  readonly mailbox?: string;
  readonly reason?: string;
  readonly mode?: string;
  readonly [field: string]: unknown;
}

export interface PushEnvironment {
  readonly env: LocalEnvironment;
  readonly webhooks: Webhooks;
  /** Every job the functions sent (the worker's own retries excluded), in order. */
  readonly sent: OutgoingJob[];
  /** The product's log, debug included. */
  readonly logs: LogRecord[];
  /** Runs the `subscriptions` timer function; returns what it logged. */
  runSubscriptionsTimer(): Promise<string[]>;
  /** Subscriptions table rows of one provider. */
  stored(provider: Subscription['provider']): Promise<Subscription[]>;
  /** `sync.done` records: the jobs that actually ran. */
  syncsDone(mailboxKey?: string, reason?: string): LogRecord[];
  close(): Promise<void>;
}

const FOREVER = '9999-12-31T00:00:00.000Z';

/**
 * The demo organisation synced once (roster + first jobs), the worker running, and the
 * webhook functions installed with the environment's deps. `push: false` leaves
 * WEBHOOK_BASE_URL unset.
 */
export async function startPush(options: { push?: boolean; settings?: Record<string, string>; telemetry?: Telemetry } = {}): Promise<PushEnvironment> {
  const webhooks = await startWebhooks();
  const logs: LogRecord[] = [];
  let env: LocalEnvironment;
  try {
    env = await startE2e({
      // Graph and Google judge subscription and channel expiry on the wall clock; the product must too.
      now: () => new Date(),
      logger: createLogger({ level: 'debug', sink: (_level, line) => void logs.push(JSON.parse(line) as LogRecord) }),
      settings: { ...(options.push === false ? {} : { WEBHOOK_BASE_URL: webhooks.url }), ...options.settings },
      ...(options.telemetry ? { telemetry: options.telemetry } : {}),
    });
  } catch (error) {
    await webhooks.close();
    throw error;
  }
  const sent: OutgoingJob[] = [];
  const queue: JobQueue = {
    send: async (job, sendOptions) => {
      sent.push({ job, ...sendOptions });
      await env.queue.send(job, sendOptions);
    },
    sendMany: async (jobs) => {
      sent.push(...jobs);
      await env.queue.sendMany(jobs);
    },
  };
  useDeps({ ...env.deps, queue });

  const { refreshRoster } = await import('../../../shared/sync/roster/refresh-roster.js');
  await refreshRoster(env.deps, { full: true });
  env.startWorker();
  await env.queue.whenIdle({ horizonMs: 0 });

  return {
    env,
    webhooks,
    sent,
    logs,
    async runSubscriptionsTimer() {
      const lines: string[] = [];
      const now = new Date().toISOString();
      const context = new InvocationContext({
        invocationId: randomUUID(),
        functionName: 'subscriptions',
        logHandler: (_level, ...args) => void lines.push(args.map(String).join(' ')),
      });
      await subscriptionsTimer({ isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: now, next: now, lastUpdated: now } }, context);
      return lines;
    },
    async stored(provider) {
      return (await env.deps.store.subscriptions.listExpiringBefore(FOREVER)).filter((s) => s.provider === provider);
    },
    syncsDone: (mailboxKey, reason) =>
      logs.filter((r) => r.op === 'sync.done' && (mailboxKey === undefined || r.mailbox === mailboxKey) && (reason === undefined || r.reason === reason)),
    async close() {
      await env.close();
      await webhooks.close();
    },
  };
}

/** The keys of mailboxes the subscriptions timer must cover: synced, with the profile that serves them. */
export async function syncedMailboxes(env: LocalEnvironment): Promise<Array<{ key: string; address: string; kind: ProviderKind }>> {
  const out: Array<{ key: string; address: string; kind: ProviderKind }> = [];
  for await (const m of env.deps.store.mailboxes.listAll()) {
    const provider = m.profile ? env.deps.providers.byName(m.profile) : undefined;
    if ((m.state === 'active' || m.state === 'failing') && provider) out.push({ key: m.key, address: m.address, kind: provider.kind });
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

/** A POST to one of our webhooks, as any caller on the network could send it. */
export function post(webhooks: Webhooks, path: string, init: { body?: string; headers?: Record<string, string>; query?: string } = {}): Promise<Response> {
  return fetch(`${webhooks.url}${path}${init.query ?? ''}`, { method: 'POST', headers: init.headers, body: init.body });
}
