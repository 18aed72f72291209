/**
 * Telemetry overhead (issue #14): the same jobs run with telemetry off and on, and the CPU this
 * process spends per job in each, with their ratio. "On" is the real OpenTelemetry SDK recording
 * every metric and span the product records, into in-memory exporters: Application Insights
 * differs only in the export, which runs on a timer off the job's path. Rounds alternate
 * off / on, so the drift of a shared machine falls on both; the median round of each is compared.
 * Each job is a scheduled full sync of a mailbox that has not changed: a provider read, CMG's
 * list of the user's activities, nothing to write.
 */
import { refreshRoster } from '../../shared/sync/roster/refresh-roster.js';
import { noTelemetry, type Telemetry } from '../../shared/observability/telemetry.js';
import { startInMemoryTelemetry } from '../../tools/local-env/in-memory-telemetry.js';
import type { BenchScenario } from '../run-bench.js';
import { startBenchEnvironment, type BenchEnvironment } from '../support/bench-environment.js';
import { machineLine, percentile } from '../support/measure.js';

const ROUNDS = 3;

const scenario: BenchScenario = {
  name: 'telemetry',
  description: `CPU per job with telemetry off and on (OpenTelemetry SDK, metrics and spans in memory), ${ROUNDS} alternating rounds; 300 mailboxes (--full 2,000)`,
  async run({ full }) {
    const mailboxes = full ? 2_000 : 300;
    const recorded = startInMemoryTelemetry();
    const switchable = switchableTelemetry();
    const bench = await startBenchEnvironment({ mailboxes, telemetry: switchable.telemetry });
    try {
      await refreshRoster(bench.env.deps, { full: true });
      await bench.env.queue.whenIdle({ horizonMs: 0 });
      const cpuPerJob = { off: [] as number[], on: [] as number[] };
      for (let round = 0; round < ROUNDS; round += 1) {
        for (const mode of ['off', 'on'] as const) {
          switchable.use(mode === 'on' ? recorded.telemetry : noTelemetry);
          const ms = await sweepCpuMs(bench, `${mode}-${round}`);
          cpuPerJob[mode].push(ms / mailboxes);
          console.log(`  round ${round + 1}, telemetry ${mode}: ${(ms / mailboxes).toFixed(2)} ms CPU per job (${bench.jobs.statusLine()})`);
        }
      }
      const off = percentile(cpuPerJob.off, 50);
      const on = percentile(cpuPerJob.on, 50);
      const spans = recorded.spans().length;
      console.log(
        `telemetry overhead: CPU per job ${off.toFixed(2)} ms off, ${on.toFixed(2)} ms on (median of ${ROUNDS} rounds of ${mailboxes} jobs) → ratio ${(on / off).toFixed(3)}, ` +
          `${(on - off).toFixed(2)} ms per job; ${(spans / (ROUNDS * mailboxes)).toFixed(1)} spans per job recorded`,
      );
      console.log(`  CPU is this process's: the product alone (Azurite and the emulators run in child processes); ${machineLine()}`);
    } finally {
      await bench.close();
      await recorded.shutdown();
    }
  },
};

/** One scheduled full-sync job per mailbox, run to idle; the CPU time this process spent, ms. */
async function sweepCpuMs(bench: BenchEnvironment, tag: string): Promise<number> {
  bench.jobs.reset();
  const now = new Date().toISOString();
  const before = process.cpuUsage();
  await bench.env.queue.sendMany(
    bench.org.people.map((p) => ({ job: { mailboxKey: p.key, reason: 'schedule' as const, full: true, enqueuedAt: now }, messageId: `bench-telemetry:${tag}:${p.key}` })),
  );
  await bench.env.queue.whenIdle({ horizonMs: 0 });
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/** The product's telemetry, switched between rounds without rebuilding it. */
function switchableTelemetry(): { telemetry: Telemetry; use(next: Telemetry): void } {
  let current: Telemetry = noTelemetry;
  const telemetry: Telemetry = {
    count: (metric, attributes, value) => current.count(metric, attributes, value),
    record: (metric, value, attributes) => current.record(metric, value, attributes),
    gauge: (metric, value, attributes) => current.gauge(metric, value, attributes),
    span: (name, work, options) => current.span(name, work, options),
    traceparent: () => current.traceparent(),
  };
  return { telemetry, use: (next) => void (current = next) };
}

export default scenario;
