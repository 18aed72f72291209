/**
 * CMG client throughput: upserts per second against the emulator at 10 ms latency, for two pool
 * sizes, and how many TCP connections the emulator saw (keep-alive should hold it at the pool).
 * The ceiling is pool size × 100 requests per second at 10 ms a request.
 */
import type { BenchScenario } from '../run-bench.js';
import { startCmgEmulator } from '../../tools/emulators/cmg/cmg-emulator.js';
import { createCmgClient } from '../../shared/cmg/cmg-client.js';
import { createLogger } from '../../shared/observability/logger.js';
import type { CmgActivityBody } from '../../shared/cmg/cmg-gateway.js';

const LATENCY_MS = 10;
const USERS = 50;

const body = (i: number): CmgActivityBody => ({
  code: '11',
  start: '2025-03-10T09:00:00+01:00',
  end: '2025-03-10T10:00:00+01:00',
  text: `Bench event ${i}`,
  forward: false,
  inConference: false,
  sign: 'Calendar',
  messageSystems: [1],
  source: { provider: 'graph', eventId: `bench-${i}` },
});

const scenario: BenchScenario = {
  name: 'cmg',
  description: `CMG upserts per second at ${LATENCY_MS} ms emulator latency, and sockets opened, per pool size`,
  async run({ full }) {
    const upserts = full ? 5_000 : 1_000;
    const password = 'bench:pässword@cmg';
    const emulator = await startCmgEmulator({ password, latencyMs: LATENCY_MS, users: Array.from({ length: USERS }, (_, i) => ({ userId: `user-${i}` })) });
    try {
      for (const maxConcurrency of [8, 32]) {
        emulator.control.reset();
        let retries = 0;
        const logger = createLogger({ level: 'warn', sink: (_level, line) => void (line.includes('"op":"cmg.retry"') && (retries += 1)) });
        const client = createCmgClient(
          { baseUrl: emulator.baseUrl, application: 'EXCHANGE', password, messageSystems: [1], timeoutMs: 10_000, maxConcurrency, maxRetries: 2, codesRefreshMs: 3_600_000, caCertificates: [] },
          { env: {}, logger },
        );
        const connectionsBefore = emulator.connectionsOpened();
        const started = performance.now();
        const results = await Promise.all(Array.from({ length: upserts }, (_, i) => client.upsertActivity(`user-${i % USERS}`, `event-${i}`, body(i))));
        const seconds = (performance.now() - started) / 1000;
        const created = results.filter((r) => r === 'created').length;
        const ceiling = maxConcurrency * (1000 / LATENCY_MS);
        console.log(
          `maxConcurrency ${String(maxConcurrency).padStart(2)}: ${upserts} upserts in ${seconds.toFixed(2)} s = ${(upserts / seconds).toFixed(0)}/s ` +
            `(ceiling ${ceiling}/s), ${created} created, sockets opened ${emulator.connectionsOpened() - connectionsBefore}, retries ${retries}`,
        );
        client.close();
      }
    } finally {
      await emulator.close();
    }
  },
};

export default scenario;
