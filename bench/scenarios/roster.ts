/**
 * The timers at a large roster (issue #17, item 5): 10,000 mailboxes (half Microsoft 365, half
 * Google) through the roster refresh (the first one, a daily full one and an incremental one
 * with no change, one with a few changes), dispatch, and the subscriptions timer (the first run
 * creating a subscription or channel per mailbox, one with nothing due, one with a tenth
 * expiring). Jobs the timers enqueue are counted, not run: the sweeps are the `e2e` bench's.
 * For each run: seconds, requests per mailbox by kind (CMG roster pages, Table Storage by table
 * and kind, Graph and Google subscription requests, provider token requests, queue sends), the
 * reads of the whole Mailboxes table (at most one per run is the target), peak RSS and the
 * machine's load average.
 */
import type { BenchScenario } from '../run-bench.js';
import { useDeps } from '../../shared/app/app-context.js';
import type { JobQueue } from '../../shared/queue/job-queue.js';
import type { MailboxWrite } from '../../shared/store/mailbox-repository.js';
import { dispatch } from '../../shared/sync/roster/dispatch-jobs.js';
import { maintainSubscriptions } from '../../shared/sync/push/maintain-subscriptions.js';
import { refreshRoster } from '../../shared/sync/roster/refresh-roster.js';
import type { SyncDeps } from '../../shared/sync/sync-deps.js';
import { forEachBounded } from '../../shared/sync/bounded.js';
import { GOOGLE_PROFILE, GRAPH_PROFILE } from '../../tools/local-env/local-environment.js';
import { PROVIDER_LATENCY_MS, CMG_LATENCY_MS, startBenchEnvironment, startProcessesSampler, type BenchEnvironment } from '../support/bench-environment.js';
import { machineLine, portOf } from '../support/measure.js';
import { RequestLog, tableBatches, tableRequestKinds, type LoggedRequest } from '../support/request-log.js';
import { startWebhookServer } from '../support/webhook-server.js';

/** Of the subscriptions, the share the third timer run finds expiring. */
const EXPIRING_SHARE = 10;

const scenario: BenchScenario = {
  name: 'roster',
  description: `roster refresh, dispatch and the subscriptions timer at 10,000 mailboxes (1,000 with --quick), ${PROVIDER_LATENCY_MS} ms provider / ${CMG_LATENCY_MS} ms CMG latency`,
  async run() {
    const mailboxes = process.argv.includes('--quick') ? 1_000 : 10_000;
    const webhooks = await startWebhookServer();
    let bench: BenchEnvironment | undefined;
    let log: RequestLog | undefined;
    try {
      bench = await startBenchEnvironment({
        mailboxes,
        // The timers read no calendar.
        eventsPerPerson: 1,
        settings: { WEBHOOK_BASE_URL: webhooks.url },
        // The timers are measured, not the jobs they enqueue: each is taken off the queue and counted.
        handler: async () => undefined,
        extraPorts: new Map([[String(webhooks.port), 'webhooks']]),
      });
      // The webhooks answer Graph's validation handshake with the product's functions.
      useDeps(bench.env.deps);
      log = new RequestLog(names(bench, webhooks.port));
      const sends = new SendCount();
      const deps: SyncDeps = { ...bench.env.deps, queue: sends.wrap(bench.env.deps.queue) };
      const run = timerRun(bench, log, sends);

      await run('roster refresh, first (every mailbox new)', () => refreshRoster(deps, { full: false }));
      await firstSyncFoundProfiles(bench);
      await run('roster refresh, daily full, no change', () => refreshRoster(deps, { full: true }));
      await run('roster refresh, incremental, no change', () => refreshRoster(deps, { full: false }));
      await changeSomeUsers(bench);
      await run('roster refresh, incremental, 10 users changed', () => refreshRoster(deps, { full: false }));

      await run('dispatch', () => dispatch(deps));

      await run('subscriptions, first (one per mailbox)', () => maintainSubscriptions(deps));
      await run('subscriptions, nothing due', () => maintainSubscriptions(deps));
      const expiring = await expireSome(bench);
      await run(`subscriptions, ${expiring} expiring`, () => maintainSubscriptions(deps));
      if (webhooks.errors > 0) console.log(`webhook errors: ${webhooks.errors}`);
    } finally {
      log?.close();
      await bench?.close();
      await webhooks.close();
    }
  },
};

/** Jobs the product sends, counted per call. */
class SendCount {
  calls = 0;
  jobs = 0;

  wrap(queue: JobQueue): JobQueue {
    return {
      send: async (job, options) => {
        this.calls += 1;
        this.jobs += 1;
        await queue.send(job, options);
      },
      sendMany: async (jobs) => {
        this.calls += 1;
        this.jobs += jobs.length;
        await queue.sendMany(jobs);
      },
    };
  }

  reset(): void {
    this.calls = 0;
    this.jobs = 0;
  }
}

function names(b: BenchEnvironment, webhookPort: number): Map<string, string> {
  const { endpoints } = b.emulators;
  return new Map([
    [portOf(b.azurite.tableEndpoint), 'tables'],
    [portOf(endpoints.cmgBaseUrl), 'cmg'],
    [portOf(endpoints.graphUrl), 'graph'],
    [portOf(endpoints.googleApiRoot), 'google'],
    [String(webhookPort), 'webhooks'],
  ]);
}

function timerRun(b: BenchEnvironment, log: RequestLog, sends: SendCount) {
  return async (title: string, work: () => Promise<unknown>): Promise<void> => {
    log.reset();
    sends.reset();
    const sampler = await startProcessesSampler(b);
    const started = performance.now();
    const result = await work();
    const seconds = (performance.now() - started) / 1000;
    const report = await sampler.stop();
    // Graph validates a new subscription by calling the webhook: let those answers finish.
    await b.emulators.flushNotifications();
    printRun(title, seconds, result, b.mailboxes, log, sends);
    console.log(`  ${report.lines[0]}; ${machineLine()}`);
    for (const line of report.lines.slice(1)) console.log(`  ${line}`);
  };
}

function printRun(title: string, seconds: number, result: unknown, mailboxes: number, log: RequestLog, sends: SendCount): void {
  const per = (n: number): string => (n / mailboxes).toFixed(4);
  const of = (to: string, test: (r: LoggedRequest) => boolean = () => true): number => log.count((r) => r.to === to && test(r));
  const mailboxTable = tableRequestKinds(log, 'Mailboxes');
  const subscriptionTable = tableRequestKinds(log, 'Subscriptions');
  const stateTable = tableRequestKinds(log, 'State');
  const tables = of('tables');
  const graphSubscriptions = of('graph', (r) => r.path.includes('/subscriptions'));
  const graphTokens = of('graph', (r) => !r.path.startsWith('/v1.0/'));
  const googleChannels = of('google', (r) => r.path.includes('/events/watch') || r.path.includes('/channels/stop'));
  const googleTokens = of('google', (r) => !r.path.startsWith('/calendar/v3/'));
  console.log(`${title}: ${seconds.toFixed(2)} s (${(seconds * 1000 / mailboxes).toFixed(3)} ms per mailbox); ${JSON.stringify(result)}`);
  console.log(`  reads of the whole Mailboxes table: ${mailboxTable.scans} (target at most 1)`);
  console.log(
    `  requests per mailbox: CMG roster ${per(of('cmg', (r) => r.path.includes('/calendar-settings')))} (${of('cmg')} CMG requests); ` +
      `Table Storage ${per(tables)} (${tables}: Mailboxes ${mailboxTable.pages} query pages, ${mailboxTable.pointReads} point reads, ${mailboxTable.writes} writes; ` +
      `Subscriptions ${subscriptionTable.pages} query pages, ${subscriptionTable.pointReads} point reads, ${subscriptionTable.writes} writes; ` +
      `State ${stateTable.pointReads + stateTable.writes}; ${tableBatches(log)} batch transactions)`,
  );
  console.log(
    `  requests per mailbox: Graph subscriptions ${per(graphSubscriptions)} (${graphSubscriptions}), Graph token ${per(graphTokens)}; ` +
      `Google channels ${per(googleChannels)} (${googleChannels}), Google token ${per(googleTokens)} (${googleTokens}); ` +
      `queue sends ${per(sends.calls)} (${sends.calls} sends carrying ${sends.jobs} jobs)`,
  );
}

/** A few CMG users change: another language, sync turned off, removed, and new users. */
async function changeSomeUsers(b: BenchEnvironment): Promise<void> {
  const people = b.org.people;
  const domain = people[0]!.address.split('@')[1]!;
  await b.emulators.changeCmgUsers(
    [
      ...people.slice(0, 3).map((p) => ({ userId: p.key, email: p.address, calendarSync: true, language: p.language === 'sv' ? 'en' : 'sv' })),
      ...people.slice(3, 6).map((p) => ({ userId: p.key, email: p.address, calendarSync: false, language: p.language })),
      ...[0, 1].map((i) => ({ userId: `new-${i}`, email: `new.user${i}@${domain}`, calendarSync: true, language: 'en' })),
    ],
    people.slice(6, 8).map((p) => p.key),
  );
}

/**
 * What every mailbox's first sync records, without running the syncs: the profile serving it
 * (for those the providers know), a delta token of a real one's length, the window and the rest.
 */
async function firstSyncFoundProfiles(b: BenchEnvironment): Promise<void> {
  const started = performance.now();
  const store = b.env.deps.store.mailboxes;
  const known = new Map(b.org.people.map((p) => [p.address, p.provider]));
  const now = new Date();
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const writes: MailboxWrite[] = [];
  for await (const { etag, ...m } of store.listAll()) {
    const provider = known.get(m.address);
    if (m.state !== 'active' || !provider) continue;
    const syncToken =
      provider === 'graph'
        ? `${b.emulators.endpoints.graphUrl}/v1.0/users/${m.address}/calendarView/delta?$deltatoken=${'x'.repeat(560)}`
        : `C${'y'.repeat(40)}=`;
    writes.push({
      mailbox: {
        ...m,
        profile: provider === 'google' ? GOOGLE_PROFILE : GRAPH_PROFILE,
        provider,
        syncToken,
        window: { start: new Date(day - 86_400_000).toISOString(), end: new Date(day + 15 * 86_400_000).toISOString() },
        configHash: 'c'.repeat(64),
        timeZone: provider === 'graph' ? 'Europe/Stockholm' : 'Europe/Berlin',
        lastSyncAt: now.toISOString(),
        lastSyncMode: 'full',
        activityCount: 21,
      },
      etag,
    });
  }
  await store.writeMany(writes);
  console.log(`(set-up: ${writes.length} active mailboxes given what their first sync records, in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

/** A tenth of the subscriptions now expire within the renew margin. */
async function expireSome(b: BenchEnvironment): Promise<number> {
  const subscriptions = b.env.deps.store.subscriptions;
  const all = await subscriptions.listExpiringBefore('9999-12-31T00:00:00.000Z');
  const soon = new Date(Date.now() + 60_000).toISOString();
  const chosen = all.filter((_, i) => i % EXPIRING_SHARE === 0);
  await forEachBounded(chosen, 16, (s) => subscriptions.upsert({ ...s, expiresAt: soon }));
  return chosen.length;
}

export default scenario;
