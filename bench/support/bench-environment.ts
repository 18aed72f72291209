/**
 * The product's local composition (tools/local-env) with a benchmark-sized organisation, a
 * counting job worker, and the samplers the sweeps read (bench-sweeps.ts runs them,
 * bench-printers.ts prints their figures).
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
import { createLogger } from '../../shared/observability/logger.js';
import type { Telemetry } from '../../shared/observability/telemetry.js';
import { runMailboxJob, type JobResult } from '../../shared/sync/job/run-mailbox-job.js';
import { startAzurite, type IsolatedAzurite } from '../../tools/azurite/start-azurite.js';
import { composeLocalProduct, localCredentials, type LocalProduct } from '../../tools/local-env/local-environment.js';
import { benchRoster, type BenchRoster } from './bench-organisation.js';
import { CallTimings, instrumentDeps } from './call-timings.js';
import { startEmulatorProcess, type EmulatorProcess } from './emulator-child.js';
import { LatencyHistogram } from './latency-histogram.js';
import { HttpRequestCounter, machineLine, MB, portOf, resourceLine, startResourceSampler, type ResourceReport } from './measure.js';

export const PROVIDER_LATENCY_MS = 20;
export const CMG_LATENCY_MS = 10;
export const EVENTS_PER_PERSON = 30;
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
    env = await composeLocalProduct({
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
    `setup: ${options.mailboxes} mailboxes (${mailboxCount(org, 'graph')} Graph, ${mailboxCount(org, 'google')} Google), ${org.eventCount} events seeded, environment up in ${((performance.now() - started) / 1000).toFixed(1)} s ` +
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

/** How many of the roster's mailboxes one provider serves. */
export const mailboxCount = (org: BenchRoster, provider: 'graph' | 'google'): number => org.people.filter((p) => p.provider === provider).length;

/** Forgets what the emulators, the request counter, the job tally and the call timings saw so far. */
export async function clearRecords(b: BenchEnvironment): Promise<void> {
  await b.emulators.clearRecords();
  b.http.reset();
  b.jobs.reset();
  b.calls.reset();
}
