/** The lines the sweeps print: requests against the minimum, the CMG budget, job times, processes. */
import { bareClientBaseline, type BaselineFigures } from './bare-client-baseline.js';
import type { EmulatorCounts } from './emulator-protocol.js';
import type { InFlightReport } from './in-flight.js';
import { HISTOGRAM_PRECISION } from './latency-histogram.js';
import { machineLine, summary } from './measure.js';
import { CMG_LATENCY_MS, mailboxCount, type BenchEnvironment, type ProcessesReport } from './bench-environment.js';

/** What one instance may need for 10,000 mailboxes (issue #17). */
const PRODUCT_RSS_TARGET_MB = 512;

/** CPU per unit of work (job, mailbox), each process apart. */
export function cpuPerLine(report: ProcessesReport, units: number, unit: string): string {
  const per = (seconds: number | undefined): string => (seconds === undefined ? '-' : `${((seconds * 1000) / Math.max(1, units)).toFixed(1)} ms`);
  return `CPU per ${unit} (${units}): product ${per(report.product.cpuSeconds)}, emulators ${per(report.emulators?.cpuSeconds)}, Azurite ${per(report.azurite?.cpuSeconds)}`;
}

/** Job durations and where they went. */
export function printJobTimes(b: BenchEnvironment): void {
  console.log(`  jobs: duration ${summary(b.jobs.durations)}; dependency calls as the jobs saw them (concurrent, so sums overlap; ${HISTOGRAM_PRECISION}):`);
  for (const line of b.calls.lines()) console.log(`    ${line}`);
}

/** The processes' lines: the product's with its RSS target and the load average, then the children's, then CPU per mailbox. */
export function printProcesses(report: ProcessesReport, mailboxes: number): void {
  const rss = report.product.peakRssMb;
  console.log(`  ${report.lines[0]}; peak RSS target < ${PRODUCT_RSS_TARGET_MB} MB: ${rss < PRODUCT_RSS_TARGET_MB ? 'met' : 'missed'}; ${machineLine()}`);
  for (const line of report.lines.slice(1)) console.log(`  ${line}`);
  console.log(`  ${cpuPerLine(report, mailboxes, 'mailbox')}`);
}

/**
 * The sweep against what CMG allows: CMG_MAX_CONCURRENCY requests open at a time, each taking the
 * emulator's latency, is a ceiling of PUTs per second; the floor is the sweep's PUTs at that rate.
 * The sweep runs from the roster's enqueue to the last job (the roster refresh has its figures
 * above); the open-request gauge says whether the pool was kept full.
 */
export function printCmgBudget(b: BenchEnvironment, counts: EmulatorCounts, open: InFlightReport, baseline?: BaselineFigures): void {
  const pool = b.env.config.cmg.maxConcurrency;
  const ceiling = pool * (1000 / CMG_LATENCY_MS);
  const puts = counts.cmg.activityPuts;
  const rate = puts / open.seconds;
  const floor = puts / ceiling;
  const googleBoxes = mailboxCount(b.org, 'google');
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
export async function printBaseline(b: BenchEnvironment): Promise<BaselineFigures> {
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

/** Requests per mailbox against the minimum, from the emulators' records and the client-side counter. */
export function printRequests(b: BenchEnvironment, counts: EmulatorCounts, kind: 'full' | 'incremental'): void {
  const graphBoxes = mailboxCount(b.org, 'graph');
  const googleBoxes = mailboxCount(b.org, 'google');
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
