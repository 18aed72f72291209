/**
 * A cold start as Azure makes one: a new process loads every compiled function file and answers
 * its first request (bench/support/cold-start-child.ts, which also prints the figures of
 * `npm run bench -- cold-start`). The Azure Monitor distro costs a second and tens of MB to load,
 * so it is imported only when TELEMETRY resolves to it.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ColdStart } from '../../../bench/support/cold-start-child.js';
import { startLocalEnvironment, type LocalEnvironment } from '../../../tools/local-env/local-environment.js';

const CHILD = join(resolve(import.meta.dirname, '..', '..', '..'), 'dist', 'bench', 'support', 'cold-start-child.js');

let env: LocalEnvironment;
beforeAll(async () => {
  env = await startLocalEnvironment();
});
afterAll(async () => {
  await env?.close();
});

/** Asynchronous: the emulators that answer the child's first request run in this process. */
async function coldStart(settings: Record<string, string>): Promise<ColdStart> {
  const { stdout } = await promisify(execFile)(process.execPath, [CHILD, '--trace-modules'], {
    // The queue as in Azure: the first request sends no job, so nothing connects to it.
    env: { ...process.env, ...env.settings, ServiceBusConnection__fullyQualifiedNamespace: 'calsync-test.servicebus.windows.net', ...settings },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ColdStart;
}

describe('cold start', () => {
  it('when TELEMETRY is off, then the first request is answered without loading the Azure Monitor distro', async () => {
    const start = await coldStart({ TELEMETRY: 'off' });
    expect(start.status).toBe(200);
    expect(start.distroModules).toBe(0);
  }, 90_000);

  it('when TELEMETRY is azure-monitor, then the distro is loaded on the first request and the request is answered', async () => {
    const start = await coldStart({ TELEMETRY: 'azure-monitor', APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:9/' });
    expect(start.status).toBe(200);
    expect(start.distroModules).toBeGreaterThan(0);
  }, 90_000);
});
