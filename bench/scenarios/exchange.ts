/**
 * Exchange Server (issue 26): the product's local composition (tools/local-env) with the demo's
 * on-premises profile over NTLMv2 to the EWS emulator, push on, the jobs through the in-process
 * queue. Per phase it prints the EWS requests per mailbox against the least the protocol allows,
 * by operation, and mailboxes per second:
 * - first sync: SyncFolderItems from no state, FindItem CalendarView, GetUserOofSettings, and
 *   GetUserConfiguration for the mailbox's own time zone, read with every full sync (4);
 * - quiet poll: SyncFolderItems alone (1);
 * - a change: SyncFolderItems, the window again with FindItem CalendarView (EWS has no
 *   occurrence-level delta), and the automatic replies read with every full read (2 + 1);
 * then NTLM handshakes per connection (one per kept-alive socket, not per request), and push
 * latency: from the emulator's POST of the notification (its sentAtMs) to CMG's acknowledgement
 * of the new activity (the first successful PUT carrying its text), over real HTTP to the
 * ews-notifications webhook; beside it, how long the webhook took to answer Exchange.
 * Everything runs in this process, Azurite too: the figures are counts, and latencies of one
 * change at a time, not throughput under load (`npm run bench -- push` measures that).
 */
import type { BenchScenario } from '../run-bench.js';
import { useDeps } from '../../shared/app/app-context.js';
import { scheduleMessageId } from '../../shared/queue/message-id.js';
import { createLogger } from '../../shared/observability/logger.js';
import { maintainSubscriptions } from '../../shared/sync/push/maintain-subscriptions.js';
import { refreshRoster } from '../../shared/sync/roster/refresh-roster.js';
import { demoOrganisation, type DemoPerson } from '../../tools/demo/demo-organisation.js';
import { startAzurite } from '../../tools/azurite/start-azurite.js';
import { EXCHANGE_PROFILE, startLocalEnvironment, type LocalEnvironment } from '../../tools/local-env/local-environment.js';
import { percentile } from '../support/measure.js';
import { startWebhookServer } from '../support/webhook-server.js';

const HOUR = 3_600_000;
/** Changes per second in the push phase, each in another mailbox: one notification, one job each. */
const CHANGES_PER_SECOND = 10;
const MARK = 'Bench change ';

export interface ExchangePhase {
  readonly mailboxes: number;
  readonly seconds: number;
  /** EWS requests past sign-in, per mailbox. */
  readonly requestsPerMailbox: number;
  /** The same, per operation. */
  readonly perOperation: Readonly<Record<string, number>>;
}

export interface ExchangeBenchFigures {
  readonly firstSync: ExchangePhase;
  readonly subscribe: ExchangePhase;
  readonly quietPoll: ExchangePhase;
  /** Changes that came by push, one per mailbox. */
  readonly change: ExchangePhase;
  /** The EWS front over the whole run. */
  readonly ntlm: { readonly connections: number; readonly handshakes: number; readonly authentications: number; readonly rejections: number; readonly requests: number };
  /** Notification POSTed → CMG acknowledged the activity, ms, one per change acknowledged. */
  readonly pushLatenciesMs: readonly number[];
  /** Notification POSTed → the webhook's answer, ms. */
  readonly webhookAnswerMs: readonly number[];
  readonly changes: number;
}

/**
 * Runs the phases against a fresh local environment. `webhookUrl`: where the ews-notifications
 * function answers (WEBHOOK_BASE_URL), a server running it over HTTP with the deps `useDeps` gave.
 */
export async function measureExchange(options: {
  readonly mailboxes: number;
  readonly webhookUrl: string;
  readonly tablesConnectionString: string;
  readonly tablePrefix?: string;
  readonly changesPerSecond?: number;
}): Promise<ExchangeBenchFigures> {
  const org = demoOrganisation({ now: new Date(), graphUsers: 1, googleUsers: 0, exchangeUsers: options.mailboxes });
  const env = await startLocalEnvironment({
    org,
    tablesConnectionString: options.tablesConnectionString,
    ...(options.tablePrefix ? { tablePrefix: options.tablePrefix } : {}),
    logger: createLogger({ level: 'warn', sink: () => undefined }),
    settings: { WEBHOOK_BASE_URL: options.webhookUrl, [`PROFILE_${EXCHANGE_PROFILE}_PUSH`]: 'true', LOG_LEVEL: 'warn' },
  });
  try {
    const ews = env.exchange!;
    const people = org.people.filter((p) => p.provider === 'exchange');
    // The demo leaves one mailbox outside the impersonation scope; here every mailbox is read.
    for (const key of org.impersonationDenied ?? []) ews.control.grantImpersonation(env.settings[`PROFILE_${EXCHANGE_PROFILE}_USER_NAME`]!, people.find((p) => p.key === key)!.address);
    useDeps(env.deps);
    env.startWorker();

    const phase = async (work: () => Promise<void>): Promise<ExchangePhase> => {
      const from = ews.control.requests().length;
      const started = performance.now();
      await work();
      const seconds = (performance.now() - started) / 1000;
      const addresses = new Set(people.map((p) => p.address.toLowerCase()));
      const records = ews.control.requests().slice(from).filter((r) => r.mailbox !== undefined && addresses.has(r.mailbox));
      const counts = new Map<string, number>();
      for (const r of records) counts.set(r.operation, (counts.get(r.operation) ?? 0) + 1);
      const perOperation = Object.fromEntries([...counts].map(([operation, n]) => [operation, n / people.length]));
      return { mailboxes: people.length, seconds, requestsPerMailbox: records.length / people.length, perOperation };
    };

    const firstSync = await phase(async () => {
      await refreshRoster(env.deps, { full: true });
      await env.queue.whenIdle({ horizonMs: 0 });
    });
    const subscribe = await phase(async () => void (await maintainSubscriptions(env.deps)));
    const quietPoll = await phase(async () => {
      const now = new Date();
      await env.queue.sendMany(
        people.map((p) => ({ job: { mailboxKey: p.key, reason: 'schedule' as const, full: false, enqueuedAt: now.toISOString() }, messageId: scheduleMessageId(p.key, new Date(now.getTime() + 1)) })),
      );
      await env.queue.whenIdle({ horizonMs: 0 });
    });
    const changedAt = new Map<number, { person: DemoPerson; at: number }>();
    const change = await phase(async () => {
      const everyMs = 1000 / (options.changesPerSecond ?? CHANGES_PER_SECOND);
      for (const [n, person] of people.entries()) {
        const start = Math.ceil(Date.now() / HOUR) * HOUR + (2 + (n % 6)) * HOUR;
        changedAt.set(n, { person, at: Date.now() });
        ews.control.createItem(person.address, { subject: `${MARK}${n}`, start: new Date(start).toISOString(), end: new Date(start + HOUR / 2).toISOString(), timeZone: person.timeZone });
        await new Promise((resolve) => setTimeout(resolve, everyMs));
      }
      await ews.control.flushNotifications();
      // The coalescing window puts each job a little after its notification.
      await env.queue.whenIdle({ horizonMs: 5_000 });
    });
    const { pushLatenciesMs, webhookAnswerMs } = pushLatencies(env, changedAt);
    const front = ews.server.counters();
    return {
      firstSync,
      subscribe,
      quietPoll,
      change,
      ntlm: { connections: front.connections, handshakes: front.handshakes, authentications: front.authentications, rejections: front.rejections, requests: front.requests },
      pushLatenciesMs,
      webhookAnswerMs,
      changes: changedAt.size,
    };
  } finally {
    await env.close();
  }
}

/** For each change, the first notification of its mailbox POSTed after it, and CMG's first acknowledgement of its activity. */
function pushLatencies(env: LocalEnvironment, changes: ReadonlyMap<number, { person: DemoPerson; at: number }>): { pushLatenciesMs: number[]; webhookAnswerMs: number[] } {
  const acknowledged = new Map<number, number>();
  const pattern = new RegExp(`${MARK}(\\d+)`);
  for (const r of env.cmg.record) {
    if (r.method !== 'PUT' || r.status >= 300) continue;
    const n = pattern.exec(r.body)?.[1];
    if (n !== undefined && !acknowledged.has(Number(n))) acknowledged.set(Number(n), r.at);
  }
  const deliveries = env.exchange!.control.notifications().filter((d) => d.kind === 'events');
  const pushLatenciesMs: number[] = [];
  const webhookAnswerMs: number[] = [];
  for (const [n, change] of changes) {
    const notification = deliveries.find((d) => d.mailbox === change.person.address.toLowerCase() && d.sentAtMs >= change.at);
    const ack = acknowledged.get(n);
    if (!notification || ack === undefined) continue;
    pushLatenciesMs.push(ack - notification.sentAtMs);
    webhookAnswerMs.push(notification.atMs - notification.sentAtMs);
  }
  return { pushLatenciesMs, webhookAnswerMs };
}

const scenario: BenchScenario = {
  name: 'exchange',
  description: `Exchange Server over EWS with NTLMv2 (the EWS emulator, push to the ews-notifications webhook over HTTP): requests per mailbox against the minimum, mailboxes/s, NTLM handshakes per connection, push latency (${CHANGES_PER_SECOND} changes/s)`,
  async run({ full }) {
    const mailboxes = full ? 500 : 100;
    const azurite = await startAzurite({ isolated: true });
    const webhooks = await startWebhookServer();
    try {
      const f = await measureExchange({ mailboxes, webhookUrl: webhooks.url, tablesConnectionString: azurite.connectionString });
      const line = (label: string, p: ExchangePhase, minimum: string): void => {
        const ops = Object.entries(p.perOperation).map(([op, n]) => `${op} ${n.toFixed(2)}`).join(', ');
        console.log(`${label.padEnd(12)} ${p.mailboxes} mailboxes in ${p.seconds.toFixed(2)} s = ${(p.mailboxes / p.seconds).toFixed(1)} mailboxes/s; ${p.requestsPerMailbox.toFixed(2)} EWS requests/mailbox (minimum ${minimum}): ${ops || 'none'}`);
      };
      line('first sync', f.firstSync, '4: SyncFolderItems + FindItem CalendarView + GetUserOofSettings + GetUserConfiguration');
      line('subscribe', f.subscribe, '1: Subscribe');
      line('quiet poll', f.quietPoll, '1: SyncFolderItems');
      line('a change', f.change, '2 + automatic replies = 3: SyncFolderItems + FindItem CalendarView + GetUserOofSettings');
      console.log(`             (the changes come at ${CHANGES_PER_SECOND}/s, each by push: that phase's mailboxes/s is the pace, not a ceiling)`);
      console.log(
        `NTLM: ${f.ntlm.handshakes} handshakes on ${f.ntlm.connections} connections = ${(f.ntlm.handshakes / Math.max(1, f.ntlm.connections)).toFixed(2)} per connection (minimum 1); ` +
          `${f.ntlm.requests} requests past sign-in = ${(f.ntlm.requests / Math.max(1, f.ntlm.handshakes)).toFixed(1)} per handshake; ${f.ntlm.rejections} refused`,
      );
      const p = (values: readonly number[], q: number): string => (values.length === 0 ? '-' : `${percentile(values, q).toFixed(0)} ms`);
      console.log(
        `push: notification → CMG acknowledgement p50 ${p(f.pushLatenciesMs, 50)}, p95 ${p(f.pushLatenciesMs, 95)} (n=${f.pushLatenciesMs.length} of ${f.changes} changes); ` +
          `notification → webhook answer p50 ${p(f.webhookAnswerMs, 50)}, p95 ${p(f.webhookAnswerMs, 95)}; webhook errors ${webhooks.errors}`,
      );
    } finally {
      await webhooks.close();
      await azurite.close();
    }
  },
};

export default scenario;
