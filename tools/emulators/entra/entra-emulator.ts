/**
 * Entra ID as the admin API sees it: the tenant's signing keys at
 * `/{tenant}/discovery/v2.0/keys` (a JWKS with `kid`, `x5t`, `use: sig`, as Entra publishes it)
 * and v2.0 access tokens signed with them. The keys are made when the emulator starts. Used by
 * the tests and by the dev host, which acts as a signed-in local operator.
 * Token format: https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { startEmulator, type RunningEmulator } from '../emulator-server.js';

export interface EntraEmulator {
  /** The authority host (ADMIN_AUTHORITY): issuer `${url}/${tenantId}/v2.0`. */
  readonly url: string;
  readonly tenantId: string;
  /** The admin app registration: the audience of its tokens. */
  readonly clientId: string;
  readonly server: RunningEmulator;
  /** App settings that point the admin API at this emulator. */
  readonly settings: Record<string, string>;
  /**
   * A signed access token; `claims` override the defaults (a user with no roles), `signWith:
   * 'stranger'` signs with a key the tenant never published. The forged shapes a probe would try:
   * `expiresInSeconds: null` leaves `exp` out, `issuedAtSeconds` moves `iat` from now (`nbf` stays now),
   * `shape: 'id'` makes the admin page's ID token (same audience and roles, no `azp`, a `nonce`).
   */
  token(claims?: Partial<TokenClaims>, options?: TokenOptions): Promise<string>;
  close(): Promise<void>;
}

export interface TokenClaims {
  readonly oid: string;
  readonly name: string;
  readonly preferred_username: string;
  readonly roles: readonly string[];
  readonly aud: string;
  readonly iss: string;
  readonly tid: string;
  readonly azp: string;
}

export interface TokenOptions {
  readonly signWith?: 'tenant' | 'stranger';
  readonly expiresInSeconds?: number | null;
  readonly issuedAtSeconds?: number;
  readonly shape?: 'access' | 'id';
}

interface SigningKey {
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

async function signingKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID().replace(/-/g, '');
  // Entra's keys carry x5t (the certificate thumbprint) beside kid; here it mirrors kid.
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, x5t: kid, use: 'sig', alg: 'RS256' } };
}

export async function startEntraEmulator(options: { tenantId?: string; clientId?: string; port?: number } = {}): Promise<EntraEmulator> {
  const tenantId = options.tenantId ?? randomUUID();
  const clientId = options.clientId ?? randomUUID();
  const [tenantKey, strangerKey] = await Promise.all([signingKey(), signingKey()]);
  const server = await startEmulator({
    name: 'Entra ID',
    port: options.port,
    routes: [
      {
        method: 'GET',
        pattern: new RegExp(`^/${tenantId}/discovery/v2\\.0/keys$`),
        handler: () => ({ status: 200, headers: { 'cache-control': 'max-age=86400, private' }, body: { keys: [tenantKey.jwk] } }),
      },
    ],
    notFound: () => ({ status: 400, body: { error: 'invalid_tenant', error_description: 'AADSTS90002: Tenant not found.' } }),
  });
  const issuer = `${server.url}/${tenantId}/v2.0`;

  return {
    url: server.url,
    tenantId,
    clientId,
    server,
    settings: { ADMIN_TENANT_ID: tenantId, ADMIN_CLIENT_ID: clientId, ADMIN_AUTHORITY: server.url },
    async token(claims = {}, signOptions = {}) {
      const key = signOptions.signWith === 'stranger' ? strangerKey : tenantKey;
      const oid = claims.oid ?? randomUUID();
      const now = Math.floor(Date.now() / 1000);
      const issuedAt = now + (signOptions.issuedAtSeconds ?? 0);
      // An ID token names no client it was issued to, and carries the sign-in request's nonce.
      const client = signOptions.shape === 'id' ? { nonce: randomUUID() } : { azp: randomUUID() };
      const jwt = new SignJWT({
        aud: clientId,
        iss: issuer,
        tid: tenantId,
        ...client,
        name: 'Admin Person',
        preferred_username: 'admin@contoso.com',
        roles: [],
        ver: '2.0',
        ...claims,
        oid,
        sub: oid,
      })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.jwk.kid!, x5t: key.jwk.kid })
        .setIssuedAt(issuedAt)
        .setNotBefore(now);
      const lifetime = signOptions.expiresInSeconds === undefined ? 3600 : signOptions.expiresInSeconds;
      if (lifetime !== null) jwt.setExpirationTime(issuedAt + lifetime);
      return jwt.sign(key.privateKey);
    },
    close: () => server.close(),
  };
}
