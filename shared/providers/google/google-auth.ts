/**
 * Service-account tokens by domain-wide delegation: one access token per impersonated mailbox
 * (the `subject`), cached until shortly before it expires.
 * https://developers.google.com/identity/protocols/oauth2/service-account#delegatingauthority
 *
 * The cache holds strings, not clients: a google-auth-library JWT client is built for one token
 * request and dropped, so memory grows with the roster by the size of a token. Every synced user
 * keeps its token for the hour Google grants it; a fixed-size cache smaller than the roster would
 * evict a token on every job and fetch a new one each time.
 */
import { createPrivateKey } from 'node:crypto';
import { JWT } from 'google-auth-library';
import { configurationError, type AppError } from '../../errors/app-error.js';
import type { GoogleProfile } from '../../config/profile-settings.js';
import { cappedFetch } from '../read-limits.js';
import { countRequest } from './google-request-count.js';

// google-auth-library signs the assertion for, and posts it to, this URL (gtoken, hard-coded).
// The audience must stay Google's; only where the POST goes is redirected to the profile's
// token URL, so an emulator (or a private endpoint) can stand in.
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/**
 * A token this close to its end is fetched anew, so a job never starts a request with a token that
 * expires on the way (google-auth-library's own eager-refresh threshold).
 */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

/** Cache sizes at which expired tokens (of users no longer synced) are swept out. */
const FIRST_SWEEP_AT = 1024;

export interface GoogleAuthOptions {
  readonly timeoutMs: number;
  /** Longest answer read; default MAX_RESPONSE_BYTES. */
  readonly maxResponseBytes?: number | undefined;
  /** The clock that decides whether a cached token is still good. */
  readonly now: () => number;
}

/** gaxios options for every Google request: ours are the only retries, answers are capped and counted. */
export interface GoogleRequestOptions {
  readonly timeout: number;
  readonly retryConfig: { readonly retry: 0; readonly noResponseRetries: 0 };
  readonly fetchImplementation: typeof fetch;
}

export interface GoogleAuth {
  /**
   * A valid access token for a mailbox (undefined: the service account itself): the cached one,
   * else one token request, shared by every caller asking for that subject meanwhile.
   */
  accessToken(subject: string | undefined): Promise<string>;
  /** A fresh token for the service account itself, bypassing the cache (a connection check). */
  checkToken(): Promise<void>;
  /** Drops a subject's token after Google refused it, unless a newer one has replaced it. */
  forget(subject: string | undefined, token: string): void;
  /** For the Calendar API client. */
  readonly requestOptions: GoogleRequestOptions;
}

interface CachedToken {
  readonly accessToken: string;
  readonly expiresAt: number;
}

/** Throws a configuration error naming the profile (never quoting the key) when the key cannot sign. */
export function createGoogleAuth(profile: GoogleProfile, options: GoogleAuthOptions): GoogleAuth {
  const keyProblem = checkKey(profile);
  const inner = cappedFetch(options.maxResponseBytes);
  // Every Google request goes through this fetch: FetchCalendarResult.requests counts token requests too.
  const countedFetch: typeof fetch = (input, init) => {
    countRequest();
    return inner(input, init);
  };
  // Our retry loop (google-retry.ts) is the only one: gaxios would otherwise retry 429 / 5xx
  // three times on its own (googleapis-common sets `retry: true`, gtoken a POST retryConfig),
  // without honouring Retry-After and invisibly to the request count.
  // The timeout covers the whole answer (gaxios aborts the fetch, body included); the capped
  // fetch stops an answer that grows past MAX_RESPONSE_BYTES while it arrives.
  const requestOptions: GoogleRequestOptions = { timeout: options.timeoutMs, retryConfig: { retry: 0, noResponseRetries: 0 }, fetchImplementation: countedFetch };

  const cache = new Map<string, CachedToken>();
  const inFlight = new Map<string, Promise<string>>();
  let sweepAt = FIRST_SWEEP_AT;

  /** One JWT bearer grant, by a client built for this request only. */
  const requestToken = async (subject: string | undefined): Promise<CachedToken> => {
    if (keyProblem) throw keyProblem;
    const client = new JWT({
      email: profile.serviceAccountKey.client_email,
      key: profile.serviceAccountKey.private_key,
      keyId: profile.serviceAccountKey.private_key_id,
      scopes: [profile.scope],
      subject,
      transporterOptions: requestOptions,
    });
    client.transporter.interceptors.request.add({
      resolved: async (request) => {
        if (String(request.url) === GOOGLE_TOKEN_URL && profile.tokenUrl !== GOOGLE_TOKEN_URL) request.url = new URL(profile.tokenUrl);
        return request;
      },
    });
    const credentials = await client.authorize();
    if (!credentials.access_token) throw configurationError(`Google profile "${profile.name}": the token endpoint answered without an access token`, 'google-credentials-rejected');
    // expiry_date is on the library's clock (Date.now at the answer); what is left of it counts on ours.
    const lifetimeMs = credentials.expiry_date ? credentials.expiry_date - Date.now() : 0;
    return { accessToken: credentials.access_token, expiresAt: options.now() + lifetimeMs };
  };

  const sweepExpired = (): void => {
    if (cache.size < sweepAt) return;
    const now = options.now();
    for (const [id, token] of cache) if (token.expiresAt - TOKEN_REFRESH_MARGIN_MS <= now) cache.delete(id);
    sweepAt = Math.max(FIRST_SWEEP_AT, cache.size * 2);
  };

  return {
    requestOptions,

    accessToken(subject) {
      const id = subject?.toLowerCase() ?? '';
      const cached = cache.get(id);
      if (cached && cached.expiresAt - TOKEN_REFRESH_MARGIN_MS > options.now()) return Promise.resolve(cached.accessToken);
      const pending = inFlight.get(id);
      if (pending) return pending;
      const request = requestToken(subject)
        .then((token) => {
          cache.set(id, token);
          sweepExpired();
          return token.accessToken;
        })
        .finally(() => inFlight.delete(id));
      inFlight.set(id, request);
      return request;
    },

    async checkToken() {
      await requestToken(undefined);
    },

    forget(subject, token) {
      const id = subject?.toLowerCase() ?? '';
      if (cache.get(id)?.accessToken === token) cache.delete(id);
    },
  };
}

function checkKey(profile: GoogleProfile): AppError | undefined {
  try {
    const key = createPrivateKey(profile.serviceAccountKey.private_key);
    if (key.asymmetricKeyType !== 'rsa') return badKey(profile, 'not an RSA key');
    return undefined;
  } catch {
    return badKey(profile, 'not a readable PEM private key');
  }
}

const badKey = (profile: GoogleProfile, why: string): AppError =>
  configurationError(`Google profile "${profile.name}": the service account key of ${profile.serviceAccountKey.client_email} is unusable (${why})`, 'google-key-invalid');
