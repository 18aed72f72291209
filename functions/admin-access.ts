/**
 * Who may call an admin route: a valid Entra ID access token for the admin app registration
 * (`Authorization: Bearer …`) with the route's app role. A function key proves nothing here.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { mayAct, type AdminCaller, type AdminRole } from '../shared/auth/admin-caller.js';
import { createEntraTokenVerifier, type Verification } from '../shared/auth/entra-token-verifier.js';
import type { AdminAuthConfig } from '../shared/config/config.js';
import { logThrottle, type LogThrottle } from '../shared/observability/log-throttle.js';
import type { Logger } from '../shared/observability/logger.js';
import type { SyncDeps } from '../shared/sync/sync-deps.js';

/** Headers on every admin answer: JSON that may carry addresses is never cached nor sniffed. */
export const ADMIN_JSON_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

export type Admission = { readonly ok: true; readonly caller: AdminCaller } | { readonly ok: false; readonly response: HttpResponseInit };

// One verifier (and so one cached key set) per configuration.
const verifiers = new WeakMap<AdminAuthConfig, (token: string) => Promise<Verification>>();
// Anyone can send forged tokens: one log line a minute per logger, the metric counts them all.
const REJECTED_TOKEN_LOG_INTERVAL_MS = 60_000;
const rejectedTokenLogs = new WeakMap<Logger, LogThrottle>();

const refuse = (status: number, error: string, challenge?: string): Admission => ({
  ok: false,
  response: { status, headers: { ...ADMIN_JSON_HEADERS, ...(challenge ? { 'www-authenticate': challenge } : {}) }, jsonBody: { error } },
});

export async function admit(request: HttpRequest, deps: SyncDeps, role: AdminRole): Promise<Admission> {
  const entra = deps.config.admin.entra;
  if (!entra) return refuse(401, 'admin sign-in is not configured (ADMIN_TENANT_ID, ADMIN_CLIENT_ID)', 'Bearer');
  const token = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  if (!token) return refuse(401, 'sign in with Entra ID: an access token is required', 'Bearer');

  let verify = verifiers.get(deps.config.admin);
  if (!verify) {
    verify = createEntraTokenVerifier(entra);
    verifiers.set(deps.config.admin, verify);
  }
  const result = await verify(token);
  if (!result.ok) {
    deps.telemetry.count('adminTokensRejected', { problem: result.problem });
    let throttle = rejectedTokenLogs.get(deps.logger);
    if (!throttle) {
      throttle = logThrottle(REJECTED_TOKEN_LOG_INTERVAL_MS);
      rejectedTokenLogs.set(deps.logger, throttle);
    }
    throttle(deps.now().getTime(), (suppressed) => deps.logger.warn('admin.token-rejected', { problem: result.problem, detail: result.detail, suppressed }));
    return result.problem === 'unavailable'
      ? refuse(503, 'tokens cannot be checked now: the tenant\'s signing keys could not be read')
      : refuse(401, 'the access token is not valid for this app', 'Bearer error="invalid_token"');
  }
  if (!mayAct(result.caller, role)) {
    deps.logger.warn('admin.forbidden', { caller: result.caller.name, callerId: result.caller.id, needs: role, path: new URL(request.url).pathname });
    return refuse(403, `this needs the app role ${role}`, 'Bearer error="insufficient_scope"');
  }
  return { ok: true, caller: result.caller };
}
