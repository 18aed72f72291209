/**
 * Azurite's Table service in this process: in memory, on a free loopback port, silent. Used by
 * the test global setup, the dev host and the benchmarks (ARCHITECTURE.md "Local and test runs").
 *
 * Azurite ships no typings and no `exports` map, so its server classes are loaded with
 * `require` and described by the few members used here.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';

/** The well-known development account every Azurite accepts (public, documented, not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  /** 0 (the default) lets the system choose a free port. */
  readonly port?: number;
  readonly host?: string;
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

interface TableServer {
  start(): Promise<void>;
  close(): Promise<void>;
  getHttpServerAddress(): string;
  readonly httpServer: Server;
}
type TableServerClass = new (configuration: unknown) => TableServer;
type TableConfigurationClass = new (...args: unknown[]) => unknown;

const require = createRequire(import.meta.url);

export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const { default: TableConfiguration } = require('azurite/dist/src/table/TableConfiguration.js') as {
    default: TableConfigurationClass;
  };
  const { default: TableServer } = require('azurite/dist/src/table/TableServer.js') as { default: TableServerClass };

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

  const tableEndpoint = `${server.getHttpServerAddress()}/${AZURITE_ACCOUNT}`;
  const connectionString =
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_ACCOUNT_KEY};` +
    `TableEndpoint=${tableEndpoint};`;
  let closed = false;
  return {
    tableEndpoint,
    connectionString,
    close: async () => {
      if (closed) return;
      closed = true;
      // Azurite's close() asks the server to stop but does not wait for its sockets to go.
      const stopped = once(server.httpServer, 'close');
      await server.close();
      await stopped;
    },
  };
}
