/**
 * Child process entry of `startEmulatorProcess` (emulator-child.ts): the Graph, Google and CMG
 * emulators, answering control requests (emulator-protocol.ts) over the IPC channel:
 *   parent → child  { id, request }    child → parent  { id, ok: true, result } | { id, ok: false, error }
 * After `close` it exits 0. When the parent goes away (the IPC channel disconnects), the child
 * stops too: no orphans.
 */
import { createEmulatorHost } from './emulator-host.js';
import { requestEnvelopeSchema } from './emulator-protocol.js';

if (typeof process.send !== 'function') {
  process.stderr.write('emulator-process.js is started by startEmulatorProcess with an IPC channel\n');
  process.exit(2);
}

const host = createEmulatorHost();
let stopping = false;

const send = (message: object): void => {
  if (process.connected) process.send?.(message);
};

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  try {
    await host.close();
  } finally {
    process.exit(code);
  }
}

process.on('message', (raw: unknown) => {
  const parsed = requestEnvelopeSchema.safeParse(raw);
  if (!parsed.success) {
    const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'number' ? (raw as { id: number }).id : -1;
    send({ id, ok: false, error: `not a control request: ${parsed.error.message}` });
    return;
  }
  const { id, request } = parsed.data;
  host.handle(request).then(
    (result) => {
      send({ id, ok: true, result });
      if (request.op === 'close') void stop(0);
    },
    (error: unknown) => send({ id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
process.on('disconnect', () => void stop(process.exitCode === undefined ? 0 : Number(process.exitCode)));
