import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { activity, startHarness, type Harness } from './cmg-harness.js';

/** A CONNECT proxy on loopback that records the tunnels it opened. */
async function startProxy(): Promise<{ url: string; tunnels: string[]; server: Server }> {
  const tunnels: string[] = [];
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, client, head) => {
    tunnels.push(`${req.url} ${req.headers['proxy-authorization'] ?? ''}`.trim());
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tunnels, server };
}

let h: Harness;
let proxy: Awaited<ReturnType<typeof startProxy>>;
beforeAll(async () => {
  h = await startHarness();
  proxy = await startProxy();
});
beforeEach(() => {
  h.emulator.control.reset();
  proxy.tunnels.length = 0;
});
afterAll(async () => {
  expect(h.leaks()).toEqual([]);
  await h.close();
  proxy.server.closeAllConnections();
  await new Promise((resolve) => proxy.server.close(resolve));
});

describe('CMG through a proxy', () => {
  it('when HTTP_PROXY is set, then requests tunnel through it and keep-alive reuses the tunnel', async () => {
    const client = h.client({ maxConcurrency: 1 }, { env: { HTTP_PROXY: proxy.url } });
    await client.upsertActivity('u1', 'e1', activity());
    await client.listActivities('u1', 'Calendar');
    expect(proxy.tunnels).toEqual([`127.0.0.1:${h.emulator.port}`]);
    expect(h.emulator.control.activities('u1')).toHaveLength(1);
  });

  it('when the proxy URL carries credentials, then they are sent to the proxy and kept out of logs', async () => {
    const withAuth = proxy.url.replace('http://', 'http://proxyuser:pr0xy%40secret@');
    await h.client({}, { env: { http_proxy: withAuth } }).check();
    expect(proxy.tunnels).toEqual([`127.0.0.1:${h.emulator.port} Basic ${Buffer.from('proxyuser:pr0xy@secret').toString('base64')}`]);
    expect(h.logs.filter((line) => line.includes('pr0xy'))).toEqual([]);
  });

  it('when NO_PROXY names the CMG host, then the client connects directly', async () => {
    await h.client({}, { env: { HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' } }).check();
    expect(proxy.tunnels).toEqual([]);
    expect(h.emulator.record).toHaveLength(1);
  });
});
