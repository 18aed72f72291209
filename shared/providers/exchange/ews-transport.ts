/**
 * The one HTTP path to an Exchange server's EWS endpoint: SOAP POSTs over HTTPS, authenticated
 * with NTLMv2 once per kept-alive connection (or Basic on every request), through HTTPS_PROXY
 * when one is set, with extra trusted CA certificates, a deadline, and a cap on the answer.
 *
 * Why connections are handled one by one ("lanes"): IIS keeps NTLM authentication per TCP
 * connection (IIS settings schema, windowsAuthentication: authPersistSingleRequest, default
 * False, "IIS resets the authentication at the end of each request" only when True), and the three legs of a handshake
 * must travel on the same socket. A shared agent pool would hand the socket to another request
 * between the CHALLENGE and the AUTHENTICATE, so each lane is an agent of one socket that
 * serves one request at a time, and the transport keeps at most `maxConnections` lanes. Which
 * sockets are authenticated is tracked per socket object: a socket the server closed is
 * replaced by the agent with a new one, which is not in the set, so it gets a handshake.
 *
 * What a 401 means: after a full handshake on one socket (our AUTHENTICATE refused) the
 * credentials are wrong: a configuration error naming the profile, never a retry loop. On a
 * socket that was authenticated it is a stray (exchangelib `protocol.py` meets them under load):
 * re-authenticate once; a second refusal within the same request is transient.
 */
import type { Agent, ClientRequest, IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { configurationError, transientError, type AppError } from '../../errors/app-error.js';
import { registerSecret } from '../../observability/logger.js';
import { isUntrustedCertificate, secureContextTrusting } from '../../tls/trusted-certificates.js';
import { createAgents, proxyFor, type ProxyEnv } from '../../tls/outbound-proxy.js';
import { MAX_RESPONSE_BYTES } from '../read-limits.js';
import { encodeAuthenticate, encodeNegotiate, NtlmFormatError } from './ntlm.js';
import { certificateBindingHash } from './ntlm-channel-binding.js';

export interface EwsCredentials {
  readonly method: 'ntlm' | 'basic';
  /** `DOMAIN\user` or `user@domain`. */
  readonly userName: string;
  readonly password: string;
}

export interface EwsTransportOptions {
  /** Named in every error, so an operator knows which profile's settings to look at. */
  readonly profileName: string;
  /** https://host/EWS/Exchange.asmx */
  readonly url: string;
  readonly credentials: EwsCredentials;
  /** One post, from taking a connection to the last byte of the answer, handshake included. */
  readonly timeoutMs: number;
  /** Longest answer read; a longer one is cut off as it arrives. Default MAX_RESPONSE_BYTES. */
  readonly maxResponseBytes?: number;
  /** Extra PEM roots, as for CMG (shared/tls). */
  readonly caCertificates?: readonly string[];
  /** Connections to the server at most: the per-profile limit (default 10, below EWSMaxConcurrency 27). */
  readonly maxConnections?: number;
  /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY; the process environment by default. */
  readonly env?: ProxyEnv;
}

export interface EwsHttpAnswer {
  readonly status: number;
  readonly body: string;
  /** Lower-case names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
}

export interface EwsTransport {
  /**
   * POSTs one SOAP envelope (text/xml; charset=utf-8) with X-AnchorMailbox; resolves with any
   * HTTP status except auth failures: a 401 after a full handshake with our credentials throws
   * AppError 'configuration' (code 'exchange-credentials-rejected', naming the profile, never
   * the password); a stray 401 on an already-authenticated socket is re-handshaked once, then
   * is transient ('exchange-auth-flapping'). Network errors and timeouts throw AppError 'transient'.
   */
  post(envelope: string, options: { readonly anchorMailbox?: string | undefined }): Promise<EwsHttpAnswer>;
  /** Closes every connection; later posts fail. */
  close(): Promise<void>;
}

const DEFAULT_MAX_CONNECTIONS = 10;

interface Lane {
  readonly agent: Agent;
  /** The socket of the lane's last exchange. */
  socket: Socket | undefined;
  busy: boolean;
}

interface Exchanged extends EwsHttpAnswer {
  readonly socket: Socket;
  /** Every WWW-Authenticate value, each on its own (Node joins repeated headers into one). */
  readonly authenticate: readonly string[];
}

/** Raised when a reused keep-alive socket turned out closed before any answer: safe to send again on a new one. */
class StaleSocket extends Error {}

export function createEwsTransport(options: EwsTransportOptions): EwsTransport {
  const target = new URL(options.url);
  const profile = `Exchange profile "${options.profileName}"`;
  if (target.protocol !== 'https:') throw configurationError(`${profile}: the EWS URL must be https (credentials never travel in clear)`, 'exchange-url-not-https');
  const { credentials } = options;
  registerSecret(credentials.password);
  const basicToken = Buffer.from(`${credentials.userName}:${credentials.password}`, 'utf8').toString('base64');
  registerSecret(basicToken);
  const { user, domain } = splitUserName(credentials.userName);
  const maxConnections = Math.max(1, options.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
  const maxResponseBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  const secureContext = secureContextTrusting(options.caCertificates);
  const env = options.env ?? process.env;
  const workstation = hostname().split('.')[0]?.toUpperCase() ?? '';
  const spn = `HTTP/${target.hostname}`;

  const lanes: Lane[] = [];
  const waiting: Array<(lane: Lane) => void> = [];
  const authenticated = new WeakSet<Socket>();
  let closed = false;

  /**
   * The channel binding of each socket, taken when its TLS handshake completes: Node gives the
   * peer certificate reliably only then (once TLS 1.3's session ticket arrives it may answer
   * undefined), and not at all on a resumed session, so the direct agent resumes none.
   */
  const bindings = new WeakMap<Socket, Buffer>();
  const laneAgent = (): Agent =>
    proxyFor(target, env) === undefined
      ? new HttpsAgent({ keepAlive: true, maxSockets: 1, maxCachedSessions: 0, ...(secureContext ? { secureContext } : {}) })
      : createAgents(target, env, 1, secureContext).httpsAgent;
  const noteBinding = (socket: Socket): void => {
    if (bindings.has(socket)) return;
    const capture = (): void => {
      const certificate = (socket as TLSSocket).getPeerX509Certificate?.();
      if (certificate) bindings.set(socket, certificateBindingHash(certificate.raw));
    };
    capture();
    if (!bindings.has(socket)) socket.once('secureConnect', capture);
  };

  const isAuthenticated = (socket: Socket | undefined): socket is Socket => socket !== undefined && !socket.destroyed && authenticated.has(socket);

  /** An idle lane, preferring one whose socket is authenticated; a new one below the limit; else wait. */
  function acquire(): Promise<Lane> {
    const idle = lanes.filter((lane) => !lane.busy);
    const lane = idle.find((candidate) => isAuthenticated(candidate.socket)) ?? idle[0];
    if (lane) {
      lane.busy = true;
      return Promise.resolve(lane);
    }
    if (lanes.length < maxConnections) {
      const created: Lane = { agent: laneAgent(), socket: undefined, busy: true };
      lanes.push(created);
      return Promise.resolve(created);
    }
    return new Promise((resolve) => waiting.push(resolve));
  }

  function release(lane: Lane): void {
    const next = waiting.shift();
    if (next) next(lane);
    else lane.busy = false;
  }

  /** One HTTP exchange on the lane's agent, read whole (up to the cap) before the deadline. */
  function exchange(lane: Lane, headers: Record<string, string>, body: string, deadline: number): Promise<Exchanged> {
    return new Promise<Exchanged>((resolve, reject) => {
      let outgoing: ClientRequest | undefined = undefined;
      let answered = false;
      let tooLarge = false;
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        outgoing?.destroy();
      }, Math.max(1, deadline - Date.now()));
      const fail = (error: Error & { code?: string }): void => {
        clearTimeout(timer);
        if (tooLarge) return reject(transientError(`${profile}: ${target.host} answered with more than ${maxResponseBytes} bytes; the answer was cut off`, 'response-too-large'));
        if (timedOut) return reject(transientError(`${profile}: ${target.host} did not answer within ${options.timeoutMs} ms`, 'timeout', undefined, error));
        if (isUntrustedCertificate(error.code)) {
          return reject(configurationError(`${profile}: the certificate of ${target.host} is not trusted (${error.code}); add its CA to the profile's CA certificates`, 'exchange-certificate-untrusted'));
        }
        if (!answered && outgoing?.reusedSocket) return reject(new StaleSocket(error.message));
        reject(transientError(`${profile}: connection to ${target.host} failed (${error.code ?? error.name})`, 'network', undefined, error));
      };
      const sent = { ...headers, 'Content-Length': String(Buffer.byteLength(body)) };
      // The TLS options go with the request too: through a proxy the tunnelled TLS connection is
      // built from the request's options (see shared/tls/outbound-proxy.ts).
      outgoing = httpsRequest(target, { method: 'POST', headers: sent, agent: lane.agent, ...(secureContext ? { secureContext } : {}) }, (res: IncomingMessage) => {
        answered = true;
        // Taken now: once the answer ends, the socket goes back to the agent and res.socket is null.
        const socket = res.socket;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= maxResponseBytes) return void chunks.push(chunk);
          tooLarge = true;
          outgoing?.destroy();
        });
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          const out: Record<string, string> = {};
          const authenticate: string[] = [];
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
            const name = (res.rawHeaders[i] ?? '').toLowerCase();
            const value = res.rawHeaders[i + 1] ?? '';
            out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
            if (name === 'www-authenticate') authenticate.push(value);
          }
          resolve({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks).toString('utf8'), socket, authenticate });
        });
      });
      outgoing.on('socket', (socket: Socket) => {
        lane.socket = socket;
        noteBinding(socket);
      });
      outgoing.on('error', fail);
      outgoing.end(body);
    });
  }

  const rejected = (): AppError =>
    configurationError(`${profile}: ${target.host} refused the credentials of ${credentials.userName} (${credentials.method}); check the user name and password`, 'exchange-credentials-rejected');

  /** The server's NTLM challenge among the 401's WWW-Authenticate values (`NTLM <token>`, or raw NTLM under `Negotiate`). */
  function challengeIn(answer: Exchanged): Buffer | undefined {
    for (const value of answer.authenticate) {
      const match = /^(?:NTLM|Negotiate)\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value.trim());
      if (match?.[1]) return Buffer.from(match[1], 'base64');
    }
    return undefined;
  }

  /**
   * NEGOTIATE (empty body) -> 401 with the CHALLENGE -> AUTHENTICATE carrying the envelope, all
   * on one socket. `afterStray`: this handshake replaces an authentication the server just
   * dropped, so a refusal is the flapping, not a verdict on the password.
   */
  async function handshake(lane: Lane, headers: Record<string, string>, envelope: string, deadline: number, afterStray: boolean): Promise<EwsHttpAnswer> {
    const negotiate = encodeNegotiate();
    const first = await exchange(lane, { ...headers, Authorization: `NTLM ${negotiate.toString('base64')}` }, '', deadline);
    if (first.status !== 401) {
      // No challenge: the server is failing (answer as it is) or lets us in without one (send the envelope plainly).
      return first.status >= 400 ? first : exchange(lane, headers, envelope, deadline);
    }
    const challengeMessage = challengeIn(first);
    if (!challengeMessage) {
      const offered = first.authenticate.map((value) => value.split(/\s/)[0]).join(', ') || 'nothing';
      throw configurationError(`${profile}: ${target.host} did not answer the NTLM handshake (it offers: ${offered}); check AUTHENTICATION`, 'exchange-ntlm-not-offered');
    }
    const binding = bindings.get(first.socket);
    let message: Buffer;
    try {
      message = await encodeAuthenticate({
        negotiate,
        challengeMessage,
        user,
        domain,
        password: credentials.password,
        workstation,
        // Without a certificate (never seen so far) zeros say "no binding" (3.1.5.1.2): Allow and Off still pass.
        channelBindingHash: binding ?? Buffer.alloc(16),
        targetName: spn,
        clientChallenge: randomBytes(8),
        nowMs: Date.now(),
      });
    } catch (error) {
      if (error instanceof NtlmFormatError) throw transientError(`${profile}: ${target.host} sent an unreadable NTLM challenge (${error.message})`, 'exchange-ntlm-malformed');
      throw error;
    }
    const answer = await exchange(lane, { ...headers, Authorization: `NTLM ${message.toString('base64')}` }, envelope, deadline);
    if (answer.socket !== first.socket) {
      // The challenge belonged to a socket that closed in between: no verdict was given.
      if (answer.status === 401) throw transientError(`${profile}: ${target.host} closed the connection during the NTLM handshake`, 'exchange-handshake-interrupted');
    }
    if (answer.status === 401) {
      if (afterStray) throw transientError(`${profile}: ${target.host} refused a fresh NTLM handshake right after dropping an authenticated connection`, 'exchange-auth-flapping');
      if (!binding) throw configurationError(`${profile}: ${target.host} refused NTLM without channel binding (the server certificate could not be read)`, 'exchange-channel-binding-unavailable');
      throw rejected();
    }
    authenticated.add(answer.socket);
    return answer;
  }

  async function sendNtlm(lane: Lane, headers: Record<string, string>, envelope: string, deadline: number): Promise<EwsHttpAnswer> {
    const socket = lane.socket;
    if (!isAuthenticated(socket)) return handshake(lane, headers, envelope, deadline, false);
    const answer = await exchange(lane, headers, envelope, deadline);
    if (answer.status !== 401) return answer;
    authenticated.delete(answer.socket);
    // A 401 on a socket that was authenticated is a stray; on a new socket (the old one closed
    // while idle, the agent opened another) it only means "authenticate this one".
    return handshake(lane, headers, envelope, deadline, answer.socket === socket);
  }

  async function send(lane: Lane, envelope: string, anchorMailbox: string | undefined, deadline: number): Promise<EwsHttpAnswer> {
    const headers: Record<string, string> = {
      'Content-Type': 'text/xml; charset=utf-8',
      Accept: 'text/xml',
      // Routes the request to the mailbox's server; without it Exchange can answer 500/503 and is slower (MS:impersonation-and-ews-in-exchange.md).
      ...(anchorMailbox ? { 'X-AnchorMailbox': anchorMailbox } : {}),
    };
    if (credentials.method === 'basic') {
      const answer = await exchange(lane, { ...headers, Authorization: `Basic ${basicToken}` }, envelope, deadline);
      if (answer.status !== 401) return answer;
      if (answer.authenticate.some((value) => /^Basic\b/i.test(value.trim()))) throw rejected();
      const offered = answer.authenticate.map((value) => value.split(/\s/)[0]).join(', ') || 'nothing';
      throw configurationError(`${profile}: ${target.host} does not take Basic (it offers: ${offered}); check AUTHENTICATION`, 'exchange-basic-not-offered');
    }
    return sendNtlm(lane, headers, envelope, deadline);
  }

  return {
    async post(envelope, { anchorMailbox }) {
      if (closed) throw transientError(`${profile}: the EWS transport is closed`, 'closed');
      const lane = await acquire();
      if (closed) {
        release(lane);
        throw transientError(`${profile}: the EWS transport is closed`, 'closed');
      }
      // The deadline starts once the request holds a connection: time spent queued behind other
      // requests (maxConnections busy) is not Exchange's slowness, and a timeout there would fail
      // as transient a request Exchange never saw. The queue itself has no separate bound: every
      // request ahead holds its connection for at most timeoutMs, and callers limit what they
      // queue (2 in flight per mailbox, exchange-calendar-read.ts; the job's own time limit).
      const deadline = Date.now() + options.timeoutMs;
      try {
        try {
          return await send(lane, envelope, anchorMailbox, deadline);
        } catch (error) {
          // A kept-alive socket the server closed while idle fails before any answer: once,
          // send again on a new socket (the request never reached Exchange).
          if (!(error instanceof StaleSocket)) throw error;
          return await send(lane, envelope, anchorMailbox, deadline);
        }
      } catch (error) {
        if (error instanceof StaleSocket) throw transientError(`${profile}: connection to ${target.host} failed twice before any answer`, 'network');
        throw error;
      } finally {
        release(lane);
      }
    },
    async close() {
      closed = true;
      for (const lane of lanes) lane.agent.destroy();
    },
  };
}

/** `DOMAIN\user` -> user and domain; a UPN (`user@domain`) goes whole as the user with an empty domain, as Windows sends it ([MS-NLMP] 3.1.5.1.2). */
export function splitUserName(name: string): { user: string; domain: string } {
  const slash = name.indexOf('\\');
  return slash >= 0 ? { user: name.slice(slash + 1), domain: name.slice(0, slash) } : { user: name, domain: '' };
}
