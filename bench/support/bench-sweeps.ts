/**
 * The sweeps the end-to-end benchmarks share, on a bench environment (bench-environment.ts):
 * roster → full sync of everyone through the queue, and an incremental sweep (one scheduled job
 * per mailbox, no change). Each prints wall time, mailboxes per second, requests per mailbox next
 * to the protocol minimum, CMG operations next to the minimum, Table Storage requests, and
 * resources (bench-printers.ts).
 */
import { scheduleMessageId } from '../../shared/queue/message-id.js';
import { refreshRoster } from '../../shared/sync/roster/refresh-roster.js';
import { InFlightGauge } from './in-flight.js';
import { portOf } from './measure.js';
import { clearRecords, MAX_CONCURRENT_SESSIONS, startProcessesSampler, type BenchEnvironment } from './bench-environment.js';
import { printBaseline, printCmgBudget, printJobTimes, printProcesses, printRequests } from './bench-printers.js';

export interface SweepFigures {
  readonly seconds: number;
  readonly mailboxesPerSecond: number;
  readonly activitiesHeld: number;
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
