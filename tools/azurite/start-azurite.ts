/**
 * Azurite's Table service: in memory, on a free loopback port, silent. Used by the test global
 * setup, the dev host and the benchmarks (ARCHITECTURE.md "Local and test runs").
 *
 * By default the server runs in this process. `isolated: true` runs it in a child Node process
 * instead, so that its CPU (lokijs scans every row of a table on a partition query, which real
 * Table Storage does not) competes with nothing in this process's event loop: the benchmarks use
 * it to measure the product rather than the emulator.
 *
 * The server itself is configured in table-server.mjs, plain JavaScript, because the child runs
 * it as-is, from the sources (vitest) and from dist/ alike: tsc does not copy .mjs files, so it
 * is found in the source tree, under the package root.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { forkQuiet } from '../child-process/fork-quiet.js';
import type * as TableServerModule from './table-server.mjs';

/** The well-known development account every Azurite accepts (public, documented, not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  /** 0 (the default) lets the system choose a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Run the server in a child Node process (see the module comment). */
  readonly isolated?: boolean;
  /** Isolated only: how long the child may take to start listening, ms (default 30 s). */
  readonly startTimeoutMs?: number;
}

export interface RunningAzurite {
  /** e.g. `http://127.0.0.1:54321/devstoreaccount1` */
  readonly tableEndpoint: string;
  /**
   * A full connection string naming the endpoint: `UseDevelopmentStorage=true` would mean the
   * fixed port 10002.
   */
  readonly connectionString: string;
  close(): Promise<void>;
}

export interface AzuriteProcessUsage {
  /** CPU time of the child since it started (user + system), s. */
  readonly cpuSeconds: number;
  readonly rssMb: number;
}

export interface IsolatedAzurite extends RunningAzurite {
  readonly pid: number;
  /** The child's CPU and memory so far; rejects once the child has exited. */
  usage(): Promise<AzuriteProcessUsage>;
}

/** How long close() waits for the child to exit by itself before it is killed, ms. */
const CLOSE_GRACE_MS = 5_000;

export function startAzurite(options: AzuriteOptions & { readonly isolated: true }): Promise<IsolatedAzurite>;
export function startAzurite(options?: AzuriteOptions): Promise<RunningAzurite>;
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  if (options.isolated) return startIsolated(options);
  const { startTableServer } = await loadTableServer();
  const server = await startTableServer({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  let closed = false;
  return {
    ...endpoints(server.address),
    close: async () => {
      if (closed) return;
      closed = true;
      await server.close();
    },
  };
}

function endpoints(address: string): Pick<RunningAzurite, 'tableEndpoint' | 'connectionString'> {
  const tableEndpoint = `${address}/${AZURITE_ACCOUNT}`;
  const connectionString =
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_ACCOUNT_KEY};` +
    `TableEndpoint=${tableEndpoint};`;
  return { tableEndpoint, connectionString };
}

/** tools/azurite/<name> under the package root: the nearest directory above with a package.json. */
function sourceFile(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      const file = join(dir, 'tools', 'azurite', name);
      if (!existsSync(file)) throw new Error(`startAzurite: ${file} not found`);
      return file;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`startAzurite: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

async function loadTableServer(): Promise<typeof TableServerModule> {
  return (await import(pathToFileURL(sourceFile('table-server.mjs')).href)) as typeof TableServerModule;
}

type ChildMessage =
  | { type: 'ready'; address: string }
  | { type: 'failed'; message: string }
  | { type: 'usage'; cpuMicros: number; rssBytes: number };

async function startIsolated(options: AzuriteOptions): Promise<IsolatedAzurite> {
  // Silent unless it fails: the child's output is kept for an error.
  const { child, keep, describe } = forkQuiet(sourceFile('table-server-process.mjs'), 'Azurite child process');

  let exitCode: number | null | undefined; // undefined while it runs
  let exitSignal: NodeJS.Signals | null = null;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitCode = code;
      exitSignal = signal;
      resolve();
    });
    // A child that could not be spawned emits 'error' and no 'exit'.
    child.on('error', (error) => {
      keep(String(error));
      if (exitCode === undefined) exitCode = null;
      resolve();
    });
  });
  const exitDescription = (): string => (exitSignal ? `signal ${exitSignal}` : `code ${exitCode}`);

  // Sending to a child that has gone fails through the callback (else it would be an 'error' event).
  const send = (message: object): void => {
    if (child.connected) child.send(message, () => undefined);
  };

  const timeoutMs = options.startTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  let address: string;
  try {
    address = await new Promise<string>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(describe(`did not start within ${timeoutMs} ms`))), timeoutMs);
      child.on('message', (message: ChildMessage) => {
        if (message.type === 'ready') resolve(message.address);
        else if (message.type === 'failed') reject(new Error(describe(`could not start: ${message.message}`)));
      });
      void exited.then(() => reject(new Error(describe(`exited with ${exitDescription()} before it was ready`))));
      send({ type: 'start', host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
    });
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  } finally {
    clearTimeout(timer);
    child.removeAllListeners('message');
  }

  let closing: Promise<void> | undefined;
  void exited.then(() => {
    // Dying on its own is a failure: say so, with what it printed. close() still resolves.
    if (!closing) process.stderr.write(`${describe(`exited unexpectedly with ${exitDescription()}`)}\n`);
  });

  const usageWaiters: Array<{ resolve(u: AzuriteProcessUsage): void; reject(e: Error): void }> = [];
  child.on('message', (message: ChildMessage) => {
    if (message.type === 'usage') usageWaiters.shift()?.resolve({ cpuSeconds: message.cpuMicros / 1e6, rssMb: message.rssBytes / (1024 * 1024) });
  });
  void exited.then(() => {
    for (const w of usageWaiters.splice(0)) w.reject(new Error(describe(`exited with ${exitDescription()}`)));
  });

  return {
    ...endpoints(address),
    pid: child.pid!,
    usage: () =>
      new Promise<AzuriteProcessUsage>((resolve, reject) => {
        if (exitCode !== undefined || !child.connected) {
          reject(new Error(describe('is not running')));
          return;
        }
        usageWaiters.push({ resolve, reject });
        send({ type: 'usage' });
      }),
    close: () => (closing ??= closeChild(child, send, exited, () => exitCode !== undefined)),
  };
}

/** Asks the child to stop, waits for it to exit; kills it if it does not within CLOSE_GRACE_MS. */
async function closeChild(child: ChildProcess, send: (message: object) => void, exited: Promise<void>, hasExited: () => boolean): Promise<void> {
  if (hasExited()) return;
  if (child.connected) send({ type: 'close' });
  else child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
