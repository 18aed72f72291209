// Azurite's Table service, in memory, silent: the one place Azurite is configured. Plain
// JavaScript, not TypeScript, because it is also the entry of a child process
// (table-server-process.mjs) that must run as-is from the sources under vitest and from dist/
// alike: tsc does not copy .mjs files, so start-azurite.ts finds it in the source tree.
// Types: table-server.d.mts.
import { once } from 'node:events';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * @param {{ host?: string, port?: number }} [options]
 * @returns {Promise<{ address: string, close(): Promise<void> }>}
 */
export async function startTableServer(options = {}) {
  // Azurite ships no typings and no `exports` map: its classes are loaded with `require`.
  const { default: TableConfiguration } = require('azurite/dist/src/table/TableConfiguration.js');
  const { default: TableServer } = require('azurite/dist/src/table/TableServer.js');

  // Positional, as TableConfiguration's constructor takes them (azurite 3.35).
  const configuration = new TableConfiguration(
    options.host ?? '127.0.0.1',
    options.port ?? 0,
    5, // keep-alive timeout, seconds (Azurite's default)
    '__azurite_db_table__.json', // never written: persistence is in memory
    false, // debug log
    false, // access log: one line per request would drown the test output
    undefined, // access log stream
    undefined, // debug log file
    false, // loose mode: not needed by @azure/data-tables
    true, // skip API version check: a newer SDK must not fail against an older Azurite
    '', // cert
    '', // key
    '', // pwd
    undefined, // oauth
    false, // disable product-style URLs
    true, // in-memory persistence
  );
  const server = new TableServer(configuration);
  await server.start();
  return {
    address: server.getHttpServerAddress(),
    close: async () => {
      // Azurite's close() asks the server to stop but does not wait for its sockets to go.
      const stopped = once(server.httpServer, 'close');
      await server.close();
      await stopped;
    },
  };
}
