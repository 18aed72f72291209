import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { activity, startHarness, type Harness } from './cmg-harness.js';
import { startConnectProxy, type ConnectProxy } from '../../support/connect-proxy.js';

let h: Harness;
let proxy: ConnectProxy;
beforeAll(async () => {
  h = await startHarness();
  proxy = await startConnectProxy();
});
beforeEach(() => {
  h.emulator.control.reset();
  proxy.tunnels.length = 0;
});
afterAll(async () => {
  expect(h.leaks()).toEqual([]);
  await h.close();
  await proxy.close();
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
