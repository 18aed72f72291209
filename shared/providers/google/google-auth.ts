/**
 * Service-account tokens by domain-wide delegation: one google-auth-library JWT client per
 * mailbox (the `subject`), each caching its own access token until shortly before it expires.
 * https://developers.google.com/identity/protocols/oauth2/service-account#delegatingauthority
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

export interface GoogleAuthOptions {
  readonly timeoutMs: number;
  /** Most JWT clients kept; the least recently used one is dropped (its token is fetched again). */
  readonly maxCachedSubjects: number;
  /** Longest answer read; default MAX_RESPONSE_BYTES. */
  readonly maxResponseBytes?: number | undefined;
}

export interface GoogleAuth {
  /** The authorised client for a mailbox (undefined: the service account itself). */
  clientFor(subject: string | undefined): JWT;
  /** Forgets a mailbox's client, e.g. after Google refused its token. */
  forget(subject: string | undefined): void;
}

/** Throws a configuration error naming the profile (never quoting the key) when the key cannot sign. */
export function createGoogleAuth(profile: GoogleProfile, options: GoogleAuthOptions): GoogleAuth {
  const keyProblem = checkKey(profile);
  const clients = new Map<string, JWT>();
  const create = (subject: string | undefined): JWT => {
    const client = new JWT({
      email: profile.serviceAccountKey.client_email,
      key: profile.serviceAccountKey.private_key,
      keyId: profile.serviceAccountKey.private_key_id,
      scopes: [profile.scope],
      subject,
      // Our retry loop (google-retry.ts) is the only one: gaxios would otherwise retry 429 / 5xx
      // three times on its own (googleapis-common sets `retry: true`, gtoken a POST retryConfig),
      // without honouring Retry-After and invisibly to the request count.
      // The timeout covers the whole answer (gaxios aborts the fetch, body included); the capped
      // fetch stops an answer that grows past MAX_RESPONSE_BYTES while it arrives.
      transporterOptions: { timeout: options.timeoutMs, retryConfig: { retry: 0, noResponseRetries: 0 }, fetchImplementation: cappedFetch(options.maxResponseBytes) },
    });
    client.transporter.interceptors.request.add({
      resolved: async (request) => {
        countRequest();
        if (String(request.url) === GOOGLE_TOKEN_URL && profile.tokenUrl !== GOOGLE_TOKEN_URL) request.url = new URL(profile.tokenUrl);
        return request;
      },
    });
    return client;
  };
  return {
    clientFor(subject) {
      if (keyProblem) throw keyProblem;
      const id = subject?.toLowerCase() ?? '';
      let client = clients.get(id);
      if (client) {
        clients.delete(id); // re-insert: Map order is the recency order
      } else {
        client = create(subject);
        if (clients.size >= options.maxCachedSubjects) {
          const oldest = clients.keys().next();
          if (!oldest.done) clients.delete(oldest.value);
        }
      }
      clients.set(id, client);
      return client;
    },
    forget(subject) {
      clients.delete(subject?.toLowerCase() ?? '');
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
