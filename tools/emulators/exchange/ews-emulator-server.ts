/**
 * The EWS emulator's HTTPS front, as IIS stands in front of Exchange: real TLS on loopback,
 * Windows authentication with the NTLM handshake bound to the connection, Basic when offered,
 * and the `EwsService` behind it for the requests that got in. What it does, and why:
 *
 * - a request without credentials on a connection not yet authenticated gets 401 with two
 *   `WWW-Authenticate` headers, `Negotiate` and `NTLM` (what Exchange sends;
 *   ews-javascript-api#104 shows the pair), plus `Basic realm=…` when Basic is on;
 * - NTLM is per connection: the challenge belongs to the socket it was sent on, and once the
 *   AUTHENTICATE passes, later requests on that socket need no header (IIS's default,
 *   authPersistSingleRequest false); a new socket starts again;
 * - a wrong password is answered 401 with the same headers, so a naive client loops (IIS does);
 * - Basic is checked on every request and binds nothing to the socket;
 * - Extended Protection (Off, Allow, Require) is checked by the acceptor against the binding of
 *   this server's own certificate.
 * Faults that are Exchange's (ErrorServerBusy, 503, …) belong to the service; only the stray
 * 401 of an overloaded front end (exchangelib retries on it, `protocol.py`) is switched here.
 */
import { X509Certificate } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { certificateBindingHash } from '../../../shared/providers/exchange/ntlm-channel-binding.js';
import { splitUserName } from '../../../shared/providers/exchange/ews-transport.js';
import { LOOPBACK_TLS_CERT, LOOPBACK_TLS_KEY } from '../graph/loopback-certificate.js';
import { challengeFor, verifyAuthenticate, type ExtendedProtection, type PendingChallenge } from './ntlm-acceptor.js';

export interface EwsServiceRequest {
  /** The authenticated account, as configured in `accounts`. */
  readonly user: string;
  readonly body: string;
  readonly headers: IncomingHttpHeaders;
}

export interface EwsServiceAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

export type EwsService = (request: EwsServiceRequest) => Promise<EwsServiceAnswer>;

export interface EwsServerOptions {
  /** User name -> password; a name is `DOMAIN\user` or `user@dns.domain`, and either form signs in as the other (see accountFor). */
  readonly accounts: ReadonlyMap<string, string>;
  readonly extendedProtection: ExtendedProtection;
  /** What the server offers. */
  readonly authentication: readonly ('ntlm' | 'basic')[];
  readonly service: EwsService;
  /** Another certificate and key (PEM) than the loopback one, e.g. one signed with SHA-384. */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** 0 (any free port) by default. */
  readonly port?: number;
}

export interface EwsServerCounters {
  /** NTLM challenges sent (one per NEGOTIATE received). */
  readonly handshakes: number;
  /** AUTHENTICATE messages accepted. */
  readonly authentications: number;
  /** Credentials refused (NTLM or Basic). */
  readonly rejections: number;
  /** Requests passed to the service. */
  readonly requests: number;
  /** TLS connections accepted. */
  readonly connections: number;
}

export interface EwsServer {
  /** https://127.0.0.1:port/EWS/Exchange.asmx */
  readonly url: string;
  /** The certificate (PEM) clients must trust. */
  readonly caCertificate: string;
  setPassword(user: string, password: string): void;
  setExtendedProtection(mode: ExtendedProtection): void;
  /**
   * The next `count` requests that would reach the service on an NTLM-authenticated connection
   * are answered 401 instead, and the connection forgets its authentication: the stray 401 of
   * an overloaded front end.
   */
  strayUnauthorized(count: number): void;
  /** Closes every open connection, as an idle timeout or a restart does; authentications go with them. */
  dropConnections(): void;
  /**
   * The next `count` requests lose their connection before any answer: the race of a kept-alive
   * connection the server closes just as the client reuses it.
   */
  resetNextRequests(count: number): void;
  counters(): EwsServerCounters;
  close(): Promise<void>;
}

/** IIS's connectionTimeout default: an idle keep-alive connection is closed after 120 s. */
const IDLE_CONNECTION_MS = 120_000;
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

interface ConnectionState {
  pending?: PendingChallenge | undefined;
  account?: string | undefined;
}

export async function startEwsServer(options: EwsServerOptions): Promise<EwsServer> {
  const accounts = new Map(options.accounts);
  let extendedProtection = options.extendedProtection;
  let strays = 0;
  let resets = 0;
  const counts = { handshakes: 0, authentications: 0, rejections: 0, requests: 0, connections: 0 };
  const tls = options.tls ?? { key: LOOPBACK_TLS_KEY, cert: LOOPBACK_TLS_CERT };
  const expectedBinding = certificateBindingHash(new X509Certificate(tls.cert).raw);
  const connections = new WeakMap<Socket, ConnectionState>();
  const open = new Set<Socket>();
  const offersNtlm = options.authentication.includes('ntlm');
  const offersBasic = options.authentication.includes('basic');

  const server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.keepAliveTimeout = IDLE_CONNECTION_MS;
  server.on('secureConnection', (socket: Socket) => {
    counts.connections += 1;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });

  function stateOf(socket: Socket): ConnectionState {
    let state = connections.get(socket);
    if (!state) connections.set(socket, (state = {}));
    return state;
  }

  function unauthorized(res: ServerResponse, challenge?: string): void {
    const offers = challenge ? [challenge] : [...(offersNtlm ? ['Negotiate', 'NTLM'] : []), ...(offersBasic ? ['Basic realm="127.0.0.1"'] : [])];
    res.setHeader('WWW-Authenticate', offers);
    res.writeHead(401, { 'Content-Type': 'text/html' }).end('<html><body>401 - Unauthorized: Access is denied due to invalid credentials.</body></html>');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (body === undefined) return void res.writeHead(413).end();
    if (resets > 0) {
      resets -= 1;
      return void req.socket.destroy();
    }
    const state = stateOf(req.socket);
    const authorization = req.headers.authorization ?? '';
    const ntlm = /^(NTLM|Negotiate)\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
    if (ntlm && offersNtlm) {
      const scheme = ntlm[1] ?? 'NTLM';
      const token = Buffer.from(ntlm[2] ?? '', 'base64');
      const pending = challengeFor(token, Date.now());
      if (pending) {
        // A NEGOTIATE, even on an authenticated connection, starts over (IIS re-authenticates).
        counts.handshakes += 1;
        state.account = undefined;
        state.pending = pending;
        return unauthorized(res, `${scheme} ${pending.challengeMessage.toString('base64')}`);
      }
      const challenge = state.pending;
      state.pending = undefined;
      const verdict = challenge ? await verifyAuthenticate(token, challenge, { findAccount: (user, domain) => accountFor(accounts, user, domain), extendedProtection, expectedBinding }) : undefined;
      if (!verdict?.ok) {
        counts.rejections += 1;
        return unauthorized(res);
      }
      counts.authentications += 1;
      state.account = verdict.account;
      return serveNtlm(req, res, state, body);
    }
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
    if (basic && offersBasic) {
      const [name = '', ...rest] = Buffer.from(basic[1] ?? '', 'base64').toString('utf8').split(':');
      const { user, domain } = splitUserName(name);
      const found = accountFor(accounts, user, domain);
      if (!found || found.password !== rest.join(':')) {
        counts.rejections += 1;
        return unauthorized(res);
      }
      return serve(res, found.account, req.headers, body);
    }
    if (state.account !== undefined && offersNtlm) return serveNtlm(req, res, state, body);
    return unauthorized(res);
  }

  async function serveNtlm(req: IncomingMessage, res: ServerResponse, state: ConnectionState, body: string): Promise<void> {
    if (strays > 0) {
      strays -= 1;
      state.account = undefined;
      return unauthorized(res);
    }
    return serve(res, state.account ?? '', req.headers, body);
  }

  async function serve(res: ServerResponse, user: string, headers: IncomingHttpHeaders, body: string): Promise<void> {
    counts.requests += 1;
    const answer = await options.service({ user, body, headers });
    res.writeHead(answer.status, { 'Content-Type': 'text/xml; charset=utf-8', ...answer.headers }).end(answer.body);
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}/EWS/Exchange.asmx`,
    caCertificate: tls.cert,
    setPassword: (user, password) => {
      const key = [...accounts.keys()].find((name) => name.toLowerCase() === user.toLowerCase()) ?? user;
      accounts.set(key, password);
    },
    setExtendedProtection: (mode) => {
      extendedProtection = mode;
    },
    strayUnauthorized: (count) => {
      strays = count;
    },
    dropConnections: () => {
      for (const socket of open) socket.destroy();
    },
    resetNextRequests: (count) => {
      resets = count;
    },
    counters: () => ({ ...counts }),
    close: async () => {
      for (const socket of open) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The configured account that a sign-in name denotes, case-insensitively: `DOMAIN\user` as
 * itself, a UPN as itself, and either as the other when the NetBIOS domain is the first label
 * of the UPN's DNS suffix (CONTOSO\svc is svc@contoso.com), as in a domain set up the usual way.
 */
export function accountFor(accounts: ReadonlyMap<string, string>, user: string, domain: string): { account: string; password: string } | undefined {
  const forms = (name: string): string[] => {
    const lower = name.toLowerCase();
    const upn = /^([^@\\]+)@([^.@]+)(\..*)?$/.exec(lower);
    const down = /^([^\\]+)\\([^@\\]+)$/.exec(lower);
    return [lower, ...(upn ? [`${upn[2]}\\${upn[1]}`] : []), ...(down ? [down[0]] : [])];
  };
  const wanted = domain === '' ? forms(user) : forms(`${domain}\\${user}`);
  for (const [account, password] of accounts) {
    if (forms(account).some((form) => wanted.includes(form))) return { account, password };
  }
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
