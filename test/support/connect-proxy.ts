/**
 * A CONNECT proxy on loopback, as corporate proxies tunnel TLS: it records the tunnels it opened
 * (target, and Proxy-Authorization when sent) and pipes bytes, so TLS to the target runs end to
 * end through it.
 */
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ConnectProxy {
  readonly url: string;
  readonly tunnels: string[];
  readonly server: Server;
  close(): Promise<void>;
}

export async function startConnectProxy(): Promise<ConnectProxy> {
  const tunnels: string[] = [];
  const sockets = new Set<{ destroy(): void }>();
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, client, head) => {
    tunnels.push(`${req.url} ${req.headers['proxy-authorization'] ?? ''}`.trim());
    const [host, port] = (req.url ?? '').split(':');
    sockets.add(client);
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels,
    server,
    async close() {
      // Tunnels leave the HTTP server's bookkeeping once CONNECT succeeds.
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

