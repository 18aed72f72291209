/**
 * CMG over TLS with a certificate from an internal CA, as most customers run it: the CA made here
 * is trusted through CMG_CA_CERTIFICATE in addition to the public roots; without it the client
 * stops with an error that names the setting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCmgClient, type CmgClient } from '../../../shared/cmg/cmg-client.js';
import { readConfig } from '../../../shared/config/config.js';
import { startCmgEmulator, type CmgEmulator } from '../../../tools/emulators/cmg/cmg-emulator.js';
import { createPrivateCa } from '../../support/private-ca.js';
import type { CmgConfig } from '../../../shared/config/config.js';
import { isAppError } from '../../../shared/errors/app-error.js';
import { startConnectProxy, type ConnectProxy } from '../../support/connect-proxy.js';

const ca = createPrivateCa('Contoso Internal Root CA');
let emulator: CmgEmulator;
let proxy: ConnectProxy;
const clients: CmgClient[] = [];

beforeAll(async () => {
  emulator = await startCmgEmulator({ password: 'pw', users: [{ userId: 'u1' }], tls: ca.issueServerCertificate('cmg.contoso.local') });
  proxy = await startConnectProxy();
});

afterAll(async () => {
  for (const client of clients) client.close();
  await emulator.close();
  await proxy.close();
});

function client(caCertificates: readonly string[], env: Record<string, string> = {}): CmgClient {
  const config: CmgConfig = {
    baseUrl: emulator.baseUrl,
    application: 'EXCHANGE',
    password: 'pw',
    messageSystems: [1],
    timeoutMs: 2_000,
    maxConcurrency: 2,
    maxRetries: 2,
    codesRefreshMs: 60_000,
    caCertificates,
  };
  const created = createCmgClient(config, { env, retryBaseMs: 5, retryCapMs: 20 });
  clients.push(created);
  return created;
}

describe('CMG over TLS with an internal CA', () => {
  it('when the internal CA is trusted through CMG_CA_CERTIFICATE, then the client talks to CMG over https', async () => {
    expect(emulator.baseUrl).toMatch(/^https:\/\//);
    const check = await client([ca.caCertificate]).check();
    expect(check).toBeDefined();
    expect(emulator.record.filter((r) => r.path.endsWith('/check'))).toHaveLength(1);
  });

  it('when the CA is not trusted, then the call fails at once with a configuration error naming CMG_CA_CERTIFICATE', async () => {
    const before = emulator.connectionsOpened();
    const recorded = emulator.record.length;
    const error = await client([]).check().catch((e: unknown) => e);
    expect(isAppError(error) && error.kind).toBe('configuration');
    expect(isAppError(error) && error.code).toBe('untrusted_certificate');
    expect(String((error as Error).message)).toMatch(/certificate is not trusted \([A-Z_]+\); set CMG_CA_CERTIFICATE/);
    expect(emulator.record.length).toBe(recorded); // refused in the handshake: no request reached CMG
    expect(emulator.connectionsOpened() - before).toBe(1); // and no retries
  });

  it('when another CA is trusted instead, then the certificate is still refused', async () => {
    const other = createPrivateCa('Some Other CA');
    const error = await client([other.caCertificate]).check().catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('untrusted_certificate');
  });

  it('when CMG is reached through an HTTPS proxy tunnel, then the internal CA is trusted inside the tunnel and required there too', async () => {
    proxy.tunnels.length = 0;
    await client([ca.caCertificate], { HTTPS_PROXY: proxy.url }).check();
    expect(proxy.tunnels).toEqual([`127.0.0.1:${emulator.port}`]);
    const error = await client([], { HTTPS_PROXY: proxy.url }).check().catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('untrusted_certificate');
    expect(proxy.tunnels).toHaveLength(2);
  });

  it('when CMG_CA_CERTIFICATE is read from the settings, then a PEM bundle is accepted and anything else is refused by name', () => {
    const base = { CMG_BASE_URL: 'https://cmg.contoso.local/CMG Office', CMG_PASSWORD: 'pw', CMG_MESSAGE_SYSTEMS: '1' };
    const other = createPrivateCa('Second CA');
    const good = readConfig({ ...base, CMG_CA_CERTIFICATE: ca.caCertificate + other.caCertificate });
    const goodProblems = good.ok ? [] : good.problems.map((p) => p.name);
    expect(goodProblems).not.toContain('CMG_CA_CERTIFICATE');
    const unresolved = readConfig({ ...base, CMG_CA_CERTIFICATE: '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/cmg-ca-certificate/)' });
    expect(unresolved.ok ? [] : unresolved.problems.map((p) => p.name)).toContain('CMG_CA_CERTIFICATE');
  });
});
