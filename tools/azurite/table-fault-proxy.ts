/**
 * A loopback HTTP proxy in front of Azurite's table endpoint, for chaos runs: it counts the
 * requests that pass (reads apart) and, when told, answers some of them as a throttled storage
 * account does — 503 with the `ServerBusy` error code — without forwarding them.
 * https://learn.microsoft.com/rest/api/storageservices/table-service-error-codes
 */
import { createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TableFaultProxy {
  /** The connection string with the proxy's port in place of Azurite's. */
  readonly connectionString: string;
  /** Share of requests answered 503 ServerBusy, 0..1. */
  busyRate: number;
  /** Requests seen (answered or forwarded) since the last reset; reads are GETs. */
  readonly counts: { reads: number; writes: number; busy: number };
  resetCounts(): void;
  close(): Promise<void>;
}

const BUSY_BODY = JSON.stringify({ 'odata.error': { code: 'ServerBusy', message: { lang: 'en-US', value: 'The server is busy.' } } });

export async function startTableFaultProxy(connectionString: string, random: () => number = Math.random): Promise<TableFaultProxy> {
  const endpoint = /TableEndpoint=(https?:\/\/[^;]+)/i.exec(connectionString)?.[1];
  if (!endpoint) throw new Error('the connection string names no TableEndpoint');
  const target = new URL(endpoint);
  const counts = { reads: 0, writes: 0, busy: 0 };
  const proxy = {
    busyRate: 0,
    counts,
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET') counts.reads += 1;
    else counts.writes += 1;
    if (proxy.busyRate > 0 && random() < proxy.busyRate) {
      counts.busy += 1;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json;odata=minimalmetadata', 'x-ms-error-code': 'ServerBusy' });
      res.end(BUSY_BODY);
      return;
    }
    const upstream = forward(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const proxied = new URL(endpoint);
  proxied.port = String(port);
  proxied.hostname = '127.0.0.1';
  return Object.assign(proxy, {
    connectionString: connectionString.replace(endpoint, proxied.toString().replace(/\/$/, '')),
    resetCounts() {
      counts.reads = 0;
      counts.writes = 0;
      counts.busy = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
