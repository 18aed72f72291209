/**
 * The local environment (tools/local-env) with a benchmark-sized organisation, a counting job
 * worker, and the sweeps the end-to-end benchmarks share: roster → full sync of everyone
 * through the queue, and an incremental sweep (one scheduled job per mailbox, no change).
 * Each sweep prints wall time, mailboxes per second, requests per mailbox next to the protocol
 * minimum, CMG operations next to the minimum, Table Storage requests, and resources.
 *
 * Azurite runs in a child process (`startAzurite({ isolated: true })`): in this process its
 * lokijs tables (a partition query scans every row of the table, which real Table Storage does
 * not do) took ~40% of the one core the product, the emulators and Azurite shared, so the
 * figures measured the emulator. Its CPU is printed on a line of its own. The Graph, Google and
 * CMG emulators stay in this process: the scenarios drive and read them synchronously
 * (`control`, `record`).
 */
import { readFileSync } from 'node:fs';
import type { JobDelivery } from '../../shared/queue/job-queue.js';
import type { MailboxJob } from '../../shared/queue/mailbox-job.js';
import { scheduleMessageId } from '../../shared/queue/message-id.js';
import { createLogger } from '../../shared/observability/logger.js';
import { refreshRoster } from '../../shared/sync/refresh-roster.js';
import { runMailboxJob, type JobResult } from '../../shared/sync/run-mailbox-job.js';
import { startAzurite, type AzuriteProcessUsage, type IsolatedAzurite } from '../../tools/azurite/start-azurite.js';
import type { RecordedRequest } from '../../tools/emulators/emulator-server.js';
import { startLocalEnvironment, type LocalEnvironment } from '../../tools/local-env/local-environment.js';
import { benchOrganisation, type BenchOrganisation } from './bench-organisation.js';
import { CallTimings, instrumentDeps } from './call-timings.js';
import { InFlightGauge, type InFlightReport } from './in-flight.js';
import { HttpRequestCounter, machineLine, portOf, resourceLine, startResourceSampler, summary, type ResourceReport } from './measure.js';

export const PROVIDER_LATENCY_MS = 20;
export const CMG_LATENCY_MS = 10;
/** As deployed: host.json `extensions.serviceBus.maxConcurrentSessions`, read from the file itself. */
export const MAX_CONCURRENT_SESSIONS: number = (
  JSON.parse(readFileSync(new URL('../../../host.json', import.meta.url), 'utf8')) as { extensions: { serviceBus: { maxConcurrentSessions: number } } }
).extensions.serviceBus.maxConcurrentSessions;

/** Runs one delivered job; returns the job's result when the handler knows it. */
export type BenchJobHandler = (env: LocalEnvironment, job: MailboxJob, delivery: JobDelivery) => Promise<JobResult | undefined>;

export class JobTally {
  readonly byReason = new Map<string, number>();
  readonly byStatus = new Map<string, number>();
  /** Handler wall time per job, ms. */
  readonly durations: number[] = [];
  /** From `enqueuedAt` to the start of the handler, ms (includes a notification's 1-second bucket). */
  readonly waits: number[] = [];
  failures = 0;

  reset(): void {
    this.byReason.clear();
    this.byStatus.clear();
    this.durations.length = 0;
    this.waits.length = 0;
    this.failures = 0;
  }

  count(reason: string): number {
    return this.byReason.get(reason) ?? 0;
  }

  statusLine(): string {
    if (this.byStatus.size === 0) return `${this.durations.length} run (the function trigger reports no result)`;
    return [...this.byStatus].map(([s, n]) => `${n} ${s}`).join(', ');
  }
}

export interface BenchEnvironment {
  readonly env: LocalEnvironment;
  /** Table Storage, in its own process. */
  readonly azurite: IsolatedAzurite;
  readonly org: BenchOrganisation;
  readonly http: HttpRequestCounter;
  readonly jobs: JobTally;
  /** Latency of each dependency call as the jobs saw it. */
  readonly calls: CallTimings;
  readonly mailboxes: number;
  close(): Promise<void>;
}

export async function startBenchEnvironment(options: {
  mailboxes: number;
  settings?: Record<string, string>;
  handler?: BenchJobHandler;
  /** Destination ports to name in the request counts, besides the environment's own. */
  extraPorts?: ReadonlyMap<string, string>;
}): Promise<BenchEnvironment> {
  const started = performance.now();
  const now = new Date();
  const org = benchOrganisation({ now, mailboxes: options.mailboxes, eventsPerPerson: 30 });
  const azurite = await startAzurite({ isolated: true });
  let env: LocalEnvironment;
  try {
    env = await startLocalEnvironment({
      org,
      now: () => new Date(),
      providerLatencyMs: PROVIDER_LATENCY_MS,
      cmgLatencyMs: CMG_LATENCY_MS,
      queue: { maxConcurrentSessions: MAX_CONCURRENT_SESSIONS },
      settings: { LOG_LEVEL: 'warn', ...options.settings },
      // The environment's default logger is silent at level info: every info line would still be
      // redacted and serialised, for nobody. Nothing is printed either way; this honours LOG_LEVEL.
      logger: createLogger({ level: 'warn', sink: () => undefined }),
      tablesConnectionString: azurite.connectionString,
    });
  } catch (error) {
    await azurite.close();
    throw error;
  }
  const names = new Map<string, string>([
    [portOf(azurite.tableEndpoint), 'tables'],
    [String(env.cmg.port), 'cmg'],
    [String(env.graph.port), 'graph'],
    [String(env.google.port), 'google'],
    ...(options.extraPorts ?? []),
  ]);
  const http = new HttpRequestCounter(names);
  const jobs = new JobTally();
  const calls = new CallTimings();
  instrumentDeps(env.deps, calls);
  const handler = options.handler ?? ((e, job, delivery) => runMailboxJob(e.deps, job, delivery));
  env.queue.start(async (job, delivery) => {
    const begin = performance.now();
    jobs.waits.push(Date.now() - Date.parse(job.enqueuedAt));
    jobs.byReason.set(job.reason, (jobs.byReason.get(job.reason) ?? 0) + 1);
    try {
      const result = await handler(env, job, delivery);
      if (result) jobs.byStatus.set(result.status, (jobs.byStatus.get(result.status) ?? 0) + 1);
    } catch (error) {
      jobs.failures += 1;
      throw error;
    } finally {
      jobs.durations.push(performance.now() - begin);
    }
  });
  const events = Object.values(org.events).reduce((n, list) => n + list.length, 0);
  console.log(
    `setup: ${options.mailboxes} mailboxes (${count(org, 'graph')} Graph, ${count(org, 'google')} Google), ${events} events seeded, environment up in ${((performance.now() - started) / 1000).toFixed(1)} s ` +
      `(Azurite in child process ${azurite.pid}); ${machineLine()}`,
  );
  return {
    env,
    azurite,
    org,
    http,
    jobs,
    calls,
    mailboxes: options.mailboxes,
    async close() {
      http.close();
      try {
        await env.close();
      } finally {
        await azurite.close();
      }
    },
  };
}

/**
 * This process's resources (sampled as `startResourceSampler` does) and the Azurite child's
 * CPU over the same span; `stop()` gives the report and a line for each.
 */
export async function startProcessesSampler(b: BenchEnvironment): Promise<{ stop(): Promise<{ resources: ResourceReport; lines: string[] }> }> {
  const azuriteBefore = await b.azurite.usage();
  const sampler = startResourceSampler();
  return {
    async stop() {
      const resources = sampler.stop();
      const azuriteAfter = await b.azurite.usage().catch(() => undefined);
      return { resources, lines: [resourceLine(resources), azuriteLine(azuriteBefore, azuriteAfter, resources.seconds)] };
    },
  };
}

function azuriteLine(before: AzuriteProcessUsage, after: AzuriteProcessUsage | undefined, seconds: number): string {
  if (!after) return 'Azurite child process: gone before the end of the span';
  const cpu = after.cpuSeconds - before.cpuSeconds;
  return `Azurite child process: CPU ${(cpu / seconds).toFixed(2)} cores (${cpu.toFixed(1)} s), RSS ${after.rssMb.toFixed(0)} MB`;
}

const count = (org: BenchOrganisation, provider: 'graph' | 'google'): number => org.people.filter((p) => p.provider === provider).length;

export interface SweepFigures {
  readonly seconds: number;
  readonly mailboxesPerSecond: number;
  readonly activitiesHeld: number;
}

function clearRecords(b: BenchEnvironment): void {
  b.env.cmg.clearRecord();
  b.env.graph.clearRecord();
  b.env.google.clearRecord();
  b.http.reset();
  b.jobs.reset();
  b.calls.reset();
}

/** Job durations and where they went. */
export function printJobTimes(b: BenchEnvironment): void {
  console.log(`  jobs: duration ${summary(b.jobs.durations)}; dependency calls as the jobs saw them (concurrent, so sums overlap):`);
  for (const line of b.calls.lines()) console.log(`    ${line}`);
}

const isGraphApi = (r: RecordedRequest): boolean => r.path.startsWith('/v1.0/');
const isGoogleApi = (r: RecordedRequest): boolean => r.path.startsWith('/calendar/v3/');
const isActivity = (r: RecordedRequest): boolean => /\/users\/.+\/activities\/.+$/.test(r.path);

/** Roster refresh, then every new mailbox's first (full) sync through the queue until it is idle. */
export async function rosterAndFullSweep(b: BenchEnvironment, options: { quiet?: boolean } = {}): Promise<SweepFigures> {
  clearRecords(b);
  const sampler = await startProcessesSampler(b);
  const started = performance.now();
  const roster = await refreshRoster(b.env.deps, { full: true });
  const rosterSeconds = (performance.now() - started) / 1000;
  const cmgOpen = new InFlightGauge(String(b.env.cmg.port));
  await b.env.queue.whenIdle({ horizonMs: 0 });
  const open = cmgOpen.report(b.env.config.cmg.maxConcurrency);
  cmgOpen.close();
  const { resources, lines } = await sampler.stop();
  const seconds = resources.seconds;
  const activitiesHeld = Object.values(b.env.cmg.control.allActivities()).reduce((n, list) => n + list.length, 0);
  const figures = { seconds, mailboxesPerSecond: b.mailboxes / seconds, activitiesHeld };
  console.log(
    `full sweep: ${b.mailboxes} mailboxes in ${seconds.toFixed(1)} s = ${figures.mailboxesPerSecond.toFixed(1)} mailboxes/s ` +
      `(roster ${rosterSeconds.toFixed(1)} s: ${roster.written} written, ${roster.enqueued} enqueued; ${MAX_CONCURRENT_SESSIONS} sessions at once); jobs: ${b.jobs.statusLine()}`,
  );
  if (!options.quiet) printRequests(b, 'full', activitiesHeld);
  printCmgBudget(b, b.env.cmg.record.filter((r) => r.method === 'PUT').length, open);
  printJobTimes(b);
  console.log(`  ${lines[0]}; CPU ${((resources.cpuSeconds * 1000) / b.mailboxes).toFixed(1)} ms per mailbox; ${machineLine()}`);
  console.log(`  ${lines[1]}`);
  return figures;
}

/**
 * The sweep against what CMG allows: CMG_MAX_CONCURRENCY requests open at a time, each taking the
 * emulator's latency, is a ceiling of PUTs per second; the floor is the sweep's PUTs at that rate.
 * The sweep runs from the roster's enqueue to the last job (the roster refresh has its figures
 * above); the open-request gauge says whether the pool was kept full.
 */
function printCmgBudget(b: BenchEnvironment, puts: number, open: InFlightReport): void {
  const pool = b.env.config.cmg.maxConcurrency;
  const ceiling = pool * (1000 / CMG_LATENCY_MS);
  const rate = puts / open.seconds;
  const floor = puts / ceiling;
  const googleBoxes = count(b.org, 'google');
  const tokens = b.env.google.record.filter((r) => !isGoogleApi(r)).length;
  const againstFloor = puts === 0 ? 'no PUTs, so no floor' : `floor ${floor.toFixed(1)} s (${puts} PUTs at the ceiling), wall time ${(open.seconds / floor).toFixed(2)} × the floor`;
  console.log(
    `  CMG budget: ceiling ${ceiling} PUT/s (CMG_MAX_CONCURRENCY ${pool} × 1000 / ${CMG_LATENCY_MS} ms); PUT rate ${rate.toFixed(0)}/s over the sweep's ${open.seconds.toFixed(1)} s ` +
      `= ${((100 * rate) / ceiling).toFixed(0)} % of the ceiling; ${againstFloor}; Google token requests ${googleBoxes === 0 ? '-' : (tokens / googleBoxes).toFixed(2)}/mailbox; ${machineLine()}`,
  );
  console.log(
    `  CMG requests open: mean ${open.mean.toFixed(1)} of ${pool}; all ${pool} for ${(100 * open.shareAtLeast).toFixed(0)} % of the sweep, none for ${(100 * open.shareIdle).toFixed(0)} %`,
  );
}

/** One scheduled (delta) job per mailbox at once — dispatch's messages without the calendar spread. */
export async function incrementalSweep(b: BenchEnvironment): Promise<SweepFigures> {
  clearRecords(b);
  const sampler = await startProcessesSampler(b);
  const now = new Date();
  const cmgOpen = new InFlightGauge(String(b.env.cmg.port));
  await b.env.queue.sendMany(
    b.org.people.map((p) => ({
      job: { mailboxKey: p.key, reason: 'schedule' as const, full: false, enqueuedAt: now.toISOString() },
      messageId: scheduleMessageId(p.key, new Date(now.getTime() + 1)),
    })),
  );
  await b.env.queue.whenIdle({ horizonMs: 0 });
  const open = cmgOpen.report(b.env.config.cmg.maxConcurrency);
  cmgOpen.close();
  const { resources, lines } = await sampler.stop();
  const activitiesHeld = Object.values(b.env.cmg.control.allActivities()).reduce((n, list) => n + list.length, 0);
  const seconds = resources.seconds;
  console.log(`incremental sweep, no change: ${b.mailboxes} mailboxes in ${seconds.toFixed(1)} s = ${(b.mailboxes / seconds).toFixed(1)} mailboxes/s; jobs: ${b.jobs.statusLine()}`);
  printRequests(b, 'incremental', 0);
  printCmgBudget(b, b.env.cmg.record.filter((r) => r.method === 'PUT').length, open);
  printJobTimes(b);
  console.log(`  ${lines[0]}; CPU ${((resources.cpuSeconds * 1000) / b.mailboxes).toFixed(1)} ms per mailbox; ${machineLine()}`);
  console.log(`  ${lines[1]}`);
  return { seconds, mailboxesPerSecond: b.mailboxes / seconds, activitiesHeld };
}

/** Requests per mailbox against the minimum, from the emulators' records and the client-side counter. */
function printRequests(b: BenchEnvironment, kind: 'full' | 'incremental', activitiesHeld: number): void {
  const graphBoxes = count(b.org, 'graph');
  const googleBoxes = count(b.org, 'google');
  const per = (n: number, boxes: number): string => (boxes === 0 ? '-' : (n / boxes).toFixed(2));
  const graph = b.env.graph.record;
  const graphApi = graph.filter(isGraphApi);
  const graphSub = b.env.graph.control.apiRequests().length;
  const graphAuth = graph.length - graphApi.length;
  const google = b.env.google.record;
  const googleApi = google.filter(isGoogleApi);
  const googleToken = google.length - googleApi.length;
  const googleRetries = googleApi.filter((r) => r.status >= 400).length + graphApi.filter((r) => r.status >= 400).length;
  console.log(
    `  Graph:  ${per(graphApi.length, graphBoxes)} HTTP requests/mailbox (minimum 1.00: first delta page + mailboxSettings in one $batch; ${graphSub} API calls inside), ` +
      `${graphAuth} token/discovery requests for all ${graphBoxes} mailboxes (amortised)`,
  );
  console.log(
    `  Google: ${per(googleApi.length, googleBoxes)} events.list requests/mailbox (minimum 1.00: one page of 2,500), ` +
      `${per(googleToken, googleBoxes)} token requests/mailbox (domain-wide delegation: one token per user and hour)` +
      (googleRetries > 0 ? `; ${googleRetries} provider answers >= 400` : ''),
  );
  const cmg = b.env.cmg.record;
  const puts = cmg.filter((r) => r.method === 'PUT' && isActivity(r));
  const deletes = cmg.filter((r) => r.method === 'DELETE' && isActivity(r));
  // A full sync reads what CMG holds for the user (our sign): one list per mailbox, no more.
  const lists = cmg.filter((r) => r.method === 'GET' && /\/users\/.+\/activities$/.test(r.path));
  const other = cmg.length - puts.length - deletes.length - lists.length;
  const failed = cmg.filter((r) => r.status >= 400).length;
  const cmgMinimum = kind === 'full' ? `minimum ${per(activitiesHeld, b.mailboxes)}: one PUT per activity CMG holds (${activitiesHeld})` : 'minimum 0.00: nothing changed';
  console.log(
    `  CMG:    ${per(puts.length + deletes.length, b.mailboxes)} operations/mailbox (${puts.length} PUT, ${deletes.length} DELETE; ${cmgMinimum}); ` +
      `${per(lists.length, b.mailboxes)} list requests/mailbox (${kind === 'full' ? 'minimum 1.00: a full sync reads CMG once per user' : 'minimum 0.00: deltas trust our record'}); ` +
      `${other} other requests (roster, codes, check); ${failed} answers >= 400`,
  );
  console.log(
    `  Table Storage: ${per(b.http.get('tables'), b.mailboxes)} requests/mailbox (${b.http.get('tables')}); ` +
      `client-side totals: CMG ${b.http.get('cmg')}, Graph ${b.http.get('graph')}, Google ${b.http.get('google')}`,
  );
}
