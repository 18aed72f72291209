/**
 * The OAuth 2.0 token endpoint for service accounts (JWT bearer grant, RFC 7523), as Google
 * runs it: the assertion must be RS256-signed by the service account's key, addressed to
 * Google's token URL, short-lived, and — for domain-wide delegation — name a known user in
 * `sub` with scopes the domain delegated to the client.
 * https://developers.google.com/identity/protocols/oauth2/service-account#authorizingrequests
 */
import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import type { EmulatorRequest, EmulatorResponse } from '../emulator-server.js';
import { tokenError } from './google-error-bodies.js';

const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TOKEN_LIFETIME_S = 3599;

export interface ServiceAccount {
  readonly clientEmail: string;
  readonly publicKey: KeyObject;
  /** Scopes the Workspace admin delegated to this client; undefined: no delegation at all. */
  delegatedScopes: ReadonlySet<string> | undefined;
}

export interface AccessToken {
  /** The impersonated user, or the service account itself without `sub`. */
  readonly subject: string;
  readonly clientEmail: string;
  readonly scopes: ReadonlySet<string>;
  readonly expiresAt: number;
}

export interface OAuthState {
  readonly serviceAccounts: Map<string, ServiceAccount>;
  readonly tokens: Map<string, AccessToken>;
  isUser(email: string): boolean;
  /** Extra accepted audience (the emulator's own token URL). */
  readonly ownTokenUrl: () => string;
}

export function serviceAccountFrom(clientEmail: string, publicKeyPem: string, delegatedScopes?: readonly string[]): ServiceAccount {
  return { clientEmail, publicKey: createPublicKey(publicKeyPem), delegatedScopes: delegatedScopes === undefined ? undefined : new Set(delegatedScopes) };
}

export function handleTokenRequest(state: OAuthState, req: EmulatorRequest, now: number): EmulatorResponse {
  const form = new URLSearchParams(req.body);
  if (form.get('grant_type') !== JWT_BEARER) return tokenError(400, 'unsupported_grant_type', 'Invalid grant_type: ' + (form.get('grant_type') ?? ''));
  const parts = (form.get('assertion') ?? '').split('.');
  if (parts.length !== 3) return tokenError(400, 'invalid_grant', 'Invalid JWT: not a JWS');
  const [head, body, signature] = parts as [string, string, string];
  let header: { alg?: unknown };
  let claims: { iss?: unknown; sub?: unknown; aud?: unknown; scope?: unknown; iat?: unknown; exp?: unknown };
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as typeof header;
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return tokenError(400, 'invalid_grant', 'Invalid JWT: not a JWS');
  }
  const account = typeof claims.iss === 'string' ? state.serviceAccounts.get(claims.iss) : undefined;
  if (!account) return tokenError(400, 'invalid_grant', 'Invalid grant: account not found');
  const signed = header.alg === 'RS256' && verify('RSA-SHA256', Buffer.from(`${head}.${body}`), account.publicKey, Buffer.from(signature, 'base64url'));
  if (!signed) return tokenError(400, 'invalid_grant', 'Invalid JWT Signature.');
  if (claims.aud !== GOOGLE_TOKEN_URL && claims.aud !== state.ownTokenUrl()) return tokenError(400, 'invalid_grant', 'Invalid JWT: Failed audience check.');
  const nowS = Math.floor(now / 1000);
  const iat = typeof claims.iat === 'number' ? claims.iat : NaN;
  const exp = typeof claims.exp === 'number' ? claims.exp : NaN;
  if (!(exp > iat && exp - iat <= 3600 && iat <= nowS + 300 && exp >= nowS)) {
    return tokenError(
      400,
      'invalid_grant',
      'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
    );
  }
  const scopes = new Set(typeof claims.scope === 'string' ? claims.scope.split(' ').filter((s) => s !== '') : []);
  if (scopes.size === 0) return tokenError(400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
  let subject = account.clientEmail;
  if (claims.sub !== undefined && claims.sub !== account.clientEmail) {
    if (typeof claims.sub !== 'string' || !state.isUser(claims.sub)) return tokenError(400, 'invalid_grant', 'Invalid email or User ID');
    const delegated = account.delegatedScopes;
    if (!delegated || [...scopes].some((s) => !delegated.has(s))) {
      return tokenError(
        401,
        'unauthorized_client',
        'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
      );
    }
    subject = claims.sub.toLowerCase();
  }
  const accessToken = `ya29.c.${randomBytes(24).toString('base64url')}`;
  state.tokens.set(accessToken, { subject, clientEmail: account.clientEmail, scopes, expiresAt: now + TOKEN_LIFETIME_S * 1000 });
  return { status: 200, headers: { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate' }, body: { access_token: accessToken, expires_in: TOKEN_LIFETIME_S, token_type: 'Bearer' } };
}

/** The token of an API request, or undefined when missing, unknown or expired. */
export function bearer(state: OAuthState, req: EmulatorRequest, now: number): AccessToken | undefined {
  const header = req.headers.authorization;
  const m = typeof header === 'string' ? /^Bearer (.+)$/i.exec(header) : null;
  const token = m ? state.tokens.get(m[1]!) : undefined;
  return token && token.expiresAt > now ? token : undefined;
}
