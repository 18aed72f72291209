/**
 * Cold start: a new process loads every compiled function file, as the Functions host does, and
 * serves its first request (`GET /api/health`, which reads the settings, builds the clients and
 * asks CMG) against Azurite and the emulators. Telemetry off, then Azure Monitor: the distro is
 * imported only where TELEMETRY resolves to it, so the second line shows what every start paid
 * before that. Printed: milliseconds from process start to the functions loaded and to the first
 * answer (median of the runs), RSS after it, and node's own start for comparison.
 */
import { spawnSync } from 'node:child_process';
import { startLocalEnvironment } from '../../tools/local-env/local-environment.js';
import type { BenchScenario } from '../run-bench.js';
import type { ColdStart } from '../support/cold-start-child.js';
import { AZURE_MONITOR, coldStart } from '../support/cold-start.js';
import { machineLine, percentile } from '../support/measure.js';

const scenario: BenchScenario = {
  name: 'cold-start',
  description: 'process start → every function file loaded → first request answered, telemetry off and Azure Monitor',
  async run({ full }) {
    const runs = full ? 15 : 5;
    const env = await startLocalEnvironment();
    try {
      const node: number[] = [];
      for (let i = 0; i < runs; i += 1) {
        const started = performance.now();
        spawnSync(process.execPath, ['-e', '0']);
        node.push(performance.now() - started);
      }
      for (const [label, telemetry] of [
        ['TELEMETRY=off', { TELEMETRY: 'off' }],
        ['TELEMETRY=azure-monitor', AZURE_MONITOR],
      ] as const) {
        const starts: ColdStart[] = [];
        for (let i = 0; i < runs; i += 1) starts.push(await coldStart({ ...env.settings, ...telemetry }));
        const statuses = [...new Set(starts.map((s) => s.status))].join(', ');
        const median = (pick: (s: ColdStart) => number): string => percentile(starts.map(pick), 50).toFixed(0);
        console.log(
          `cold start, ${label}: functions loaded at ${median((s) => s.functionsLoadedMs)} ms, first answer (${statuses}) at ${median((s) => s.firstAnswerMs)} ms, ` +
            `RSS ${median((s) => s.rssMb)} MB (median of ${runs} processes)`,
        );
      }
      console.log(`  node itself starts in ${percentile(node, 50).toFixed(0)} ms; ${machineLine()}`);
    } finally {
      await env.close();
    }
  },
};

export default scenario;
