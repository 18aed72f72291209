/**
 * Checks an Entra ID v2.0 access token for the admin app registration: RS256 signature by one
 * of the tenant's published keys (fetched and cached by jose), issuer of the tenant, audience of
 * the app, a bounded lifetime, and the shape of an access token (an ID token for the same app
 * has the same audience and the user's roles, but is proof of a sign-in, not a grant to call the
 * API). App Service authentication (Easy Auth) is not offered on Flex Consumption,
 * so the function checks tokens itself.
 * https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-tokens
 */
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { z } from 'zod';
import type { AdminCaller } from './admin-caller.js';

export interface EntraApp {
  readonly tenantId: string;
  readonly clientId: string;
  readonly authority: string;
}

export type Verification =
  | { readonly ok: true; readonly caller: AdminCaller }
  /** `invalid`: the token proves nothing (401). `unavailable`: the keys could not be read (503). */
  | { readonly ok: false; readonly problem: 'invalid' | 'unavailable'; readonly detail: string };

const Claims = z.object({
  oid: z.string().min(1),
  tid: z.string().min(1),
  roles: z.array(z.string()).default([]),
  preferred_username: z.string().min(1).optional(),
  // The client the token was issued to: `azp` in v2.0 access tokens, `appid` in v1.0 ones. ID
  // tokens carry neither.
  azp: z.string().min(1).optional(),
  appid: z.string().min(1).optional(),
  // Claims only an ID token carries: the sign-in request's nonce and the hashes binding it to an
  // access token or a code issued with it.
  nonce: z.unknown().optional(),
  at_hash: z.unknown().optional(),
  c_hash: z.unknown().optional(),
});

// Clocks drift: Entra's own guidance allows a few minutes of skew.
const CLOCK_TOLERANCE_SECONDS = 300;
/**
 * The longest an Entra access token for this API can live: 60 to 90 minutes by default, at most one
 * day under a token lifetime policy (continuous access evaluation's 28-hour tokens are only for
 * resource APIs that take part in it, which a custom API does not). A token issued longer ago, or
 * valid for longer, was not issued by Entra for this API.
 */
const MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;

export function createEntraTokenVerifier(app: EntraApp): (token: string) => Promise<Verification> {
  const base = `${app.authority}/${app.tenantId}`;
  const keys = createRemoteJWKSet(new URL(`${base}/discovery/v2.0/keys`), { timeoutDuration: 5000 });
  const issuer = `${base}/v2.0`;
  return async (token) => {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer,
        // v2.0 tokens name the app by its client id; the Application ID URI form is accepted too.
        audience: [app.clientId, `api://${app.clientId}`],
        algorithms: ['RS256'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        // Without `exp` a token never expires; an `iat` in the future or too far back is refused too.
        requiredClaims: ['exp', 'iat', 'nbf'],
        maxTokenAge: MAX_TOKEN_LIFETIME_SECONDS,
      }));
    } catch (error) {
      // A network failure, a timeout, a non-200 or unreadable key set: the keys, not the token.
      const keysUnreadable = !(error instanceof errors.JOSEError) || error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error.code === 'ERR_JOSE_GENERIC';
      if (keysUnreadable) {
        return { ok: false, problem: 'unavailable', detail: 'the tenant\'s signing keys could not be read' };
      }
      return { ok: false, problem: 'invalid', detail: error.code };
    }
    const claims = Claims.safeParse(payload);
    if (!claims.success || claims.data.tid.toLowerCase() !== app.tenantId) return { ok: false, problem: 'invalid', detail: 'token claims are not those of the tenant' };
    const c = claims.data;
    const { exp, iat } = payload as { exp: number; iat: number };
    if (exp - iat > MAX_TOKEN_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS) return { ok: false, problem: 'invalid', detail: 'token lifetime is longer than Entra issues' };
    if ((c.azp === undefined && c.appid === undefined) || c.nonce !== undefined || c.at_hash !== undefined || c.c_hash !== undefined) {
      return { ok: false, problem: 'invalid', detail: 'not an access token' };
    }
    return { ok: true, caller: { id: c.oid, name: c.preferred_username ?? c.azp ?? c.oid, roles: c.roles } };
  };
}
