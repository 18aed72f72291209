// Child process entry of `startAzurite({ isolated: true })` (start-azurite.ts): starts the
// in-memory Table server (table-server.mjs) and talks to the parent over the IPC channel.
//   parent → child  { type: 'start', host, port }
//   child → parent  { type: 'ready', address } | { type: 'failed', message }
//   parent → child  { type: 'usage' }   child → parent  { type: 'usage', cpuMicros, rssBytes }
//   parent → child  { type: 'close' }   child stops the server and exits 0
// When the parent goes away (the IPC channel disconnects), the child stops too: no orphans.
import { startTableServer } from './table-server.mjs';

if (typeof process.send !== 'function') {
  process.stderr.write('table-server-process.mjs is started by startAzurite({ isolated: true }) with an IPC channel\n');
  process.exit(2);
}

/** @type {{ close(): Promise<void> } | undefined} */
let server;
let stopping = false;

const send = (message) => {
  if (process.connected) process.send(message);
};

async function stop(code) {
  if (stopping) return;
  stopping = true;
  try {
    await server?.close();
  } finally {
    process.exit(code);
  }
}

process.on('message', (message) => {
  switch (message?.type) {
    case 'start':
      startTableServer({ host: message.host, port: message.port }).then(
        (started) => {
          server = started;
          send({ type: 'ready', address: started.address });
        },
        (error) => {
          send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
          process.exitCode = 1;
          process.disconnect();
        },
      );
      break;
    case 'usage': {
      const cpu = process.cpuUsage();
      send({ type: 'usage', cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage.rss() });
      break;
    }
    case 'close':
      void stop(0);
      break;
  }
});
process.on('disconnect', () => void stop(process.exitCode ?? 0));
