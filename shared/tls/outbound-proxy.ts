/**
 * Which proxy, if any, a client of a system on the customer's network (CMG, Exchange Server)
 * goes through: the standard HTTPS_PROXY / HTTP_PROXY / NO_PROXY variables (CMG-INTERFACE.md).
 * axios' own `proxy` option does not tunnel https reliably, so the CMG client turns it off and
 * uses an https-proxy-agent (CONNECT) instead; the EWS transport uses the same agents.
 */
import http from 'node:http';
import https from 'node:https';
import type { SecureContext } from 'node:tls';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { registerSecret } from '../observability/logger.js';

export type ProxyEnv = Readonly<Record<string, string | undefined>>;

const read = (env: ProxyEnv, name: string): string | undefined => {
  const value = env[name] ?? env[name.toLowerCase()];
  return value && value.trim() !== '' ? value.trim() : undefined;
};

/**
 * The proxy URL for this target, or undefined for a direct connection. An https target falls back
 * to HTTP_PROXY because many sites set only that one for every scheme.
 */
export function proxyFor(target: URL, env: ProxyEnv): string | undefined {
  const https = target.protocol === 'https:';
  const proxy = https ? (read(env, 'HTTPS_PROXY') ?? read(env, 'HTTP_PROXY')) : read(env, 'HTTP_PROXY');
  if (proxy === undefined || bypassed(target, read(env, 'NO_PROXY'))) return undefined;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}

/**
 * NO_PROXY as curl reads it: comma- or space-separated hosts, each matching itself and its
 * subdomains (a leading `.` or `*.` changes nothing), optionally with `:port`; `*` matches all.
 */
export function bypassed(target: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const { name, entryPort } = splitEntry(entry);
    if (entryPort !== undefined && entryPort !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/** `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address (whose colons are not a port). */
function splitEntry(entry: string): { name: string; entryPort: string | undefined } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { name: bracketed[1] ?? '', entryPort: bracketed[2] };
  if ((entry.match(/:/g) ?? []).length > 1) return { name: entry, entryPort: undefined };
  const [host = '', port] = entry.split(':');
  return { name: host.replace(/^\*?\./, ''), entryPort: port };
}

export interface CmgAgents {
  readonly httpAgent: http.Agent;
  readonly httpsAgent: http.Agent;
  /** The proxy in use, without credentials (for logs). */
  readonly proxy: string | undefined;
}

type TunnelOptions = Parameters<HttpsProxyAgent<string>['connect']>[1];

/**
 * A proxy agent whose TLS connection to CMG, inside the tunnel, verifies with `secureContext`.
 * https-proxy-agent builds that connection from the request's options and drops its own agent
 * options, so the context is added where the tunnel is opened.
 */
class TrustingProxyAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: URL,
    options: ConstructorParameters<typeof HttpsProxyAgent<string>>[1],
    private readonly secureContext: SecureContext,
  ) {
    super(proxy, options);
  }

  override connect(req: http.ClientRequest, options: TunnelOptions): ReturnType<HttpsProxyAgent<string>['connect']> {
    return super.connect(req, options.secureEndpoint ? { ...options, secureContext: this.secureContext } : options);
  }
}

/**
 * Keep-alive agents whose pool is the client's concurrency: CMG sees at most `maxSockets`
 * connections from one instance, reused across requests. `secureContext` (public roots plus
 * CMG_CA_CERTIFICATE) verifies CMG's certificate, directly and through a proxy tunnel.
 */
export function createAgents(target: URL, env: ProxyEnv, maxSockets: number, secureContext?: SecureContext): CmgAgents {
  const proxy = proxyFor(target, env);
  if (proxy !== undefined) {
    const proxyUrl = new URL(proxy);
    registerSecret(decodeURIComponent(proxyUrl.password));
    // https-proxy-agent tunnels http targets too (CONNECT), so one agent serves both schemes.
    const options = { keepAlive: true, maxSockets };
    const agent = secureContext ? new TrustingProxyAgent(proxyUrl, options, secureContext) : new HttpsProxyAgent(proxyUrl, options);
    return { httpAgent: agent, httpsAgent: agent, proxy: `${proxyUrl.protocol}//${proxyUrl.host}` };
  }
  return {
    httpAgent: new http.Agent({ keepAlive: true, maxSockets }),
    httpsAgent: new https.Agent({ keepAlive: true, maxSockets, ...(secureContext ? { secureContext } : {}) }),
    proxy: undefined,
  };
}
