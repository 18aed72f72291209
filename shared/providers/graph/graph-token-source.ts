/**
 * App-only access tokens for one Graph profile: client credentials flow with msal-node
 * (https://learn.microsoft.com/entra/msal/node/), secret or certificate
 * (https://learn.microsoft.com/entra/msal/javascript/node/certificate-credentials).
 * msal keeps the token in its in-memory cache and only asks Entra ID again when it is close
 * to expiry (or at its `refresh_in`), so calling `getToken` per request is cheap.
 */
import { ConfidentialClientApplication, type Configuration, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import type { GraphProfile } from '../../config/profile-settings.js';
import type { HttpTransport } from './http-transport.js';

export interface GraphTokenSource {
  getToken(): Promise<string>;
}

/** msal's network seam, sent through our transport so proxy, timeout and trusted CAs apply to sign-in too. */
function msalNetworkClient(transport: HttpTransport): INetworkModule {
  const send = async <T>(method: string, url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
    const result = await transport({ method, url, headers: { ...(options?.headers ?? {}) }, body: method === 'POST' ? (options?.body ?? '') : undefined });
    let body: unknown;
    try {
      body = JSON.parse(result.body);
    } catch {
      // msal reads `error` from the body; a proxy's HTML page becomes a readable failure.
      body = { error: 'invalid_response', error_description: `HTTP ${result.status} without a JSON body` };
    }
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
  const app = new ConfidentialClientApplication({
    auth,
    // Our Graph middleware retries; msal's own retry would add a second, uncounted layer.
    system: { networkClient: msalNetworkClient(transport), disableInternalRetries: true },
  });
  const scopes = [`${profile.graphEndpoint.replace(/\/+$/, '')}/.default`];
  const acquire = async (): Promise<string> => {
    const result = await app.acquireTokenByClientCredential({ scopes });
    if (!result?.accessToken) throw new Error('msal returned no access token');
    return result.accessToken;
  };
  // msal does not merge concurrent cache misses: 50 jobs starting together would each ask
  // Entra ID (and fetch OpenID metadata). One request in flight serves them all.
  let inFlight: Promise<string> | undefined;

  return {
    getToken() {
      inFlight ??= acquire().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  };
}
