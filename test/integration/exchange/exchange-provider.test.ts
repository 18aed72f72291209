/**
 * The Exchange provider over the production transport and the emulator's real HTTPS and NTLM
 * front on loopback (Extended Protection: Require): the requests of a first read, a quiet poll
 * and a change, each on an authenticated connection with X-AnchorMailbox, NTLM once per
 * connection; a changed password named as the profile's configuration. The service behind the
 * front answers each operation with Microsoft's example bodies: the calendar behaviour itself is
 * the emulator's own suite.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDeps } from '../../../shared/app/create-deps.js';
import { readConfig, type Config } from '../../../shared/config/config.js';
import { silentLogger } from '../../../shared/observability/logger.js';
import { systemStatus } from '../../../shared/operations/system-status.js';
import type { ExchangeProfile } from '../../../shared/config/profile-settings.js';
import { createExchangeCalendarProvider } from '../../../shared/providers/exchange/exchange-calendar-provider.js';
import { createEwsTransport, type EwsTransport } from '../../../shared/providers/exchange/ews-transport.js';
import { startEwsServer, type EwsServer, type EwsServiceRequest } from '../../../tools/emulators/exchange/ews-emulator-server.js';
import { tablesConnectionString, uniqueTablePrefix } from '../../support/test-store.js';
import { CALENDAR_VIEW_RESPONSE, OOF_SETTINGS_RESPONSE, SYNC_FOLDER_ITEMS_SUCCESS, USER_OPTIONS_RESPONSE } from '../../unit/providers/exchange/ews-examples.js';

const PASSWORD = 'S3rvice-Acc0unt!pw';
const WINDOW = { start: '2013-08-20T00:00:00.000Z', end: '2013-09-04T00:00:00.000Z' };
const NOW = Date.parse('2013-08-21T08:00:00Z');

let id = 0;
const VIEW = CALENDAR_VIEW_RESPONSE.replace('TotalItemsInView="33" IncludesLastItemInRange="false"', 'TotalItemsInView="5" IncludesLastItemInRange="true"').replace(
  /<t:ItemId Id="AAMkA?"/g,
  () => `<t:ItemId Id="item-${(id += 1)}"`,
);
/** The same folder after one more change: a new state and an Update. */
const SYNC_CHANGED = SYNC_FOLDER_ITEMS_SUCCESS.replace('<m:SyncState>H4sIAAAAA=</m:SyncState>', '<m:SyncState>H4sIAAAAB=</m:SyncState>');
/** No change since the state: an empty Changes. */
const SYNC_QUIET = SYNC_FOLDER_ITEMS_SUCCESS.replace(/<m:Changes>[\s\S]*<\/m:Changes>/, '<m:Changes />');

/** getservertimezones-operation.md's answer, without the zone definitions (ReturnFullTimeZoneData false). */
const TIME_ZONES = `<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
  <s:Body>
    <GetServerTimeZonesResponse xmlns="http://schemas.microsoft.com/exchange/services/2006/messages">
      <ResponseMessages>
        <GetServerTimeZonesResponseMessage ResponseClass="Success">
          <ResponseCode>NoError</ResponseCode>
          <TimeZoneDefinitions />
        </GetServerTimeZonesResponseMessage>
      </ResponseMessages>
    </GetServerTimeZonesResponse>
  </s:Body>
</s:Envelope>`;

const servers: EwsServer[] = [];
const transports: EwsTransport[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function exchange(syncAnswers: string[]): Promise<{ server: EwsServer; seen: EwsServiceRequest[] }> {
  const seen: EwsServiceRequest[] = [];
  const server = await startEwsServer({
    accounts: new Map([['CONTOSO\\svc-sync', PASSWORD]]),
    extendedProtection: 'require',
    authentication: ['ntlm'],
    service: async (request) => {
      seen.push(request);
      if (request.body.includes('<m:SyncFolderItems')) return { status: 200, body: syncAnswers.length > 1 ? syncAnswers.shift()! : syncAnswers[0]! };
      if (request.body.includes('<m:FindItem')) return { status: 200, body: VIEW };
      if (request.body.includes('<m:GetUserOofSettings')) return { status: 200, body: OOF_SETTINGS_RESPONSE };
      if (request.body.includes('<m:GetUserConfiguration')) return { status: 200, body: USER_OPTIONS_RESPONSE };
      if (request.body.includes('<m:GetServerTimeZones')) return { status: 200, body: TIME_ZONES };
      return { status: 500, body: 'unexpected' };
    },
  });
  servers.push(server);
  return { server, seen };
}

function configFor(server: EwsServer, tables = 'UseDevelopmentStorage=true', extra: Record<string, string> = {}): Config {
  const read = readConfig({
    OOF_CODE: '5',
    DEFAULT_CODE: '11',
    // Nothing listens there: the status test's CMG check fails at once, on loopback
    CMG_BASE_URL: 'https://127.0.0.1:9/CMG Office',
    CMG_PASSWORD: 'x',
    CMG_MESSAGE_SYSTEMS: '1',
    TABLES_CONNECTION_STRING: tables,
    PROFILES: 'ONPREM',
    PROFILE_ONPREM_KIND: 'exchange',
    PROFILE_ONPREM_DOMAINS: 'contoso.com',
    PROFILE_ONPREM_EWS_URL: server.url,
    PROFILE_ONPREM_USER_NAME: 'CONTOSO\\svc-sync',
    PROFILE_ONPREM_PASSWORD: PASSWORD,
    PROFILE_ONPREM_CA_CERTIFICATE: server.caCertificate,
    ...extra,
  });
  if (!read.ok) throw new Error(JSON.stringify(read.problems));
  return read.config;
}

const profileFor = (server: EwsServer): ExchangeProfile => configFor(server).profiles[0] as ExchangeProfile;

function providerFor(server: EwsServer, clock: { now: number }) {
  const profile = profileFor(server);
  const transport = createEwsTransport({
    profileName: profile.name,
    url: profile.ewsUrl,
    credentials: { method: profile.authentication, userName: profile.userName, password: profile.password },
    timeoutMs: 10_000,
    caCertificates: profile.caCertificates,
    maxConnections: profile.maxConnections,
    env: {},
  });
  transports.push(transport);
  return createExchangeCalendarProvider(profile, {
    transport,
    timeZone: 'Europe/Paris',
    maxRetries: 1,
    automaticRepliesEveryMs: 15 * 60_000,
    statusFrequencyMinutes: 5,
    now: () => clock.now,
  });
}

describe('the Exchange provider over NTLM with channel binding', () => {
  it('when a mailbox is read, polled quietly, then changed, then the requests are 4, 1 and 3, each as the mailbox, NTLM once per connection', async () => {
    const { server, seen } = await exchange([SYNC_FOLDER_ITEMS_SUCCESS, SYNC_QUIET, SYNC_CHANGED]);
    const clock = { now: NOW };
    const provider = providerFor(server, clock);

    const first = await provider.fetchCalendar({ address: 'alice@contoso.com', window: WINDOW });
    // SyncFolderItems, the window, the automatic replies and the mailbox's zone (Tokyo Standard Time)
    expect(first).toMatchObject({ mode: 'full', requests: 4, automaticReplies: { status: 'disabled' }, timeZone: 'Asia/Tokyo' });
    expect(first.items).toHaveLength(5);

    clock.now += 60_000;
    const quiet = await provider.fetchCalendar({ address: 'alice@contoso.com', window: WINDOW, syncToken: first.nextSyncToken });
    expect(quiet).toMatchObject({ mode: 'delta', items: [], requests: 1 });

    clock.now += 60_000;
    const changed = await provider.fetchCalendar({ address: 'alice@contoso.com', window: WINDOW, syncToken: quiet.nextSyncToken });
    // The zone the first read found is remembered: no GetUserConfiguration
    expect(changed).toMatchObject({ mode: 'full', requests: 3, timeZone: 'Asia/Tokyo' });

    expect(seen).toHaveLength(8);
    for (const request of seen) {
      expect(request.user).toBe('CONTOSO\\svc-sync');
      expect(request.headers['x-anchormailbox']).toBe('alice@contoso.com');
    }
    // At most 2 of one mailbox's requests at once, so at most 2 connections, each signed in once
    const counters = server.counters();
    expect(counters.requests).toBe(8);
    expect(counters.authentications).toBe(counters.connections);
    expect(counters.connections).toBeLessThanOrEqual(2);
  });

  it('when the service account\'s password was changed in Active Directory, then the read fails as the profile\'s configuration, after one refused sign-in', async () => {
    const { server } = await exchange([SYNC_FOLDER_ITEMS_SUCCESS]);
    server.setPassword('CONTOSO\\svc-sync', 'changed-in-AD');
    const provider = providerFor(server, { now: NOW });
    const error = await provider.fetchCalendar({ address: 'alice@contoso.com', window: WINDOW }).then(
      () => undefined,
      (e: unknown) => e as Error & { kind: string; code: string },
    );
    expect(error).toMatchObject({ kind: 'configuration', code: 'exchange-credentials-rejected' });
    expect(error!.message).toContain('ONPREM');
    expect(error!.message).not.toContain(PASSWORD);
    expect(server.counters().rejections).toBe(1);
  });

  it('when the connection is checked, then the probe signs in and passes; with a wrong password it names the profile\'s credentials', async () => {
    const { server, seen } = await exchange([SYNC_FOLDER_ITEMS_SUCCESS]);
    await expect(providerFor(server, { now: NOW }).checkConnection()).resolves.toBeUndefined();
    expect(server.counters().authentications).toBe(1);
    expect(seen[0]!.headers['x-anchormailbox']).toBeUndefined();
    server.setPassword('CONTOSO\\svc-sync', 'changed-in-AD');
    await expect(providerFor(server, { now: NOW }).checkConnection()).rejects.toMatchObject({ kind: 'configuration', code: 'exchange-credentials-rejected' });
  });

  it('when the app is composed from settings with an exchange profile, then its provider is this one, over NTLM to the configured URL', async () => {
    const { server } = await exchange([SYNC_FOLDER_ITEMS_SUCCESS]);
    const deps = await createDeps(configFor(server, tablesConnectionString()), {
      tablePrefix: uniqueTablePrefix(),
      logger: silentLogger,
      queue: { send: async () => undefined, sendMany: async () => undefined },
    });
    const provider = deps.providers.byName('ONPREM')!;
    expect([provider.kind, provider.profileName]).toEqual(['exchange', 'ONPREM']);
    expect(deps.providers.candidatesFor('contoso.com').map((p) => p.profileName)).toEqual(['ONPREM']);
    const read = await provider.fetchCalendar({ address: 'alice@contoso.com', window: WINDOW });
    expect(read).toMatchObject({ mode: 'full', requests: 4, timeZone: 'Asia/Tokyo' });
    expect(read.items.filter((i) => i.kind === 'event')).toHaveLength(5);
    expect(server.counters().authentications).toBeGreaterThanOrEqual(1);
  });

  it('when a profile reads as a delegate, then its status says the automatic replies are not read and its mailboxes are polled', async () => {
    const { server } = await exchange([SYNC_FOLDER_ITEMS_SUCCESS]);
    const deps = await createDeps(configFor(server, tablesConnectionString(), { PROFILE_ONPREM_ACCESS: 'delegate', WEBHOOK_BASE_URL: 'https://calsync.example.com' }), {
      tablePrefix: uniqueTablePrefix(),
      logger: silentLogger,
      queue: { send: async () => undefined, sendMany: async () => undefined },
    });
    const check = (await systemStatus(deps)).checks['profile:ONPREM']!;
    expect(check).toMatchObject({ status: 'ok', kind: 'exchange', circuit: 'closed' });
    expect(check.detail).toContain('automatic replies are not read (ACCESS=delegate');
    expect(check.detail).toContain('polled every EXCHANGE_POLL_INTERVAL');
  });
});
