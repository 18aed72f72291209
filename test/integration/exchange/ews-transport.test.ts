/**
 * The production EWS transport against the emulator's real HTTPS front on loopback: NTLMv2
 * handshakes counted by the server, one per kept-alive connection; channel binding; the
 * credential and stray-401 rules; Basic; limits. The service behind the front is a tiny echo.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isAppError, type AppError } from '../../../shared/errors/app-error.js';
import { createEwsTransport, type EwsTransport, type EwsTransportOptions } from '../../../shared/providers/exchange/ews-transport.js';
import { startEwsServer, type EwsServer, type EwsServerOptions, type EwsService, type EwsServiceRequest } from '../../../tools/emulators/exchange/ews-emulator-server.js';
import { startConnectProxy, type ConnectProxy } from '../../support/connect-proxy.js';
import { ECDSA_SHA384_CERT, ECDSA_SHA384_KEY } from '../../support/signature-certificates.js';

const PASSWORD = 'S3rvice-Acc0unt!pw';
const seen: EwsServiceRequest[] = [];
const echo: EwsService = async (request) => {
  seen.push(request);
  return { status: 200, body: `<echo user="${request.user}">${request.body}</echo>` };
};

const servers: EwsServer[] = [];
const transports: EwsTransport[] = [];
const proxies: ConnectProxy[] = [];
afterEach(async () => {
  seen.length = 0;
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

async function server(overrides: Partial<EwsServerOptions> = {}): Promise<EwsServer> {
  const started = await startEwsServer({
    accounts: new Map([['CONTOSO\\svc-sync', PASSWORD]]),
    extendedProtection: 'require',
    authentication: ['ntlm'],
    service: echo,
    ...overrides,
  });
  servers.push(started);
  return started;
}

function transport(s: EwsServer, overrides: Partial<EwsTransportOptions> = {}): EwsTransport {
  const created = createEwsTransport({
    profileName: 'onprem-paris',
    url: s.url,
    credentials: { method: 'ntlm', userName: 'CONTOSO\\svc-sync', password: PASSWORD },
    timeoutMs: 10_000,
    caCertificates: [s.caCertificate],
    env: {},
    ...overrides,
  });
  transports.push(created);
  return created;
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAppError(error)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe('EWS transport, NTLMv2 over a kept-alive connection', () => {
  it('when posting with Extended Protection on Require, then the handshake passes and the service sees the account, body and headers', async () => {
    const s = await server();
    const answer = await transport(s).post('<soap/>', { anchorMailbox: 'anna@contoso.com' });
    expect(answer).toMatchObject({ status: 200, body: '<echo user="CONTOSO\\svc-sync"><soap/></echo>' });
    expect(answer.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(seen[0]?.headers['x-anchormailbox']).toBe('anna@contoso.com');
    expect(seen[0]?.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(s.counters()).toMatchObject({ handshakes: 1, authentications: 1, rejections: 0, requests: 1, connections: 1 });
  });

  it('when Extended Protection is Allow or Off, then the bound client passes too', async () => {
    const s = await server({ extendedProtection: 'allow' });
    const t = transport(s, { maxConnections: 1 });
    expect((await t.post('<a/>', {})).status).toBe(200);
    s.setExtendedProtection('off');
    s.dropConnections();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await t.post('<b/>', {})).status).toBe(200);
    expect(s.counters()).toMatchObject({ authentications: 2, rejections: 0 });
  });

  it('when 25 requests follow one another, then one handshake serves them all on one connection', async () => {
    const s = await server();
    const t = transport(s, { maxConnections: 1 });
    for (let i = 0; i < 25; i += 1) expect((await t.post(`<n>${i}</n>`, {})).body).toContain(`<n>${i}</n>`);
    expect(s.counters()).toMatchObject({ handshakes: 1, authentications: 1, requests: 25, connections: 1 });
  });

  it('when 40 requests run at once with maxConnections 3, then at most 3 connections open, each authenticated once', async () => {
    const s = await server();
    const t = transport(s, { maxConnections: 3 });
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => t.post(`<n>${i}</n>`, {})));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    await Promise.all(Array.from({ length: 20 }, (_, i) => t.post(`<m>${i}</m>`, {})));
    const counters = s.counters();
    expect(counters.connections).toBeLessThanOrEqual(3);
    expect(counters.handshakes).toBe(counters.connections);
    expect(counters.requests).toBe(60);
  });

  it('when the server closes its connections, then the next request opens a new one and authenticates it', async () => {
    const s = await server();
    const t = transport(s);
    await t.post('<a/>', {});
    s.dropConnections();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await t.post('<b/>', {})).status).toBe(200);
    expect(s.counters()).toMatchObject({ handshakes: 2, authentications: 2, requests: 2, connections: 2 });
  });

  it('when a kept-alive connection is reset as it is reused, then the request is sent once more on a new, authenticated connection', async () => {
    const s = await server();
    const t = transport(s, { maxConnections: 1 });
    await t.post('<a/>', {});
    s.resetNextRequests(1);
    expect((await t.post('<b/>', {})).body).toContain('<b/>');
    expect(s.counters()).toMatchObject({ handshakes: 2, requests: 2, connections: 2 });
  });

  it('when the new connection is reset too, then the failure is transient and not retried further', async () => {
    const s = await server();
    const t = transport(s, { maxConnections: 1 });
    await t.post('<a/>', {});
    s.resetNextRequests(2);
    expect(await failure(t.post('<b/>', {}))).toMatchObject({ kind: 'transient', code: 'network' });
    expect(s.counters()).toMatchObject({ requests: 1, connections: 2 });
  });

  it('when the transport is closed, then a later post fails as transient without connecting', async () => {
    const s = await server();
    const t = transport(s);
    await t.post('<a/>', {});
    await t.close();
    expect(await failure(t.post('<b/>', {}))).toMatchObject({ kind: 'transient', code: 'closed' });
    expect(s.counters().connections).toBe(1);
  });

  it('when the user name is a UPN and the account is configured as DOMAIN\\user, then it signs in as that account', async () => {
    const s = await server();
    const answer = await transport(s, { credentials: { method: 'ntlm', userName: 'svc-sync@contoso.com', password: PASSWORD } }).post('<x/>', {});
    expect(answer.body).toContain('user="CONTOSO\\svc-sync"');
  });

  it('when the server certificate is signed with ECDSA-SHA384, then both ends bind with SHA-384 and Require passes', async () => {
    const s = await server({ tls: { key: ECDSA_SHA384_KEY, cert: ECDSA_SHA384_CERT } });
    expect((await transport(s).post('<x/>', {})).status).toBe(200);
  });

  it('when HTTPS_PROXY is set, then the request tunnels through it and the binding still matches the server`s certificate', async () => {
    const s = await server();
    const proxy = await startConnectProxy();
    proxies.push(proxy);
    const t = transport(s, { env: { HTTPS_PROXY: proxy.url }, maxConnections: 1 });
    await t.post('<a/>', {});
    await t.post('<b/>', {});
    expect(proxy.tunnels).toEqual([new URL(s.url).host]);
    expect(s.counters()).toMatchObject({ handshakes: 1, requests: 2 });
  });
});

describe('EWS transport, refusals', () => {
  it('when the password is wrong, then one handshake ends in a configuration error that names the profile and not the password', async () => {
    const s = await server();
    const error = await failure(transport(s, { credentials: { method: 'ntlm', userName: 'CONTOSO\\svc-sync', password: 'wrong-Passw0rd' } }).post('<x/>', {}));
    expect(error).toMatchObject({ kind: 'configuration', code: 'exchange-credentials-rejected' });
    expect(error.message).toContain('onprem-paris');
    expect(`${error.message} ${error.stack ?? ''} ${JSON.stringify(error)}`).not.toContain('wrong-Passw0rd');
    expect(s.counters()).toMatchObject({ handshakes: 1, rejections: 1, requests: 0 });
  });

  it('when the password changes on the server, then authenticated connections go on and the next new connection is refused as configuration', async () => {
    const s = await server();
    const t = transport(s, { maxConnections: 1 });
    await t.post('<a/>', {});
    s.setPassword('CONTOSO\\svc-sync', 'N3w-password!');
    expect((await t.post('<b/>', {})).status).toBe(200);
    s.dropConnections();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await failure(t.post('<c/>', {}))).toMatchObject({ kind: 'configuration', code: 'exchange-credentials-rejected' });
  });

  it('when a stray 401 hits an authenticated connection, then the transport authenticates again once and the request succeeds', async () => {
    const s = await server();
    const t = transport(s, { maxConnections: 1 });
    await t.post('<a/>', {});
    s.strayUnauthorized(1);
    expect((await t.post('<b/>', {})).body).toContain('<b/>');
    expect(s.counters()).toMatchObject({ handshakes: 2, authentications: 2, requests: 2, connections: 1 });
  });

  it('when the fresh handshake after a stray 401 is refused too, then the failure is transient (flapping), and the next request recovers', async () => {
    const s = await server();
    const t = transport(s, { maxConnections: 1 });
    await t.post('<a/>', {});
    s.strayUnauthorized(2);
    expect(await failure(t.post('<b/>', {}))).toMatchObject({ kind: 'transient', code: 'exchange-auth-flapping' });
    expect((await t.post('<c/>', {})).status).toBe(200);
    expect(s.counters().handshakes).toBe(3);
  });

  it('when the client sends no channel binding and Extended Protection is Require, then the server refuses it', async () => {
    const s = await server();
    // The production client always binds; a client without binding is the NTLM messages sent by hand.
    const { handshakeByHand } = await import('./ntlm-by-hand.js');
    expect(await handshakeByHand(s, 'CONTOSO\\svc-sync', PASSWORD, Buffer.alloc(16))).toBe(401);
    s.setExtendedProtection('allow');
    expect(await handshakeByHand(s, 'CONTOSO\\svc-sync', PASSWORD, Buffer.alloc(16))).toBe(200);
    expect(await handshakeByHand(s, 'CONTOSO\\svc-sync', PASSWORD, Buffer.alloc(16, 7))).toBe(401);
    expect(s.counters()).toMatchObject({ handshakes: 3, authentications: 1, rejections: 2 });
  });

  it('when the AUTHENTICATE arrives on another connection than its challenge, then the server refuses it', async () => {
    const s = await server({ extendedProtection: 'off' });
    const { handshakeByHand } = await import('./ntlm-by-hand.js');
    expect(await handshakeByHand(s, 'CONTOSO\\svc-sync', PASSWORD, Buffer.alloc(16), true)).toBe(401);
    expect(await handshakeByHand(s, 'CONTOSO\\svc-sync', PASSWORD, Buffer.alloc(16), false)).toBe(200);
    expect(s.counters()).toMatchObject({ connections: 3, rejections: 1, authentications: 1 });
  });

  it('when the server`s certificate is not trusted, then the failure is configuration and says so', async () => {
    const s = await server();
    const error = await failure(transport(s, { caCertificates: [] }).post('<x/>', {}));
    expect(error).toMatchObject({ kind: 'configuration', code: 'exchange-certificate-untrusted' });
  });

  it('when the URL is not https, then the transport is refused at creation', () => {
    expect(() =>
      createEwsTransport({ profileName: 'p', url: 'http://mail.contoso.com/EWS/Exchange.asmx', credentials: { method: 'basic', userName: 'u', password: 'secret-pw' }, timeoutMs: 1000 }),
    ).toThrow(/must be https/);
  });
});

describe('EWS transport, Basic', () => {
  it('when the server offers Basic and the profile uses it, then every request carries it and none needs a handshake', async () => {
    const s = await server({ authentication: ['basic'], accounts: new Map([['svc-sync@contoso.com', PASSWORD]]) });
    const t = transport(s, { credentials: { method: 'basic', userName: 'svc-sync@contoso.com', password: PASSWORD } });
    expect((await t.post('<a/>', {})).body).toContain('user="svc-sync@contoso.com"');
    expect((await t.post('<b/>', {})).status).toBe(200);
    expect(s.counters()).toMatchObject({ handshakes: 0, requests: 2 });
  });

  it('when the Basic password is wrong, then it is the profile`s configuration error', async () => {
    const s = await server({ authentication: ['basic', 'ntlm'] });
    const error = await failure(transport(s, { credentials: { method: 'basic', userName: 'CONTOSO\\svc-sync', password: 'nope-nope' } }).post('<a/>', {}));
    expect(error).toMatchObject({ kind: 'configuration', code: 'exchange-credentials-rejected' });
    expect(error.message).not.toContain('nope-nope');
  });

  it('when the profile asks Basic of a server that offers only Windows authentication, then the error says what the server offers', async () => {
    const s = await server();
    const error = await failure(transport(s, { credentials: { method: 'basic', userName: 'CONTOSO\\svc-sync', password: PASSWORD } }).post('<a/>', {}));
    expect(error).toMatchObject({ kind: 'configuration', code: 'exchange-basic-not-offered' });
    expect(error.message).toContain('Negotiate, NTLM');
  });

  it('when the profile asks NTLM of a server that offers only Basic, then the error says what the server offers', async () => {
    const s = await server({ authentication: ['basic'] });
    const error = await failure(transport(s).post('<a/>', {}));
    expect(error).toMatchObject({ kind: 'configuration', code: 'exchange-ntlm-not-offered' });
    expect(error.message).toContain('Basic');
  });
});

describe('EWS transport, limits', () => {
  it('when the service does not answer in time, then the failure is transient', async () => {
    const s = await server({ service: () => new Promise(() => undefined) });
    expect(await failure(transport(s, { timeoutMs: 500 }).post('<a/>', {}))).toMatchObject({ kind: 'transient', code: 'timeout' });
  });

  it('when requests queue for the one connection behind slow answers, then each has the whole timeout once it holds the connection, however long it waited', async () => {
    const s = await server({
      service: async (request) => {
        await new Promise((resolve) => setTimeout(resolve, 700));
        return echo(request);
      },
    });
    const t = transport(s, { maxConnections: 1, timeoutMs: 1500 });
    const started = Date.now();
    const answers = await Promise.all(['<a/>', '<b/>', '<c/>'].map((body) => t.post(body, {})));
    // The third waited about two answers (1.4 s) before it had the connection: as long as its own timeout
    expect(Date.now() - started).toBeGreaterThanOrEqual(2100);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(s.counters().connections).toBe(1);
  });

  it('when the answer is larger than the cap, then it is cut off as transient', async () => {
    const s = await server({ service: async () => ({ status: 200, body: 'x'.repeat(200_000) }) });
    expect(await failure(transport(s, { maxResponseBytes: 100_000 }).post('<a/>', {}))).toMatchObject({ kind: 'transient', code: 'response-too-large' });
  });

  it('when Exchange answers 500 with a fault, then the answer is returned as it is', async () => {
    const s = await server({ service: async () => ({ status: 500, body: '<s:Fault/>' }) });
    expect(await transport(s).post('<a/>', {})).toMatchObject({ status: 500, body: '<s:Fault/>' });
  });
});
