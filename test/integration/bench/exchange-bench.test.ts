/**
 * `npm run bench -- exchange` measures what it says: its phases cost the requests the protocol
 * needs and no more, NTLM signs in once per connection, and every change's push is followed to
 * CMG's acknowledgement. Counts only, never times.
 */
import functions from '@azure/functions';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { measureExchange } from '../../../bench/scenarios/exchange.js';
import { ewsNotifications } from '../../../functions/ews-notifications.js';
import { writeFunctionResponse } from '../../../tools/dev-host/functions-host.js';
import { uniqueTablePrefix } from '../../support/test-store.js';

const ROUTE = /^\/api\/ews-notifications\/([^/]+)\/([^/]+)$/;

/** The ews-notifications function over real HTTP, as the host routes it. */
async function serveEwsNotifications(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const match = ROUTE.exec(url.pathname);
        if (!match || req.method !== 'POST') return void res.writeHead(404).end();
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
        const request = new functions.HttpRequest({ method: 'POST', url: url.href, headers, params: { id: match[1]!, secret: match[2]! }, body: { string: Buffer.concat(chunks).toString('utf8') } });
        writeFunctionResponse(res, await ewsNotifications(request));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe('the Exchange benchmark', () => {
  it('when it runs, then a first sync costs SyncFolderItems, CalendarView, the automatic replies and the mailbox\'s time zone, a change all but the time zone, a quiet poll SyncFolderItems alone, NTLM signs in once per connection, and every change is followed from its notification to CMG', { timeout: 120_000 }, async () => {
    const webhook = await serveEwsNotifications();
    server = webhook.server;

    const f = await measureExchange({ mailboxes: 4, webhookUrl: webhook.url, tablesConnectionString: inject('tablesConnectionString'), tablePrefix: uniqueTablePrefix(), changesPerSecond: 50 });

    const readAll = { SyncFolderItems: 1, FindItem: 1, GetUserOofSettings: 1 };
    expect(f.firstSync).toMatchObject({ mailboxes: 4, requestsPerMailbox: 4, perOperation: { ...readAll, GetUserConfiguration: 1 } });
    expect(f.subscribe).toMatchObject({ requestsPerMailbox: 1, perOperation: { Subscribe: 1 } });
    expect(f.quietPoll).toMatchObject({ requestsPerMailbox: 1, perOperation: { SyncFolderItems: 1 } });
    expect(f.change).toMatchObject({ requestsPerMailbox: 3, perOperation: readAll });
    expect(f.ntlm.handshakes).toBe(f.ntlm.connections);
    expect(f.ntlm.rejections).toBe(0);
    // 4 mailboxes × (4 + 1 + 1 + 3) requests past sign-in.
    expect(f.ntlm.requests).toBe(36);
    expect(f.changes).toBe(4);
    expect(f.pushLatenciesMs).toHaveLength(4);
    expect(f.webhookAnswerMs).toHaveLength(4);
    for (const ms of [...f.pushLatenciesMs, ...f.webhookAnswerMs]) expect(ms).toBeGreaterThanOrEqual(0);
  });
});
