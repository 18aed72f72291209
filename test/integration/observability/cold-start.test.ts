/**
 * A cold start as Azure makes one: a new process loads every compiled function file and answers
 * its first request (bench/support/cold-start-child.ts, which also prints the figures of
 * `npm run bench -- cold-start`). The Azure Monitor distro costs a second and tens of MB to load,
 * so it is imported only when TELEMETRY resolves to it.
 */
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AZURE_MONITOR, coldStart } from '../../../bench/support/cold-start.js';
import { startLocalEnvironment, type LocalEnvironment } from '../../../tools/local-env/local-environment.js';

let env: LocalEnvironment;
beforeAll(async () => {
  env = await startLocalEnvironment();
});
afterAll(async () => {
  await env?.close();
});

// The compiled child (dist/ is built for the run by the global setup): a new process, as in Azure.
const CHILD = join(resolve(import.meta.dirname, '..', '..', '..'), 'dist', 'bench', 'support', 'cold-start-child.js');
const start = (settings: Record<string, string>) => coldStart({ ...env.settings, ...settings }, { traceModules: true, child: CHILD });

describe('cold start', () => {
  it('when TELEMETRY is off, then the first request is answered without loading the Azure Monitor distro', async () => {
    const first = await start({ TELEMETRY: 'off' });
    expect(first.status).toBe(200);
    expect(first.distroModules).toBe(0);
  }, 90_000);

  it('when TELEMETRY is azure-monitor, then the distro is loaded on the first request and the request is answered', async () => {
    const first = await start({ ...AZURE_MONITOR });
    expect(first.status).toBe(200);
    expect(first.distroModules).toBeGreaterThan(0);
  }, 90_000);
});
