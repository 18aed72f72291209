/**
 * The whole EWS emulator on loopback (HTTPS front with NTLM and Extended Protection, the Exchange
 * service behind it) read by the product's transport, requests and readers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { calendarViewRequest, syncFolderItemsRequest, type EwsTarget } from '../../../shared/providers/exchange/ews-requests.js';
import { isEwsFailure, readCalendarView, readSyncFolderItems } from '../../../shared/providers/exchange/ews-responses.js';
import { createEwsTransport, type EwsTransport } from '../../../shared/providers/exchange/ews-transport.js';
import { startEwsEmulator, type RunningEwsEmulator } from '../../../tools/emulators/exchange/ews-emulator.js';

const ACCOUNT = 'CONTOSO\\svc-sync';
const PASSWORD = 'S3rvice-Acc0unt!pw';
const ANNA = 'anna@contoso.com';
const TARGET: EwsTarget = { mailbox: ANNA, access: 'impersonation' };

describe('EWS emulator over HTTPS with NTLM', () => {
  let ews: RunningEwsEmulator;
  let transport: EwsTransport;
  beforeEach(async () => {
    ews = await startEwsEmulator({ accounts: new Map([[ACCOUNT, PASSWORD]]), extendedProtection: 'require', prefixes: 'unusual' });
    ews.control.addMailbox({ address: ANNA, timeZone: 'Europe/Paris', impersonators: [ACCOUNT] });
    ews.control.createItem(ANNA, {
      subject: 'Stand-up',
      start: '2026-03-23T08:00:00Z',
      end: '2026-03-23T08:30:00Z',
      recurrence: { pattern: { type: 'weekly', interval: 1, days: ['Monday'] }, range: { type: 'numbered', count: 2 } },
    });
    transport = createEwsTransport({ profileName: 'onprem-paris', url: ews.url, credentials: { method: 'ntlm', userName: ACCOUNT, password: PASSWORD }, timeoutMs: 10_000, caCertificates: [ews.caCertificate], env: {} });
  });
  afterEach(async () => {
    await transport.close();
    await ews.close();
  });

  it('when the product syncs and reads the window through NTLM with channel binding, then one handshake serves every request and Exchange saw the impersonation and the anchor', async () => {
    const sync = await transport.post(syncFolderItemsRequest(TARGET, undefined, 512), { anchorMailbox: ANNA });
    const window = await transport.post(calendarViewRequest(TARGET, '2026-03-20T00:00:00Z', '2026-04-05T00:00:00Z', 1000), { anchorMailbox: ANNA });

    expect(readSyncFolderItems(sync.status, sync.body)).toMatchObject({ includesLastItemInRange: true, changes: [{ change: 'create' }] });
    const view = readCalendarView(window.status, window.body);
    if (isEwsFailure(view)) throw new Error(view.responseCode);
    expect(view.items.map((i) => i.start)).toEqual(['2026-03-23T08:00:00Z', '2026-03-30T07:00:00Z']);
    expect(ews.server.counters()).toMatchObject({ handshakes: 1, requests: 2 });
    expect(ews.control.counters()).toEqual({ [ANNA]: { SyncFolderItems: 1, FindItem: 1 } });
    expect(ews.control.anchorMailboxMissing()).toBe(0);
    expect(ews.control.requests().map((r) => [r.account, r.impersonated, r.serverVersion])).toEqual([
      [ACCOUNT.toLowerCase(), true, 'Exchange2013_SP1'],
      [ACCOUNT.toLowerCase(), true, 'Exchange2013_SP1'],
    ]);
  });

  it('when the server is busy for the mailbox, then the product reads the HTTP 500 fault and its back-off through the wire', async () => {
    ews.control.addFault({ kind: 'ErrorServerBusy', mailbox: ANNA, times: 1, backOffMs: 2_000 });
    const answer = await transport.post(calendarViewRequest(TARGET, '2026-03-20T00:00:00Z', '2026-04-05T00:00:00Z', 1000), { anchorMailbox: ANNA });
    expect(readCalendarView(answer.status, answer.body)).toMatchObject({ kind: 'ews-failure', responseCode: 'ErrorServerBusy', backOffMs: 2_000, httpStatus: 500 });
  });

  it("when the service answers one mailbox's request with a stray 401, then the transport logs in again on the same connection and the request goes through", async () => {
    await transport.post(syncFolderItemsRequest(TARGET, undefined, 512), { anchorMailbox: ANNA });
    const stray = ews.control.addFault({ kind: 'http401', mailbox: ANNA, times: 1 });

    const answer = await transport.post(syncFolderItemsRequest(TARGET, undefined, 512), { anchorMailbox: ANNA });

    expect(answer.status).toBe(200);
    expect(stray.served).toBe(1);
    expect(ews.server.counters()).toMatchObject({ handshakes: 2, authentications: 2, connections: 1 });
    expect(ews.control.requests().map((r) => r.status)).toEqual([200, 401, 200]);
  });
});
