/**
 * End to end (issue #6): the production composition on Azurite (in a child process) and the
 * three emulators, a big organisation (1,000 mailboxes, --full 10,000; half Microsoft 365, half
 * Google; 30 events each) at 20 ms provider and 10 ms CMG latency. The roster refresh enqueues every mailbox, the
 * in-process queue runs the product's job with host.json's sessions at once; then one
 * scheduled job per mailbox with nothing changed. For each sweep: wall time, mailboxes per
 * second, provider requests and CMG operations per mailbox next to the protocol minimum, Table
 * Storage requests, job durations, peak RSS, CPU and event-loop delay.
 */
import type { BenchScenario } from '../run.js';
import { CMG_LATENCY_MS, incrementalSweep, MAX_CONCURRENT_SESSIONS, PROVIDER_LATENCY_MS, rosterAndFullSweep, startBenchEnvironment } from '../support/bench-environment.js';

const scenario: BenchScenario = {
  name: 'e2e',
  description: `roster → full sweep → incremental sweep through the queue (${MAX_CONCURRENT_SESSIONS} sessions), ${PROVIDER_LATENCY_MS} ms provider / ${CMG_LATENCY_MS} ms CMG latency, 30 events per mailbox; 1,000 mailboxes (--full 10,000)`,
  async run({ full }) {
    const bench = await startBenchEnvironment({ mailboxes: full ? 10_000 : 1_000 });
    try {
      await rosterAndFullSweep(bench);
      await incrementalSweep(bench);
      const dead = bench.env.queue.deadLettered().length;
      if (dead > 0) console.log(`dead-lettered jobs: ${dead}`);
    } finally {
      await bench.close();
    }
  },
};

export default scenario;
