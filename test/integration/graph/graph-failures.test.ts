import { createHash, generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../shared/observability/logger.js';
import type { RunningGraphEmulator } from '../../../tools/emulators/graph/graph-emulator.js';
import { CLIENT_ID, at, failure, profileFor, providerFor, startKit, windowAround } from './graph-harness.js';
import { startConnectProxy, type ConnectProxy } from '../../support/connect-proxy.js';

const ADELE = 'adele@contoso.com';
const now = new Date();
const window = windowAround(now);


describe('Graph provider failures against the emulator', () => {
  let emulator: RunningGraphEmulator;
  beforeEach(async () => {
    emulator = await startKit();
    emulator.control.addUser({ address: ADELE });
    emulator.control.addEvent(ADELE, { subject: 'Planning', start: at(now, 1), end: at(now, 2) });
  });
  afterEach(async () => emulator.close());

  it('when Graph answers 429 with Retry-After, then the provider waits that long before each retry and succeeds', async () => {
    emulator.fault({ path: /^\/v1\.0\/\$batch$/, kind: 'status', status: 429, retryAfter: '1', times: 2 });
    const result = await providerFor(emulator).fetchCalendar({ address: ADELE, window });

    expect(result.items).toHaveLength(1);
    expect(result.requests).toBe(3);
    const batches = emulator.record.filter((r) => r.path === '/v1.0/$batch');
    expect(batches.map((r) => r.status)).toEqual([429, 429, 200]);
    for (let n = 1; n < batches.length; n += 1) expect(batches[n]!.at - batches[n - 1]!.at).toBeGreaterThanOrEqual(950);
  });

  it('when only the calendar request inside the batch is throttled, then it alone is repeated after its Retry-After', async () => {
    emulator.fault({ path: /\/calendarView\/delta$/, kind: 'status', status: 429, retryAfter: '1', times: 1 });
    const result = await providerFor(emulator).fetchCalendar({ address: ADELE, window });

    expect(result.items).toHaveLength(1);
    expect(result.requests).toBe(2);
    const [batch, single] = emulator.record.filter((r) => r.path.startsWith('/v1.0/'));
    expect(batch?.path).toBe('/v1.0/$batch');
    expect(single?.path).toBe(`/v1.0/users/${ADELE}/calendarView/delta`);
    expect(single!.at - batch!.at).toBeGreaterThanOrEqual(950);
  });

  it('when throttling outlasts the retries, then a transient error carries the Retry-After after maxRetries + 1 requests', async () => {
    emulator.fault({ path: /^\/v1\.0\/\$batch$/, kind: 'status', status: 429, retryAfter: '0', times: Infinity });
    const error = await failure(providerFor(emulator, { maxRetries: 2 }).fetchCalendar({ address: ADELE, window }));

    expect(error).toMatchObject({ kind: 'transient', code: 'throttled', retryAfterMs: 0 });
    expect(emulator.record.filter((r) => r.path === '/v1.0/$batch')).toHaveLength(3);
  });

  it('when Retry-After is longer than the provider may wait, then it fails at once and hands the wait to the caller', async () => {
    emulator.fault({ path: /^\/v1\.0\/\$batch$/, kind: 'status', status: 503, retryAfter: '120', times: Infinity });
    const error = await failure(providerFor(emulator, { maxRetryDelayMs: 5_000 }).fetchCalendar({ address: ADELE, window }));

    expect(error).toMatchObject({ kind: 'transient', code: 'graph-unavailable', retryAfterMs: 120_000 });
    expect(emulator.record.filter((r) => r.path === '/v1.0/$batch')).toHaveLength(1);
  });

  it('when Graph does not answer, then each request times out and the fetch ends transient after the retries', async () => {
    emulator.fault({ path: /^\/v1\.0\/\$batch$/, kind: 'hang', times: Infinity });
    const started = Date.now();
    const error = await failure(providerFor(emulator, { timeoutMs: 300, maxRetries: 1, retryBaseDelayMs: 10 }).fetchCalendar({ address: ADELE, window }));

    expect(error).toMatchObject({ kind: 'transient', code: 'timeout' });
    expect(emulator.record.filter((r) => r.path === '/v1.0/$batch')).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('when Graph answers 400 to a delta token, then the provider asks for a full resync, not a refused mailbox', async () => {
    const provider = providerFor(emulator);
    const full = await provider.fetchCalendar({ address: ADELE, window });
    const damaged = full.nextSyncToken.replace(/\$deltatoken=.*/, '$deltatoken=bm90LWEtdG9rZW4');

    const error = await failure(provider.fetchCalendar({ address: ADELE, window, syncToken: damaged }));
    expect(error).toMatchObject({ kind: 'resync', code: 'resync-required' });
    expect(emulator.record.at(-1)).toMatchObject({ path: '/v1.0/$batch', status: 200 });
  });

  it('when Graph answers 400 to a request without a token, then it stays a refusal', async () => {
    emulator.fault({ path: /\/calendarView\/delta$/, kind: 'status', status: 400, times: 1 });
    const error = await failure(providerFor(emulator).fetchCalendar({ address: ADELE, window }));
    expect(error).toMatchObject({ kind: 'permanent' });
  });

  it('when another instance of the app holds the mailbox\'s requests, then the 429 MailboxConcurrency is waited out and the read succeeds', async () => {
    const release = emulator.control.holdMailboxRequests(ADELE, 3);
    // The other instance finishes once the batch was answered, whenever that is.
    const watch = setInterval(() => {
      if (emulator.record.some((r) => r.path === '/v1.0/$batch')) {
        clearInterval(watch);
        release();
      }
    }, 10);
    const result = await providerFor(emulator).fetchCalendar({ address: ADELE, window });

    expect(result.items).toHaveLength(1);
    const [batch, retried] = emulator.record.filter((r) => r.path.startsWith('/v1.0/'));
    expect(batch?.path).toBe('/v1.0/$batch');
    // The batch's two steps found one slot: one step got 429 ApplicationThrottled and was repeated alone after Retry-After.
    expect(retried?.status).toBe(200);
    expect(retried!.at - batch!.at).toBeGreaterThanOrEqual(950);
    expect(emulator.record.filter((r) => r.path.startsWith('/v1.0/'))).toHaveLength(2);
  });

  it('when the address is unknown to Graph, then the error is permanent and says the address may not be the UPN', async () => {
    const error = await failure(providerFor(emulator).fetchCalendar({ address: 'nobody@contoso.com', window }));
    expect(error).toMatchObject({ kind: 'permanent', code: 'address-not-upn' });
    expect(emulator.record.filter((r) => r.path === '/v1.0/$batch')).toHaveLength(1);
  });

  it.each([
    ['a mailbox scoped out by RBAC (403 ErrorAccessDenied)', ADELE, 'accessDenied', 'mailbox-unavailable'],
    ['a mailbox without REST access', ADELE, 'restDisabled', 'mailbox-not-found'],
  ] as const)('when the mailbox is %s, then the error is permanent %s', async (_what, address, access, code) => {
    emulator.control.setMailboxAccess(ADELE, access);
    const error = await failure(providerFor(emulator).fetchCalendar({ address, window }));
    expect(error).toMatchObject({ kind: 'permanent', code });
    expect(emulator.record.filter((r) => r.path === '/v1.0/$batch')).toHaveLength(1);
  });

  it('when the client secret is wrong, then a configuration error names the profile, and neither it nor the logs hold the secret', async () => {
    const wrongSecret = 'wrong-secret-8Q~zzTopSecretValue';
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', sink: (_level, line) => lines.push(line) });
    const provider = providerFor(emulator, { logger }, profileFor(emulator, { type: 'secret', clientSecret: wrongSecret }));

    const error = await failure(provider.fetchCalendar({ address: ADELE, window }));
    expect(error).toMatchObject({ kind: 'configuration', code: 'graph-credentials' });
    expect(error.message).toContain('"M365"');
    expect(error.message).toContain('AADSTS7000215');
    expect(error.message).not.toContain(wrongSecret);
    expect(lines.join('\n')).not.toContain(wrongSecret);
    // Bad credentials are not retried.
    expect(emulator.record.filter((r) => r.path.endsWith('/oauth2/v2.0/token'))).toHaveLength(1);
    await expect(provider.checkConnection()).rejects.toMatchObject({ kind: 'configuration' });
  });

  it('when the tenant is wrong, then msal\'s endpoints_resolution_error becomes a configuration error naming the tenant, not a retry', async () => {
    const provider = providerFor(emulator, {}, { ...profileFor(emulator), tenantId: 'contoso-typo.onmicrosoft.com' });

    const error = await failure(provider.fetchCalendar({ address: ADELE, window }));
    expect(error).toMatchObject({ kind: 'configuration', code: 'graph-tenant-not-found' });
    expect(error.message).toContain('AADSTS90002');
    expect(error.message).toContain('endpoints_resolution_error');
    expect(error.message).toContain('PROFILE_M365_TENANT_ID');
    // Asked once: no retry, and no Graph call without a token.
    expect(emulator.record.filter((r) => r.path.endsWith('/openid-configuration'))).toHaveLength(1);
    expect(emulator.record.filter((r) => r.path.startsWith('/v1.0/'))).toHaveLength(0);
    await expect(provider.checkConnection()).rejects.toMatchObject({ kind: 'configuration', code: 'graph-tenant-not-found' });
  });

  it('when the sign-in endpoint cannot be reached, then the same msal error stays a transient failure', async () => {
    emulator.fault({ path: /openid-configuration$/, kind: 'status', status: 503, times: Infinity });
    const error = await failure(providerFor(emulator, { maxRetries: 0 }).fetchCalendar({ address: ADELE, window }));
    expect(error).toMatchObject({ kind: 'transient', code: 'token-unavailable' });
    expect(error.message).toContain('endpoints_resolution_error');
  });

  it('when Graph refuses the token (401), then the error is a configuration error naming the profile', async () => {
    const provider = providerFor(emulator);
    await provider.fetchCalendar({ address: ADELE, window });
    emulator.control.revokeAccessTokens();
    const error = await failure(provider.fetchCalendar({ address: ADELE, window }));
    expect(error).toMatchObject({ kind: 'configuration', code: 'graph-unauthorized' });
    expect(error.message).toContain('"M365"');
  });

  it('when the app signs in with a certificate, then the signed client assertion is accepted', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const thumbprint = createHash('sha1').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
    const certApp = 'a2b1c4d3-0000-4000-8000-00000000cafe';
    emulator.control.registerApp({ clientId: certApp, certificate: { thumbprint, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() } });
    const profile = { ...profileFor(emulator, { type: 'certificate', privateKeyPem, thumbprint: thumbprint.toUpperCase() }), clientId: certApp };

    const result = await providerFor(emulator, {}, profile).fetchCalendar({ address: ADELE, window });
    expect(result.items).toHaveLength(1);
    const tokenRequest = new URLSearchParams(emulator.record.find((r) => r.path.endsWith('/token'))?.body ?? '');
    expect(tokenRequest.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    expect(tokenRequest.get('client_secret')).toBeNull();
  });

  it('when the certificate key does not match the registered one, then sign-in is a configuration error', async () => {
    const registered = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const thumbprint = 'ab'.repeat(20);
    emulator.control.registerApp({ clientId: CLIENT_ID, certificate: { thumbprint, publicKeyPem: registered.publicKey.export({ type: 'spki', format: 'pem' }).toString() } });
    const privateKeyPem = other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const provider = providerFor(emulator, {}, profileFor(emulator, { type: 'certificate', privateKeyPem, thumbprint }));

    const error = await failure(provider.checkConnection());
    expect(error).toMatchObject({ kind: 'configuration', code: 'graph-credentials' });
    expect(error.message).toContain('AADSTS700027');
    expect(error.message).not.toContain('PRIVATE KEY');
  });
});

describe('Graph provider through an HTTPS proxy', () => {
  let emulator: RunningGraphEmulator;
  let proxy: ConnectProxy;
  beforeEach(async () => {
    emulator = await startKit();
    emulator.control.addUser({ address: ADELE });
    proxy = await startConnectProxy();
  });
  afterEach(async () => {
    await emulator.close();
    await proxy.close();
  });

  it('when a proxy is configured, then sign-in and Graph calls both tunnel through it', async () => {
    const result = await providerFor(emulator, { proxyUrl: proxy.url, noProxy: '' }).fetchCalendar({ address: ADELE, window });
    expect(result.mode).toBe('full');
    expect(proxy.tunnels.length).toBeGreaterThanOrEqual(1);
    expect(new Set(proxy.tunnels)).toEqual(new Set([`127.0.0.1:${emulator.port}`]));
    expect(emulator.record.map((r) => r.path)).toContain('/v1.0/$batch');
  });
});
