/**
 * App-only access tokens for one Graph profile: client credentials flow with msal-node
 * (https://learn.microsoft.com/entra/msal/node/), secret or certificate
 * (https://learn.microsoft.com/entra/msal/javascript/node/certificate-credentials).
 * msal keeps the token in its in-memory cache and only asks Entra ID again when it is close
 * to expiry (or at its `refresh_in`). Its cache lookup still cost about 0.5 ms of CPU per Graph
 * job (`npm run bench -- e2e`, incremental sweep), so the token is also held here until msal
 * would look again.
 */
import { AuthError, ConfidentialClientApplication, type Configuration, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import type { GraphProfile } from '../../config/profile-settings.js';
import { configurationError } from '../../errors/app-error.js';
import type { HttpTransport } from './http-transport.js';

export interface GraphTokenSource {
  getToken(): Promise<string>;
}

/** Entra ID's "no such tenant" (https://learn.microsoft.com/entra/identity-platform/reference-error-codes). */
const TENANT_NOT_FOUND = 90002;

/** msal's own margin (`tokenRenewalOffsetSeconds`): a token this close to its end is fetched again. */
const RENEWAL_MARGIN_MS = 5 * 60_000;

const errorCodesOf = (body: unknown): unknown[] =>
  body !== null && typeof body === 'object' && Array.isArray((body as { error_codes?: unknown }).error_codes) ? (body as { error_codes: unknown[] }).error_codes : [];

/**
 * msal's network seam, sent through our transport so proxy, timeout and trusted CAs apply to
 * sign-in too. `onRefusal` hears the AADSTS codes of every refused answer: msal drops them
 * when the discovery document is refused and reports only `endpoints_resolution_error`.
 */
function msalNetworkClient(transport: HttpTransport, onRefusal: (codes: readonly unknown[]) => void): INetworkModule {
  const send = async <T>(method: string, url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
    const result = await transport({ method, url, headers: { ...(options?.headers ?? {}) }, body: method === 'POST' ? (options?.body ?? '') : undefined });
    let body: unknown;
    try {
      body = JSON.parse(result.body);
    } catch {
      // msal reads `error` from the body; a proxy's HTML page becomes a readable failure.
      body = { error: 'invalid_response', error_description: `HTTP ${result.status} without a JSON body` };
    }
    if (result.status >= 400) onRefusal(errorCodesOf(body));
    return { status: result.status, headers: { ...result.headers }, body: body as T };
  };
  return {
    sendGetRequestAsync: (url, options) => send('GET', url, options),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  };
}

export function createGraphTokenSource(profile: GraphProfile, transport: HttpTransport): GraphTokenSource {
  const authorityHost = profile.authorityHost.replace(/\/+$/, '');
  const credential = profile.credential;
  const auth: Configuration['auth'] = {
    clientId: profile.clientId,
    authority: `${authorityHost}/${profile.tenantId}`,
    // The authority host is trusted as configured: no instance discovery call to
    // login.microsoftonline.com, which sovereign clouds and the emulator do not need.
    knownAuthorities: [new URL(authorityHost).host],
  };
  if (credential.type === 'secret') {
    auth.clientSecret = credential.clientSecret;
  } else {
    const thumbprint = credential.thumbprint.toLowerCase();
    // Settings carry the SHA-1 thumbprint (x5t); a 64-digit one is SHA-256 (x5t#S256).
    auth.clientCertificate =
      thumbprint.length === 64
        ? { thumbprintSha256: thumbprint, privateKey: credential.privateKeyPem }
        : { thumbprint, privateKey: credential.privateKeyPem };
  }
  let tenantRefused = false;
  const app = new ConfidentialClientApplication({
    auth,
    // Our Graph middleware retries; msal's own retry would add a second, uncounted layer.
    system: {
      networkClient: msalNetworkClient(transport, (codes) => {
        if (codes.includes(TENANT_NOT_FOUND)) tenantRefused = true;
      }),
      disableInternalRetries: true,
    },
  });
  const scopes = [`${profile.graphEndpoint.replace(/\/+$/, '')}/.default`];
  /** The token and until when it may be used without asking msal. */
  let held: { token: string; untilMs: number } | undefined;
  const acquire = async (): Promise<string> => {
    tenantRefused = false;
    try {
      const result = await app.acquireTokenByClientCredential({ scopes });
      if (!result?.accessToken) throw new Error('msal returned no access token');
      const ends = result.expiresOn ? result.expiresOn.getTime() - RENEWAL_MARGIN_MS : Date.now();
      held = { token: result.accessToken, untilMs: Math.min(ends, result.refreshOn?.getTime() ?? ends) };
      return result.accessToken;
    } catch (error) {
      // A wrong tenant is a setting to fix, not an outage to retry. msal says only
      // `endpoints_resolution_error`, as it does when the network fails: Entra ID's own answer
      // (400 invalid_tenant, AADSTS90002) tells the two apart.
      if (tenantRefused && error instanceof AuthError) {
        const prefix = `PROFILE_${profile.name.toUpperCase()}_`;
        throw configurationError(
          `Graph profile "${profile.name}": Entra ID knows no tenant "${profile.tenantId}" (AADSTS${TENANT_NOT_FOUND}, msal ${error.errorCode}); check ${prefix}TENANT_ID and ${prefix}AUTHORITY_HOST (the cloud)`,
          'graph-tenant-not-found',
          error,
        );
      }
      throw error;
    }
  };
  // msal does not merge concurrent cache misses: 50 jobs starting together would each ask
  // Entra ID (and fetch OpenID metadata). One request in flight serves them all.
  let inFlight: Promise<string> | undefined;

  return {
    getToken() {
      if (held && Date.now() < held.untilMs) return Promise.resolve(held.token);
      inFlight ??= acquire().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  };
}
