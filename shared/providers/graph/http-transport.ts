/**
 * The one HTTP path for everything the Graph provider sends (token endpoint and Graph API):
 * node:https with a keep-alive agent, a per-request timeout, HTTPS_PROXY / NO_PROXY, a cap on
 * the answer's size, and optional extra trusted certificates (the loopback emulator's).
 *
 * Why not global fetch: on Node 20 global fetch (undici) ignores `agent`, and proxying it needs
 * undici's ProxyAgent as a dispatcher, which is not a dependency here. msal-node 7 has no
 * `proxyUrl` either (it calls global fetch), so both msal (as its `networkClient`) and the
 * Graph client (as the last middleware) are given this transport.
 */
import { request as httpRequest, Agent as HttpAgent } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import type { Agent } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { transientError } from '../../errors/app-error.js';
import { secureContextTrusting } from '../../tls/trusted-certificates.js';
import { MAX_RESPONSE_BYTES, responseTooLarge } from '../read-limits.js';

export interface HttpTransportOptions {
  /** Per request, from sending to the last byte of the answer. */
  readonly timeoutMs: number;
  /** Extra CA certificates (PEM) to trust besides the system ones, e.g. the loopback emulator's. */
  readonly trustedCertificates?: readonly string[] | undefined;
  /** Proxy for https requests; defaults to HTTPS_PROXY / https_proxy. */
  readonly proxyUrl?: string | undefined;
  /** Hosts that bypass the proxy; defaults to NO_PROXY / no_proxy. */
  readonly noProxy?: string | undefined;
  /** Longest answer read; a longer one is cut off as it arrives. Default MAX_RESPONSE_BYTES. */
  readonly maxResponseBytes?: number | undefined;
}

export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | undefined;
}

export interface HttpResult {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type HttpTransport = (request: HttpRequest) => Promise<HttpResult>;

/** NO_PROXY semantics as curl has them: `*`, exact hosts, and domain suffixes (`.contoso.com` or `contoso.com`). */
export function bypassesProxy(hostname: string, noProxy: string): boolean {
  return noProxy
    .split(/[,\s]+/)
    .map((entry) => entry.trim().toLowerCase().replace(/:\d+$/, ''))
    .filter((entry) => entry !== '')
    .some((entry) => entry === '*' || hostname === entry.replace(/^\./, '') || hostname.endsWith(entry.startsWith('.') ? entry : `.${entry}`));
}

export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const secureContext = secureContextTrusting(options.trustedCertificates);
  const tls = secureContext ? { secureContext } : {};
  const proxyUrl = options.proxyUrl ?? process.env.HTTPS_PROXY ?? process.env.https_proxy;
  const noProxy = options.noProxy ?? process.env.NO_PROXY ?? process.env.no_proxy ?? '';
  const httpsAgent = new HttpsAgent({ keepAlive: true, ...tls });
  const httpAgent = new HttpAgent({ keepAlive: true });
  const maxResponseBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  const proxyAgent = proxyUrl ? new HttpsProxyAgent(proxyUrl, { keepAlive: true, ...tls }) : undefined;

  return (req) =>
    new Promise<HttpResult>((resolve, reject) => {
      const url = new URL(req.url);
      const secure = url.protocol === 'https:';
      let agent: Agent = secure ? httpsAgent : httpAgent;
      if (secure && proxyAgent && !bypassesProxy(url.hostname.toLowerCase(), noProxy)) agent = proxyAgent;
      const headers: Record<string, string> = { ...req.headers };
      if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
      const send = secure ? httpsRequest : httpRequest;
      // The TLS options go with the request too: through a proxy, the tunnelled connection to
      // Graph takes the request's options, not the proxy agent's.
      const outgoing = send(url, { method: req.method, headers, agent, ...(secure ? tls : {}) }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= maxResponseBytes) return void chunks.push(chunk);
          tooLarge = true;
          outgoing.destroy();
        });
        res.on('error', (error) => fail(error));
        res.on('end', () => {
          clearTimeout(timer);
          const out: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      let timedOut = false;
      let tooLarge = false;
      const timer = setTimeout(() => {
        timedOut = true;
        outgoing.destroy();
      }, options.timeoutMs);
      const fail = (error: Error & { code?: string }): void => {
        clearTimeout(timer);
        // The message names neither the URL (it may carry a delta token) nor a header.
        reject(
          tooLarge
            ? responseTooLarge(url.host)
            : timedOut
            ? transientError(`${url.host} did not answer within ${options.timeoutMs} ms`, 'timeout', undefined, error)
            : transientError(`Connection to ${url.host} failed (${error.code ?? error.name})`, 'network', undefined, error),
        );
      };
      outgoing.on('error', fail);
      outgoing.end(req.body);
    });
}
