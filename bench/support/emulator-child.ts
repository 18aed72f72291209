/**
 * The Graph, Google and CMG emulators in a child Node process (emulator-process.ts), as Azurite
 * already runs (tools/azurite/start-azurite.ts): the benchmarks' process then holds the product
 * alone, so its peak RSS and CPU are the product's, and the emulators' are measured apart.
 * The benches drive and read the emulators through the typed control channel of
 * emulator-protocol.ts. Runs from dist/ (`npm run bench`), where the entry is compiled next to
 * this file.
 */
import { fileURLToPath } from 'node:url';
import { forkQuiet } from '../../tools/child-process/fork-quiet.js';
import {
  replyEnvelopeSchema,
  replySchemas,
  type ControlOp,
  type ControlReply,
  type ControlRequest,
  type EmulatorCounts,
  type EmulatorEndpointsReply,
  type EmulatorStartOptions,
  type EmulatorUsage,
} from './emulator-protocol.js';

/** How long close() waits for the child to exit by itself before it is killed, ms. */
const CLOSE_GRACE_MS = 5_000;

export interface EmulatorProcess {
  readonly pid: number;
  readonly endpoints: EmulatorEndpointsReply;
  clearRecords(): Promise<void>;
  counts(): Promise<EmulatorCounts>;
  /** Renames events of the organisation; resolves to the time (ms since the epoch) the emulator changed each. */
  renameEvents(renames: ReadonlyArray<{ personKey: string; eventId: string; text: string }>): Promise<number[]>;
  flushNotifications(): Promise<void>;
  pushState(): Promise<ControlReply<'pushState'>>;
  /** Number captured by the pattern's first group → time of the first successful CMG PUT whose body matches. */
  acknowledgements(pattern: RegExp): Promise<Map<number, number>>;
  /** The child's CPU so far and its peak RSS since the previous call. */
  usage(): Promise<EmulatorUsage>;
  close(): Promise<void>;
}

export async function startEmulatorProcess(options: EmulatorStartOptions): Promise<EmulatorProcess> {
  const { child, describe } = forkQuiet(fileURLToPath(new URL('./emulator-process.js', import.meta.url)), 'emulator child process');

  let running = true;
  let closing: Promise<void> | undefined;
  const pending = new Map<number, { op: ControlOp; resolve(value: unknown): void; reject(error: Error): void }>();
  const exited = new Promise<void>((resolve) => {
    const gone = (why: string): void => {
      if (!running) return;
      running = false;
      for (const [, p] of pending) p.reject(new Error(describe(why)));
      pending.clear();
      if (!closing) process.stderr.write(`${describe(`${why} unexpectedly`)}\n`);
      resolve();
    };
    child.once('exit', (code, signal) => gone(`exited with ${signal ? `signal ${signal}` : `code ${code}`}`));
    child.on('error', (error) => gone(`failed: ${String(error)}`));
  });

  child.on('message', (raw: unknown) => {
    const reply = replyEnvelopeSchema.safeParse(raw);
    if (!reply.success) return;
    const waiter = pending.get(reply.data.id);
    if (!waiter) return;
    pending.delete(reply.data.id);
    if (!reply.data.ok) waiter.reject(new Error(`emulator child: ${waiter.op} failed: ${reply.data.error}`));
    else {
      const checked = replySchemas[waiter.op].safeParse(reply.data.result);
      if (checked.success) waiter.resolve(checked.data);
      else waiter.reject(new Error(`emulator child: ${waiter.op} answered out of protocol: ${checked.error.message}`));
    }
  });

  let nextId = 0;
  const call = <O extends ControlOp>(request: Extract<ControlRequest, { op: O }>): Promise<ControlReply<O>> =>
    new Promise((resolve, reject) => {
      if (!running || !child.connected) {
        reject(new Error(describe('is not running')));
        return;
      }
      const id = nextId++;
      pending.set(id, { op: request.op, resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, request }, (error) => {
        if (!error) return;
        pending.delete(id);
        reject(error);
      });
    });

  let endpoints: EmulatorEndpointsReply;
  try {
    endpoints = await call({ op: 'start', options });
  } catch (error) {
    closing = Promise.resolve();
    child.kill('SIGKILL');
    await exited;
    throw error;
  }

  return {
    pid: child.pid!,
    endpoints,
    clearRecords: async () => void (await call({ op: 'clearRecords' })),
    counts: () => call({ op: 'counts' }),
    renameEvents: (renames) => call({ op: 'renameEvents', renames: [...renames] }),
    flushNotifications: async () => void (await call({ op: 'flushNotifications' })),
    pushState: () => call({ op: 'pushState' }),
    acknowledgements: async (pattern) => new Map(await call({ op: 'acknowledgements', pattern: pattern.source })),
    usage: () => call({ op: 'usage' }),
    close: () =>
      (closing ??= (async () => {
        if (!running) return;
        const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_GRACE_MS);
        try {
          await call({ op: 'close' }).catch(() => child.kill('SIGTERM'));
          await exited;
        } finally {
          clearTimeout(timer);
        }
      })()),
  };
}
