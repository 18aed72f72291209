/**
 * Runs one cold start (cold-start-child.ts) in a new process with a local environment's app
 * settings, as Azure would configure the app: the bench prints the figures, a test checks what is
 * loaded. Asynchronous on purpose: the emulators that answer the child's first request run in
 * the calling process, which must stay free to serve them.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ColdStart } from './cold-start-child.js';

/** The compiled child beside this module (the bench runs from dist/; a test from the sources names it). */
const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'cold-start-child.js');

/** The queue as in Azure; the first request sends no job, so nothing connects to it. */
const SERVICE_BUS = { ServiceBusConnection__fullyQualifiedNamespace: 'calsync-cold-start.servicebus.windows.net' };

/** Azure Monitor on: a syntactically valid connection string, nothing is exported before the child exits. */
export const AZURE_MONITOR = {
  TELEMETRY: 'azure-monitor',
  APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:9/',
} as const;

export async function coldStart(settings: Readonly<Record<string, string>>, options: { traceModules?: boolean; child?: string } = {}): Promise<ColdStart> {
  const child = options.child ?? CHILD;
  const args = options.traceModules ? [child, '--trace-modules'] : [child];
  const { stdout } = await promisify(execFile)(process.execPath, args, { env: { ...process.env, ...SERVICE_BUS, ...settings }, encoding: 'utf8', timeout: 60_000 });
  const line = stdout.trim().split('\n').at(-1) ?? '';
  if (!line.startsWith('{')) throw new Error(`the cold-start child printed no figures: ${stdout.trim()}`);
  return JSON.parse(line) as ColdStart;
}
