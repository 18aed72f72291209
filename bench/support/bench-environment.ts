/**
 * The product's local composition (tools/local-env) with a benchmark-sized organisation, a
 * counting job worker, and the sweeps the end-to-end benchmarks share: roster → full sync of
 * everyone through the queue, and an incremental sweep (one scheduled job per mailbox, no
 * change). Each sweep prints wall time, mailboxes per second, requests per mailbox next to the
 * protocol minimum, CMG operations next to the minimum, Table Storage requests, and resources.
 *
 * This process holds the product alone. Azurite runs in a child process
 * (`startAzurite({ isolated: true })`): in this process its lokijs tables (a partition query
 * scans every row of the table, which real Table Storage does not) took ~40% of the one core
 * the product, the emulators and Azurite shared, so the figures measured the emulator. The
 * Graph, Google and CMG emulators run in another child (emulator-child.ts), driven and read
 * through a small typed control channel. The product's peak RSS and CPU are printed apart from
 * the emulators' and Azurite's, each on a line of its own. The bench's own bookkeeping here is
 * kept small: the roster without its events (bench-organisation.ts), timings as histograms
 * (latency-histogram.ts). Next to the peak RSS, the V8 heap: the most in use, and the most a full
 * collection left live; the difference is garbage between collections.
 */
import { readFileSync } from 'node:fs';
import type { JobDelivery } from '../../shared/queue/job-queue.js';
import type { MailboxJob } from '../../shared/queue/mailbox-job.js';
import { scheduleMessageId } from '../../shared/queue/message-id.js';
import { createLogger } from '../../shared/observability/logger.js';
import type { Telemetry } from '../../shared/observability/telemetry.js';
import { refreshRoster } from '../../shared/sync/roster/refresh-roster.js';
import { runMailboxJob, type JobResult } from '../../shared/sync/job/run-mailbox-job.js';
import { startAzurite, type IsolatedAzurite } from '../../tools/azurite/start-azurite.js';
import { composeLocalProduct, localCredentials, type LocalProduct } from '../../tools/local-env/local-environment.js';
import { bareClientBaseline, type BaselineFigures } from './bare-client-baseline.js';
import { benchRoster, type BenchRoster } from './bench-organisation.js';
import { CallTimings, instrumentDeps } from './call-timings.js';
import { startEmulatorProcess, type EmulatorProcess } from './emulator-child.js';
import type { EmulatorCounts } from './emulator-protocol.js';
import { InFlightGauge, type InFlightReport } from './in-flight.js';
import { HISTOGRAM_PRECISION, LatencyHistogram } from './latency-histogram.js';
import { HttpRequestCounter, machineLine, MB, portOf, resourceLine, startResourceSampler, summary, type ResourceReport } from './measure.js';

export const PROVIDER_LATENCY_MS = 20;
export const CMG_LATENCY_MS = 10;
export const EVENTS_PER_PERSON = 30;
/** What one instance may need for 10,000 mailboxes (issue #17). */
const PRODUCT_RSS_TARGET_MB = 512;
/** As deployed: host.json `extensions.serviceBus.maxConcurrentSessions`, read from the file itself. */
export const MAX_CONCURRENT_SESSIONS: number = (
  JSON.parse(readFileSync(new URL('../../../host.json', import.meta.url), 'utf8')) as { extensions: { serviceBus: { maxConcurrentSessions: number } } }
).extensions.serviceBus.maxConcurrentSessions;

/** Runs one delivered job; returns the job's result when the handler knows it. */
export type BenchJobHandler = (env: LocalProduct, job: MailboxJob, delivery: JobDelivery) => Promise<JobResult | undefined>;

export class JobTally {
  readonly byReason = new Map<string, number>();
  readonly byStatus = new Map<string, number>();
  /** Handler wall time per job, ms. */
  readonly durations = new LatencyHistogram();
  /** From `enqueuedAt` to the start of the handler, ms (includes a notification's coalescing window). */
  readonly waits = new LatencyHistogram();
  failures = 0;

  reset(): void {
    this.byReason.clear();
    this.byStatus.clear();
    this.durations.reset();
    this.waits.reset();
    this.failures = 0;
  }

  count(reason: string): number {
    return this.byReason.get(reason) ?? 0;
  }

  statusLine(): string {
    if (this.byStatus.size === 0) return `${this.durations.count} run (the function trigger reports no result)`;
    return [...this.byStatus].map(([s, n]) => `${n} ${s}`).join(', ');
  }
}

export interface BenchEnvironment {
  /** The product, in this process. */
  readonly env: LocalProduct;
  /** The Graph, Google and CMG emulators, in their own process. */
  readonly emulators: EmulatorProcess;
  /** Table Storage, in its own process. */
  readonly azurite: IsolatedAzurite;
  /** The people and settings of the organisation; its events live in the emulators' process alone. */
  readonly org: BenchRoster;
  readonly http: HttpRequestCounter;
  readonly jobs: JobTally;
  /** Latency of each dependency call as the jobs saw it. */
  readonly calls: CallTimings;
  readonly mailboxes: number;
  close(): Promise<void>;
}

export async function startBenchEnvironment(options: {
  mailboxes: number;
  /** Events seeded per person (default 30). */
  eventsPerPerson?: number;
  settings?: Record<string, string>;
  handler?: BenchJobHandler;
  /** Destination ports to name in the request counts, besides the environment's own. */
  extraPorts?: ReadonlyMap<string, string>;
  /** Where the product records metrics and spans; nowhere by default. */
  telemetry?: Telemetry;
}): Promise<BenchEnvironment> {
  const started = performance.now();
  const now = new Date();
  const org = benchRoster({ mailboxes: options.mailboxes, eventsPerPerson: options.eventsPerPerson ?? EVENTS_PER_PERSON });
  const credentials = localCredentials();
  const opened: Array<{ close(): Promise<void> }> = [];
  let azurite: IsolatedAzurite;
  let emulators: EmulatorProcess;
  let env: LocalProduct;
  try {
    azurite = await startAzurite({ isolated: true });
    opened.push(azurite);
    emulators = await startEmulatorProcess({
      nowMs: now.getTime(),
      mailboxes: options.mailboxes,
      eventsPerPerson: options.eventsPerPerson ?? EVENTS_PER_PERSON,
      providerLatencyMs: PROVIDER_LATENCY_MS,
      cmgLatencyMs: CMG_LATENCY_MS,
      app: credentials.app,
      serviceAccount: { clientEmail: credentials.serviceAccount.clientEmail, publicKeyPem: credentials.serviceAccount.publicKeyPem },
    });
    opened.push(emulators);
    env = composeLocalProduct({
      org,
      endpoints: emulators.endpoints,
      credentials,
      tablesConnectionString: azurite.connectionString,
      now: () => new Date(),
      queue: { maxConcurrentSessions: MAX_CONCURRENT_SESSIONS },
      settings: { LOG_LEVEL: 'warn', ...options.settings },
      // The default logger is silent at level info: every info line would still be redacted and
      // serialised, for nobody. Nothing is printed either way; this honours LOG_LEVEL.
      logger: createLogger({ level: 'warn', sink: () => undefined }),
      telemetry: options.telemetry,
    });
  } catch (error) {
    for (const o of opened.reverse()) await o.close().catch(() => undefined);
    throw error;
  }
  const names = new Map<string, string>([
    [portOf(azurite.tableEndpoint), 'tables'],
    [portOf(emulators.endpoints.cmgBaseUrl), 'cmg'],
    [portOf(emulators.endpoints.graphUrl), 'graph'],
    [portOf(emulators.endpoints.googleApiRoot), 'google'],
    ...(options.extraPorts ?? []),
  ]);
  const http = new HttpRequestCounter(names);
  const jobs = new JobTally();
  const calls = new CallTimings();
  instrumentDeps(env.deps, calls);
  const handler = options.handler ?? ((e, job, delivery) => runMailboxJob(e.deps, job, delivery));
  env.queue.start(async (job, delivery) => {
    const begin = performance.now();
    jobs.waits.record(Date.now() - Date.parse(job.enqueuedAt));
    jobs.byReason.set(job.reason, (jobs.byReason.get(job.reason) ?? 0) + 1);
    try {
      const result = await handler(env, job, delivery);
      if (result) jobs.byStatus.set(result.status, (jobs.byStatus.get(result.status) ?? 0) + 1);
    } catch (error) {
      jobs.failures += 1;
      throw error;
    } finally {
      jobs.durations.record(performance.now() - begin);
    }
  });
  console.log(
    `setup: ${options.mailboxes} mailboxes (${count(org, 'graph')} Graph, ${count(org, 'google')} Google), ${org.eventCount} events seeded, environment up in ${((performance.now() - started) / 1000).toFixed(1)} s ` +
      `(Azurite in child process ${azurite.pid}, the emulators in child process ${emulators.pid}); ${machineLine()}`,
  );
  const atSetup = process.memoryUsage();
  console.log(
    `product process at setup: RSS ${(atSetup.rss / MB).toFixed(0)} MB, V8 heap in use ${(atSetup.heapUsed / MB).toFixed(0)} MB, before this environment's first job. ` +
      `Besides the product it holds the bench's own: the roster (people and settings; the events live in the emulators' child), the in-process queue standing in for Service Bus ` +
      `(queued messages, 10 minutes of message ids), request counters and histograms of call times (kilobytes whatever the roster)`,
  );
  return {
    env,
    emulators,
    azurite,
    org,
    http,
    jobs,
    calls,
    mailboxes: options.mailboxes,
    async close() {
      http.close();
      try {
        await env.queue.stop();
      } finally {
        for (const o of opened.reverse()) await o.close();
      }
    },
  };
}

export interface ProcessesReport {
  /** This process: the product (and the bench's own bookkeeping). */
  readonly product: ResourceReport;
  /** The emulators' child over the same span; undefined if it was gone before the end. */
  readonly emulators: { readonly cpuSeconds: number; readonly peakRssMb: number } | undefined;
  readonly azurite: { readonly cpuSeconds: number; readonly rssMb: number } | undefined;
  /** One line per process. */
  readonly lines: readonly string[];
}

/**
 * This process's resources (sampled as `startResourceSampler` does), and the emulators' and
 * Azurite's children's over the same span.
 */
export async function startProcessesSampler(b: BenchEnvironment): Promise<{ stop(): Promise<ProcessesReport> }> {
  const [emulatorsBefore, azuriteBefore] = await Promise.all([b.emulators.usage(), b.azurite.usage()]);
  const sampler = startResourceSampler();
  return {
    async stop() {
      const product = sampler.stop();
      const [emulatorsAfter, azuriteAfter] = await Promise.all([b.emulators.usage().catch(() => undefined), b.azurite.usage().catch(() => undefined)]);
      const emulators = emulatorsAfter && { cpuSeconds: (emulatorsAfter.cpuMicros - emulatorsBefore.cpuMicros) / 1e6, peakRssMb: emulatorsAfter.peakRssBytes / MB };
      const azurite = azuriteAfter && { cpuSeconds: azuriteAfter.cpuSeconds - azuriteBefore.cpuSeconds, rssMb: azuriteAfter.rssMb };
      return {
        product,
        emulators,
        azurite,
        lines: [
          `product process: ${resourceLine(product)}`,
          emulators
            ? `emulators child process: CPU ${(emulators.cpuSeconds / product.seconds).toFixed(2)} cores (${emulators.cpuSeconds.toFixed(1)} s), peak RSS ${emulators.peakRssMb.toFixed(0)} MB`
            : 'emulators child process: gone before the end of the span',
          azurite
            ? `Azurite child process: CPU ${(azurite.cpuSeconds / product.seconds).toFixed(2)} cores (${azurite.cpuSeconds.toFixed(1)} s), RSS ${azurite.rssMb.toFixed(0)} MB`
            : 'Azurite child process: gone before the end of the span',
        ],
      };
    },
  };
}

/** CPU per unit of work (job, mailbox), each process apart. */
export function cpuPerLine(report: ProcessesReport, units: number, unit: string): string {
  const per = (seconds: number | undefined): string => (seconds === undefined ? '-' : `${((seconds * 1000) / Math.max(1, units)).toFixed(1)} ms`);
  return `CPU per ${unit} (${units}): product ${per(report.product.cpuSeconds)}, emulators ${per(report.emulators?.cpuSeconds)}, Azurite ${per(report.azurite?.cpuSeconds)}`;
}

const count = (org: BenchRoster, provider: 'graph' | 'google'): number => org.people.filter((p) => p.provider === provider).length;

export interface SweepFigures {
  readonly seconds: number;
  readonly mailboxesPerSecond: number;
  readonly activitiesHeld: number;
}

/** Forgets what the emulators, the request counter, the job tally and the call timings saw so far. */
export async function clearRecords(b: BenchEnvironment): Promise<void> {
  await b.emulators.clearRecords();
  b.http.reset();
  b.jobs.reset();
  b.calls.reset();
}

/** Job durations and where they went. */
export function printJobTimes(b: BenchEnvironment): void {
  console.log(`  jobs: duration ${summary(b.jobs.durations)}; dependency calls as the jobs saw them (concurrent, so sums overlap; ${HISTOGRAM_PRECISION}):`);
  for (const line of b.calls.lines()) console.log(`    ${line}`);
}

/** The processes' lines: the product's with its RSS target and the load average, then the children's, then CPU per mailbox. */
function printProcesses(report: ProcessesReport, mailboxes: number): void {
  const rss = report.product.peakRssMb;
  console.log(`  ${report.lines[0]}; peak RSS target < ${PRODUCT_RSS_TARGET_MB} MB: ${rss < PRODUCT_RSS_TARGET_MB ? 'met' : 'missed'}; ${machineLine()}`);
  for (const line of report.lines.slice(1)) console.log(`  ${line}`);
  console.log(`  ${cpuPerLine(report, mailboxes, 'mailbox')}`);
}

/** Roster refresh, then every new mailbox's first (full) sync through the queue until it is idle. */
export async function rosterAndFullSweep(b: BenchEnvironment, options: { quiet?: boolean } = {}): Promise<SweepFigures> {
  // Where the sweep is only set-up (quiet), nobody reads its budget against the bare client.
  const baseline = options.quiet ? undefined : await printBaseline(b);
  await clearRecords(b);
  const sampler = await startProcessesSampler(b);
  const started = performance.now();
  const roster = await refreshRoster(b.env.deps, { full: true });
  const rosterSeconds = (performance.now() - started) / 1000;
  const cmgOpen = new InFlightGauge(portOf(b.emulators.endpoints.cmgBaseUrl));
  await b.env.queue.whenIdle({ horizonMs: 0 });
  const open = cmgOpen.report(b.env.config.cmg.maxConcurrency);
  cmgOpen.close();
  const report = await sampler.stop();
  const seconds = report.product.seconds;
  const counts = await b.emulators.counts();
  const figures = { seconds, mailboxesPerSecond: b.mailboxes / seconds, activitiesHeld: counts.activitiesHeld };
  console.log(
    `full sweep: ${b.mailboxes} mailboxes in ${seconds.toFixed(1)} s = ${figures.mailboxesPerSecond.toFixed(1)} mailboxes/s ` +
      `(roster ${rosterSeconds.toFixed(1)} s: ${roster.written} written, ${roster.enqueued} enqueued; ${MAX_CONCURRENT_SESSIONS} sessions at once); jobs: ${b.jobs.statusLine()}`,
  );
  if (!options.quiet) printRequests(b, counts, 'full');
  printCmgBudget(b, counts, open, baseline);
  printJobTimes(b);
  printProcesses(report, b.mailboxes);
  return figures;
}

/**
 * The sweep against what CMG allows: CMG_MAX_CONCURRENCY requests open at a time, each taking the
 * emulator's latency, is a ceiling of PUTs per second; the floor is the sweep's PUTs at that rate.
 * The sweep runs from the roster's enqueue to the last job (the roster refresh has its figures
 * above); the open-request gauge says whether the pool was kept full.
 */
function printCmgBudget(b: BenchEnvironment, counts: EmulatorCounts, open: InFlightReport, baseline?: BaselineFigures): void {
  const pool = b.env.config.cmg.maxConcurrency;
  const ceiling = pool * (1000 / CMG_LATENCY_MS);
  const puts = counts.cmg.activityPuts;
  const rate = puts / open.seconds;
  const floor = puts / ceiling;
  const googleBoxes = count(b.org, 'google');
  const tokens = counts.google.tokenRequests;
  const againstFloor = puts === 0 ? 'no PUTs, so no floor' : `floor ${floor.toFixed(1)} s (${puts} PUTs at the ceiling), wall time ${(open.seconds / floor).toFixed(2)} × the floor`;
  console.log(
    `  CMG budget: ceiling ${ceiling} PUT/s (CMG_MAX_CONCURRENCY ${pool} × 1000 / ${CMG_LATENCY_MS} ms); PUT rate ${rate.toFixed(0)}/s over the sweep's ${open.seconds.toFixed(1)} s ` +
      `= ${((100 * rate) / ceiling).toFixed(0)} % of the ceiling; ${againstFloor}; Google token requests ${googleBoxes === 0 ? '-' : (tokens / googleBoxes).toFixed(2)}/mailbox; ${machineLine()}`,
  );
  console.log(
    `  CMG requests open: mean ${open.mean.toFixed(1)} of ${pool}; all ${pool} for ${(100 * open.shareAtLeast).toFixed(0)} % of the sweep, none for ${(100 * open.shareIdle).toFixed(0)} %; ` +
      `each open ${open.meanRequestMs.toFixed(1)} ms on average (the emulator holds it ${CMG_LATENCY_MS} ms)`,
  );
  if (baseline && puts > 0) {
    console.log(
      `  against the bare client on this machine (${baseline.perSecond.toFixed(0)}/s, each open ${baseline.meanMs.toFixed(1)} ms): the sweep's PUT rate is ${((100 * rate) / baseline.perSecond).toFixed(0)} % of it`,
    );
  }
}

/**
 * A bare client's rate against the same emulator at the same concurrency, before the sweep: the
 * part of the printed ceiling this machine allows at all. Its requests one at a time first: what
 * one answer costs here beyond the emulator's latency with nothing else under way.
 */
async function printBaseline(b: BenchEnvironment): Promise<BaselineFigures> {
  const { application, password, maxConcurrency } = b.env.config.cmg;
  const target = {
    cmgBaseUrl: b.emulators.endpoints.cmgBaseUrl,
    authorization: `Basic ${Buffer.from(`${application}:${password}`, 'utf8').toString('base64')}`,
  };
  const alone = await bareClientBaseline({ ...target, concurrency: 1, requests: 200 });
  const baseline = await bareClientBaseline({ ...target, concurrency: maxConcurrency });
  const ceiling = maxConcurrency * (1000 / CMG_LATENCY_MS);
  console.log(
    `bare client: node:http alone, ${maxConcurrency} PUTs open at a time against the CMG emulator, reaches ${baseline.perSecond.toFixed(0)}/s = ${((100 * baseline.perSecond) / ceiling).toFixed(0)} % of the ceiling ${ceiling}/s ` +
      `(each open ${baseline.meanMs.toFixed(1)} ms against the emulator's ${CMG_LATENCY_MS} ms); ` +
      `one PUT at a time, each takes ${alone.meanMs.toFixed(1)} ms; ${machineLine()}`,
  );
  return baseline;
}

/** One scheduled (delta) job per mailbox at once — dispatch's messages without the calendar spread. */
export async function incrementalSweep(b: BenchEnvironment): Promise<SweepFigures> {
  await clearRecords(b);
  const sampler = await startProcessesSampler(b);
  const now = new Date();
  const cmgOpen = new InFlightGauge(portOf(b.emulators.endpoints.cmgBaseUrl));
  await b.env.queue.sendMany(
    b.org.people.map((p) => ({
      job: { mailboxKey: p.key, reason: 'schedule' as const, full: false, enqueuedAt: now.toISOString() },
      messageId: scheduleMessageId(p.key, new Date(now.getTime() + 1)),
    })),
  );
  await b.env.queue.whenIdle({ horizonMs: 0 });
  const open = cmgOpen.report(b.env.config.cmg.maxConcurrency);
  cmgOpen.close();
  const report = await sampler.stop();
  const counts = await b.emulators.counts();
  const seconds = report.product.seconds;
  console.log(`incremental sweep, no change: ${b.mailboxes} mailboxes in ${seconds.toFixed(1)} s = ${(b.mailboxes / seconds).toFixed(1)} mailboxes/s; jobs: ${b.jobs.statusLine()}`);
  printRequests(b, counts, 'incremental');
  printCmgBudget(b, counts, open);
  printJobTimes(b);
  printProcesses(report, b.mailboxes);
  return { seconds, mailboxesPerSecond: b.mailboxes / seconds, activitiesHeld: counts.activitiesHeld };
}

/** Requests per mailbox against the minimum, from the emulators' records and the client-side counter. */
function printRequests(b: BenchEnvironment, counts: EmulatorCounts, kind: 'full' | 'incremental'): void {
  const graphBoxes = count(b.org, 'graph');
  const googleBoxes = count(b.org, 'google');
  const per = (n: number, boxes: number): string => (boxes === 0 ? '-' : (n / boxes).toFixed(2));
  const { graph, google, cmg, activitiesHeld } = counts;
  const providerFailures = graph.failed + google.failed;
  console.log(
    `  Graph:  ${per(graph.httpRequests, graphBoxes)} HTTP requests/mailbox (minimum 1.00: first delta page + mailboxSettings in one $batch; ${graph.apiCalls} API calls inside), ` +
      `${graph.authRequests} token/discovery requests for all ${graphBoxes} mailboxes (amortised)`,
  );
  console.log(
    `  Google: ${per(google.apiRequests, googleBoxes)} events.list requests/mailbox (minimum 1.00: one page of 2,500), ` +
      `${per(google.tokenRequests, googleBoxes)} token requests/mailbox (domain-wide delegation: one token per user and hour)` +
      (providerFailures > 0 ? `; ${providerFailures} provider answers >= 400` : ''),
  );
  const cmgMinimum = kind === 'full' ? `minimum ${per(activitiesHeld, b.mailboxes)}: one PUT per activity CMG holds (${activitiesHeld})` : 'minimum 0.00: nothing changed';
  console.log(
    `  CMG:    ${per(cmg.activityPuts + cmg.activityDeletes, b.mailboxes)} operations/mailbox (${cmg.activityPuts} PUT, ${cmg.activityDeletes} DELETE; ${cmgMinimum}); ` +
      // A full sync reads what CMG holds for the user (our sign): one list per mailbox, no more.
      `${per(cmg.activityLists, b.mailboxes)} list requests/mailbox (${kind === 'full' ? 'minimum 1.00: a full sync reads CMG once per user' : 'minimum 0.00: deltas trust our record'}); ` +
      `${cmg.other} other requests (roster, codes, check); ${cmg.failed} answers >= 400`,
  );
  console.log(
    `  Table Storage: ${per(b.http.get('tables'), b.mailboxes)} requests/mailbox (${b.http.get('tables')}); ` +
      `client-side totals: CMG ${b.http.get('cmg')}, Graph ${b.http.get('graph')}, Google ${b.http.get('google')}`,
  );
}
