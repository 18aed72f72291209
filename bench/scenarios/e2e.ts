/**
 * End to end (issue #6): the production composition on Azurite (in a child process) and the
 * three emulators, a big organisation (1,000 mailboxes, --full 10,000; half Microsoft 365, half
 * Google; 30 events each) at 20 ms provider and 10 ms CMG latency. The roster refresh enqueues every mailbox, the
 * in-process queue runs the product's job with host.json's sessions at once; then one
 * scheduled job per mailbox with nothing changed. For each sweep: wall time, mailboxes per
 * second, provider requests and CMG operations per mailbox next to the protocol minimum, the CMG
 * budget (ceiling, PUT rate, floor), Table Storage requests, job durations, peak RSS, CPU and
 * event-loop delay.
 *
 * The whole run is repeated for each CMG_MAX_CONCURRENCY: 8 and 32 at 1,000 mailboxes, 8 with
 * --full. `--cmg-concurrency=8,16` chooses others, `--mailboxes=200` another roster size.
 */
import type { BenchScenario } from '../run-bench.js';
import { CMG_LATENCY_MS, MAX_CONCURRENT_SESSIONS, PROVIDER_LATENCY_MS, startBenchEnvironment } from '../support/bench-environment.js';
import { incrementalSweep, rosterAndFullSweep } from '../support/bench-sweeps.js';

const option = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

const scenario: BenchScenario = {
  name: 'e2e',
  description: `roster → full sweep → incremental sweep through the queue (${MAX_CONCURRENT_SESSIONS} sessions), ${PROVIDER_LATENCY_MS} ms provider / ${CMG_LATENCY_MS} ms CMG latency, 30 events per mailbox; 1,000 mailboxes at CMG_MAX_CONCURRENCY 8 and 32 (--full 10,000 at 8)`,
  async run({ full }) {
    const mailboxes = Number(option('mailboxes') ?? (full ? 10_000 : 1_000));
    const concurrencies = (option('cmg-concurrency') ?? (full ? '8' : '8,32')).split(',').map(Number);
    for (const concurrency of concurrencies) {
      console.log(`-- CMG_MAX_CONCURRENCY ${concurrency}`);
      const bench = await startBenchEnvironment({ mailboxes, settings: { CMG_MAX_CONCURRENCY: String(concurrency) } });
      try {
        await rosterAndFullSweep(bench);
        await incrementalSweep(bench);
        const dead = bench.env.queue.deadLettered().length;
        if (dead > 0) console.log(`dead-lettered jobs: ${dead}`);
      } finally {
        await bench.close();
      }
    }
  },
};

export default scenario;
