/**
 * The emulator's Entra ID: OpenID discovery and the client-credentials token endpoint
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow),
 * checking a client secret or the signed client assertion against the registered certificate
 * key (https://learn.microsoft.com/entra/identity-platform/certificate-credentials).
 * Errors carry the AADSTS codes real Entra ID sends.
 */
import { constants, createPublicKey, randomBytes, randomUUID, verify } from 'node:crypto';
import type { EmulatorRequest, EmulatorResponse, Route } from '../emulator-server.js';
import type { GraphAppRegistration, GraphEmulatorState } from './graph-emulator-state.js';

/** Access tokens the emulator issued (opaque to clients), and which app holds each. */
export class IssuedTokens {
  private readonly tokens = new Map<string, { appId: string; expiresAt: number }>();
  /** Token requests answered with a token: msal's cache keeps this at one per app and hour. */
  issuedCount = 0;

  issue(appId: string, lifetimeSeconds: number): string {
    const token = `emu.${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { appId, expiresAt: Date.now() + lifetimeSeconds * 1000 });
    this.issuedCount += 1;
    return token;
  }

  /** The app behind a request's bearer token, or undefined when it has none that is valid. */
  appOf(req: EmulatorRequest): string | undefined {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer (.+)$/i.exec(header) : null;
    const token = match?.[1] ? this.tokens.get(match[1]) : undefined;
    return token && token.expiresAt > Date.now() ? token.appId : undefined;
  }

  /** Makes every issued token invalid (Graph then answers 401). */
  revokeAll(): void {
    this.tokens.clear();
  }
}

function oauthError(status: number, error: string, aadsts: number, description: string): EmulatorResponse {
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${aadsts}: ${description}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${new Date().toISOString()}`,
      error_codes: [aadsts],
      timestamp: new Date().toISOString(),
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
      error_uri: `https://login.microsoftonline.com/error?code=${aadsts}`,
    },
  };
}

/**
 * A tenant Entra ID does not know, on the discovery document and the token endpoint alike:
 * 400 invalid_tenant AADSTS90002 (field report: microsoftgraph/windowsupdates-webapplication-sample #6).
 */
const unknownTenant = (tenant: string | undefined): EmulatorResponse =>
  oauthError(
    400,
    'invalid_tenant',
    90002,
    `Tenant '${tenant ?? ''}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  );

const base64urlJson = (part: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

/** Why the assertion is not acceptable, or undefined when it is. */
function assertionProblem(assertion: string, app: GraphAppRegistration, audience: string): string | undefined {
  const certificate = app.certificate;
  if (!certificate) return 'The application has no certificate credential.';
  const [h, p, s] = assertion.split('.');
  if (!h || !p || !s) return 'Client assertion is not a JWT.';
  const header = base64urlJson(h);
  const payload = base64urlJson(p);
  if (!header || !payload) return 'Client assertion is not a JWT.';
  const x5t = typeof header['x5t#S256'] === 'string' ? header['x5t#S256'] : header.x5t;
  if (typeof x5t !== 'string' || Buffer.from(x5t, 'base64url').toString('hex') !== certificate.thumbprint.toLowerCase()) {
    return 'Client assertion contains an invalid signature. [Reason - The key was not found.]';
  }
  const key = createPublicKey(certificate.publicKeyPem);
  const data = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s, 'base64url');
  const valid =
    header.alg === 'RS256'
      ? verify('RSA-SHA256', data, key, signature)
      : header.alg === 'PS256'
        ? verify('RSA-SHA256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature)
        : false;
  if (!valid) return 'Client assertion contains an invalid signature.';
  const now = Date.now() / 1000;
  if (payload.iss !== app.clientId || payload.sub !== app.clientId) return 'Client assertion issuer or subject is not the client id.';
  if (payload.aud !== audience) return 'Client assertion audience claim does not match the token endpoint.';
  if (typeof payload.exp !== 'number' || payload.exp < now) return 'Client assertion is expired.';
  return undefined;
}

export function authRoutes(
  state: GraphEmulatorState,
  baseUrl: () => string,
  tokens: IssuedTokens,
  tokenLifetimeSeconds: number,
): Route[] {
  const tenantOk = (tenant: string | undefined): boolean => tenant === state.tenantId;
  return [
    {
      method: 'GET',
      pattern: /^\/(?<tenant>[^/]+)\/v2\.0\/\.well-known\/openid-configuration$/,
      handler: (req) => {
        const tenant = req.params.tenant;
        if (!tenantOk(tenant)) return unknownTenant(tenant);
        const root = `${baseUrl()}/${tenant}`;
        return {
          status: 200,
          body: {
            token_endpoint: `${root}/oauth2/v2.0/token`,
            token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
            jwks_uri: `${baseUrl()}/${tenant}/discovery/v2.0/keys`,
            response_modes_supported: ['query', 'fragment', 'form_post'],
            subject_types_supported: ['pairwise'],
            id_token_signing_alg_values_supported: ['RS256'],
            response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
            scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
            issuer: `${root}/v2.0`,
            request_uri_parameter_supported: false,
            authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
            device_authorization_endpoint: `${root}/oauth2/v2.0/devicecode`,
            http_logout_supported: true,
            frontchannel_logout_supported: true,
            end_session_endpoint: `${root}/oauth2/v2.0/logout`,
            claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid'],
            tenant_region_scope: 'EU',
            cloud_instance_name: 'microsoftonline.com',
            cloud_graph_host_name: 'graph.windows.net',
            msgraph_host: new URL(baseUrl()).host,
          },
        };
      },
    },
    {
      method: 'POST',
      pattern: /^\/(?<tenant>[^/]+)\/oauth2\/v2\.0\/token$/,
      handler: (req: EmulatorRequest) => {
        const tenant = req.params.tenant;
        if (!tenantOk(tenant)) return unknownTenant(tenant);
        const form = new URLSearchParams(req.body);
        if (form.get('grant_type') !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
        const clientId = form.get('client_id') ?? '';
        const app = state.apps.get(clientId);
        if (!app) return oauthError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory.`);
        const scope = form.get('scope') ?? '';
        if (!scope.split(' ').some((s) => s.endsWith('/.default'))) {
          return oauthError(400, 'invalid_scope', 1002012, 'The provided value for scope is not valid. Client credential flows must have a scope value with /.default.');
        }
        const secret = form.get('client_secret');
        const assertion = form.get('client_assertion');
        if (secret !== null) {
          if (app.clientSecret === undefined || secret !== app.clientSecret) {
            return oauthError(401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.');
          }
        } else if (assertion !== null) {
          if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
            return oauthError(400, 'invalid_request', 50027, 'Invalid client_assertion_type.');
          }
          const problem = assertionProblem(assertion, app, `${baseUrl()}/${tenant}/oauth2/v2.0/token`);
          if (problem) return oauthError(401, 'invalid_client', 700027, problem);
        } else {
          return oauthError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
        }
        const accessToken = tokens.issue(clientId, tokenLifetimeSeconds);
        return {
          status: 200,
          body: { token_type: 'Bearer', expires_in: tokenLifetimeSeconds, ext_expires_in: tokenLifetimeSeconds, access_token: accessToken },
        };
      },
    },
  ];
}
