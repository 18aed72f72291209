/**
 * One cold start in a process of its own (`npm run bench -- cold-start`, and the test that keeps
 * the Azure Monitor distro out of starts that do not use it): the compiled functions are loaded
 * as the Functions host loads them, then one `GET /api/health` is served with the app settings
 * this process was started with. Prints one JSON line: when the functions were loaded and when the
 * first answer was out (ms since the process started), the answer's status, the RSS, and with
 * `--trace-modules` the resolved modules whose path names the distro.
 */
import { register } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { loadFunctions } from '../../tools/dev-host/functions-host.js';

export interface ColdStart {
  readonly functionsLoadedMs: number;
  readonly firstAnswerMs: number;
  readonly status: number;
  readonly rssMb: number;
  /** With --trace-modules: modules of @azure/monitor-opentelemetry that were resolved. */
  readonly distroModules?: number;
}

const DISTRO = '/@azure/monitor-opentelemetry/';

/** Counts resolutions into the distro, from a loader hook (hooks run off the main thread). */
function traceDistro(): () => Promise<number> {
  const { port1, port2 } = new MessageChannel();
  let count = 0;
  port1.on('message', () => (count += 1));
  port1.unref();
  const hook = `let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (resolved.url.includes(${JSON.stringify(DISTRO)})) port.postMessage(1);
  return resolved;
}`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`, { data: { port: port2 }, transferList: [port2] });
  // Messages from the hook thread arrive after the imports that caused them: let them land.
  return () => new Promise((done) => setTimeout(() => done(count), 100));
}

const distroCount = process.argv.includes('--trace-modules') ? traceDistro() : undefined;
const functionsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'functions');
const host = await loadFunctions(functionsDir, () => undefined);
const functionsLoadedMs = performance.now();
const server = await host.listen(0, '127.0.0.1');
const { port } = server.address() as { port: number };
const answer = await fetch(`http://127.0.0.1:${port}/api/health`);
await answer.arrayBuffer();
const firstAnswerMs = performance.now();
const result: ColdStart = {
  functionsLoadedMs,
  firstAnswerMs,
  status: answer.status,
  rssMb: process.memoryUsage().rss / 1_048_576,
  ...(distroCount ? { distroModules: await distroCount() } : {}),
};
console.log(JSON.stringify(result));
// Timers of the SDKs (telemetry export, token refresh) would keep the process alive.
process.exit(0);
