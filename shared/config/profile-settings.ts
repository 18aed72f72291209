/**
 * Connection profiles: which calendar system serves which mail domains, and its credentials.
 * `PROFILES=M365,GWS,ONPREM` names them in failover order; each name N has its own `PROFILE_N_*`
 * settings so that every secret can be its own Key Vault reference. Profiles of every kind mix
 * freely; failover follows PROFILES order whatever the kinds.
 */
import { z } from 'zod';
import { bool, int, list, oneOf, optional, text, url, type Setting } from './setting.js';
import { readSettings, type Env, type SettingProblem, type SettingValues } from './read-settings.js';
import { registerSecret } from '../observability/logger.js';
import { pemCertificates } from '../tls/trusted-certificates.js';

export type GraphCredential =
  | { readonly type: 'secret'; readonly clientSecret: string }
  | { readonly type: 'certificate'; readonly privateKeyPem: string; readonly thumbprint: string };

export interface GraphProfile {
  readonly name: string;
  readonly kind: 'graph';
  readonly domains: readonly string[];
  readonly tenantId: string;
  readonly clientId: string;
  readonly credential: GraphCredential;
  readonly authorityHost: string;
  readonly graphEndpoint: string;
  /** Find each mailbox's user by mail / proxy address in the directory (needs User.Read.All). */
  readonly resolveAddresses: boolean;
}

export interface GoogleServiceAccountKey {
  readonly client_email: string;
  readonly private_key: string;
  readonly private_key_id?: string | undefined;
}

export interface GoogleProfile {
  readonly name: string;
  readonly kind: 'google';
  readonly domains: readonly string[];
  readonly serviceAccountKey: GoogleServiceAccountKey;
  readonly scope: string;
  readonly tokenUrl: string;
  readonly apiRoot: string;
}

/** Exchange Server on premises through EWS (issue 26): one service account for many mailboxes. */
export interface ExchangeProfile {
  readonly name: string;
  readonly kind: 'exchange';
  readonly domains: readonly string[];
  /** https://host/EWS/Exchange.asmx, configured directly: no autodiscover. */
  readonly ewsUrl: string;
  readonly authentication: 'ntlm' | 'basic';
  /** The service account: `DOMAIN\user` or `user@domain` (UPN). */
  readonly userName: string;
  readonly password: string;
  /** impersonation: ApplicationImpersonation on the synced mailboxes; delegate: calendar folder rights (no automatic replies). */
  readonly access: 'impersonation' | 'delegate';
  /**
   * false: Exchange cannot reach the webhook, or refuses to push (delegate access:
   * ErrorSubscriptionDelegateAccessNotSupported), so the mailboxes are polled every EXCHANGE_POLL_INTERVAL.
   */
  readonly push: boolean;
  /** Per-request timeout; undefined: PROVIDER_TIMEOUT_MS. */
  readonly timeoutMs: number | undefined;
  /** Concurrent requests of this profile per instance, below Exchange's EWSMaxConcurrency (27). */
  readonly maxConnections: number;
  /** Extra CA certificates (PEM) trusted for this server besides the public roots. */
  readonly caCertificates: readonly string[];
}

export type Profile = GraphProfile | GoogleProfile | ExchangeProfile;

const DOMAIN = z.string().toLowerCase().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'not a mail domain');
const PROFILE_NAME = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'not a profile name (letters, digits, _)');

export const PROFILE_LIST_SETTING = {
  PROFILES: list('comma', '', 'Connection profile names in failover order; each has PROFILE_<NAME>_* settings.', PROFILE_NAME),
} satisfies Record<string, Setting<unknown>>;

/**
 * Exchange publishes EWS at /EWS/Exchange.asmx on every server (the EWS virtual directory's
 * InternalUrl / ExternalUrl); a reverse proxy may put a prefix in front of it. Any other path
 * (the bare host, /owa, /autodiscover) answers a SOAP POST with a redirect to a sign-in page or a
 * 404, which would surface as a puzzling failure at the first sync instead of here. https only:
 * the service account's password (Basic) or its NTLM exchange, bound to the TLS channel, travels
 * on it; the emulators serve TLS too, so loopback gets no plain-http exception.
 */
const EWS_PATH = /\/EWS\/Exchange\.asmx$/i;
const ewsUrl: Setting<string> = {
  schema: z
    .string()
    .trim()
    .transform((v, ctx) => {
      let u: URL;
      try {
        u = new URL(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not an absolute URL' });
        return z.NEVER;
      }
      const wrong =
        u.protocol !== 'https:'
          ? 'not https'
          : u.username !== '' || u.password !== ''
            ? 'carries credentials (use USER_NAME and PASSWORD)'
            : u.search !== '' || u.hash !== ''
              ? 'has a query or fragment'
              : !EWS_PATH.test(u.pathname)
                ? 'does not end with /EWS/Exchange.asmx (autodiscover is not used: give the EWS endpoint itself)'
                : undefined;
      if (wrong) {
        ctx.addIssue({ code: 'custom', message: wrong });
        return z.NEVER;
      }
      return u.href;
    }),
  meta: { doc: 'Exchange: the EWS endpoint, https://<server>/EWS/Exchange.asmx (no autodiscover).', expected: 'an https:// URL ending with /EWS/Exchange.asmx' },
};

/** `DOMAIN\user` (down-level logon name) or `user@domain` (UPN), as NTLM and Basic take it. */
const ACCOUNT = z
  .string()
  .trim()
  .refine((v) => /^[^\\/@\s]+\\[^\\/@]*[^\\/@\s]$/.test(v) || /^[^\\/@\s]+@[^\\/@\s]+\.[^\\/@\s]+$/.test(v), 'neither DOMAIN\\user nor user@domain');

/** Exchange's EWSMaxConcurrency default (2013 and later): more concurrent requests per account are refused. */
export const EWS_MAX_CONCURRENCY = 27;

export const GOOGLE_SCOPES = [
  'https://www.googleapis.com/auth/calendar.readonly',
  'https://www.googleapis.com/auth/calendar.events.readonly',
] as const;

/** The settings one profile reads, by suffix after `PROFILE_<NAME>_`. */
export const profileSettings = {
  KIND: oneOf(['graph', 'google', 'exchange'], 'graph', 'Calendar system: graph (Microsoft 365), google (Google Workspace) or exchange (Exchange Server on premises, EWS).'),
  DOMAINS: list('comma-or-semicolon', '', 'Mail domains this profile serves.', DOMAIN),
  // Microsoft Graph
  TENANT_ID: optional(text({ min: 1 }, 'Graph: Entra ID tenant id (GUID or domain).')),
  CLIENT_ID: optional(text({ min: 1 }, 'Graph: application (client) id of the app registration.')),
  CLIENT_SECRET: optional(text({ secret: true, min: 1 }, 'Graph: client secret (prefer a certificate). Secret.')),
  CERTIFICATE: optional(text({ secret: true, min: 1 }, 'Graph: PEM private key of the app certificate. Secret.')),
  CERTIFICATE_THUMBPRINT: optional(text({ min: 1 }, 'Graph: SHA-1 thumbprint (hex) of the app certificate.')),
  AUTHORITY_HOST: url({ default: 'https://login.microsoftonline.com' }, 'Graph: Entra ID authority host (sovereign clouds differ).'),
  GRAPH_ENDPOINT: url({ default: 'https://graph.microsoft.com' }, 'Graph: API endpoint (sovereign clouds differ).'),
  RESOLVE_ADDRESSES: bool(
    false,
    'Graph: find each mailbox in the directory by mail or proxy address, for users whose UPN is not their mail address; needs the User.Read.All application permission (tenant-wide, docs/provider-setup.md).',
  ),
  // Google Workspace
  SERVICE_ACCOUNT_KEY: optional(text({ secret: true, min: 1 }, 'Google: the service account JSON key file content. Secret.')),
  SCOPE: oneOf(GOOGLE_SCOPES, GOOGLE_SCOPES[0], 'Google: read-only scope granted by domain-wide delegation.'),
  TOKEN_URL: url({ default: 'https://oauth2.googleapis.com/token' }, 'Google: OAuth token endpoint.'),
  API_ROOT: url({ default: 'https://www.googleapis.com' }, 'Google: Calendar API root.'),
  // Exchange Server (EWS)
  EWS_URL: optional(ewsUrl),
  AUTHENTICATION: oneOf(['ntlm', 'basic'], 'ntlm', 'Exchange: how the service account signs in to EWS: ntlm (NTLMv2 with channel binding) or basic (over TLS), as enabled on the EWS virtual directory.'),
  USER_NAME: optional({ schema: ACCOUNT, meta: { doc: 'Exchange: the service account, DOMAIN\\user or user@domain.', expected: 'DOMAIN\\user or user@domain' } }),
  PASSWORD: optional(text({ secret: true, min: 1 }, 'Exchange: the service account\'s password. Secret.')),
  ACCESS: oneOf(
    ['impersonation', 'delegate'],
    'impersonation',
    'Exchange: impersonation (the ApplicationImpersonation role, limited by a management scope) or delegate (folder permissions on each calendar; automatic replies cannot be read then).',
  ),
  PUSH: bool(
    true,
    'Exchange: true when Exchange can reach this app\'s webhook (WEBHOOK_BASE_URL) over HTTPS for push subscriptions; false: its mailboxes are polled every EXCHANGE_POLL_INTERVAL. A delegate profile is always polled: Exchange refuses subscriptions to delegates.',
  ),
  TIMEOUT_MS: optional(int({ min: 100, max: 300_000 }, 'Exchange: per-request timeout in milliseconds. Empty: PROVIDER_TIMEOUT_MS.')),
  MAX_CONNECTIONS: int(
    { default: 10, min: 1, max: EWS_MAX_CONCURRENCY },
    `Exchange: concurrent EWS requests of this profile per instance; Exchange refuses the service account beyond its EWSMaxConcurrency (${EWS_MAX_CONCURRENCY} by default), shared by every instance.`,
  ),
  CA_CERTIFICATE: optional(text({ min: 1 }, 'Exchange: PEM bundle of the CA certificates (e.g. an internal CA) trusted for the EWS server besides the public roots. Empty: public roots only.')),
} satisfies Record<string, Setting<unknown>>;

const ServiceAccountKeySchema = z.object({
  client_email: z.string().email(),
  private_key: z.string().includes('PRIVATE KEY'),
  private_key_id: z.string().optional(),
});

export type ProfilesResult = { ok: true; profiles: Profile[] } | { ok: false; problems: SettingProblem[] };

export function readProfiles(env: Env): ProfilesResult {
  const names = readSettings(PROFILE_LIST_SETTING, env);
  if (!names.ok) return names;
  const problems: SettingProblem[] = [];
  const profiles: Profile[] = [];
  if (names.values.PROFILES.length === 0) {
    problems.push({ name: 'PROFILES', problem: 'names no connection profile', expected: 'e.g. M365 or M365,GWS' });
  }
  const seenDomains = new Map<string, string>();
  for (const name of names.values.PROFILES) {
    const prefix = `PROFILE_${name.toUpperCase()}_`;
    const scoped: Env = {};
    for (const key of Object.keys(profileSettings)) scoped[key] = env[prefix + key];
    const read = readSettings(profileSettings, scoped);
    if (!read.ok) {
      problems.push(...read.problems.map((p) => ({ ...p, name: prefix + p.name })));
      continue;
    }
    const v = read.values;
    const problem = (suffix: string, what: string, expected: string) =>
      problems.push({ name: prefix + suffix, problem: what, expected });
    if (v.DOMAINS.length === 0) problem('DOMAINS', 'is required but not set', 'a comma-separated list of mail domains');
    for (const domain of v.DOMAINS) {
      // Several profiles may serve one domain (failover during a migration); order is PROFILES order.
      if (!seenDomains.has(domain)) seenDomains.set(domain, name);
    }
    if (v.KIND === 'graph') {
      if (!v.TENANT_ID) problem('TENANT_ID', 'is required for a graph profile', 'the Entra ID tenant id');
      if (!v.CLIENT_ID) problem('CLIENT_ID', 'is required for a graph profile', 'the application (client) id');
      let credential: GraphCredential | undefined;
      if (v.CERTIFICATE) {
        if (!v.CERTIFICATE_THUMBPRINT || !/^[0-9A-Fa-f:]{40,59}$/.test(v.CERTIFICATE_THUMBPRINT)) {
          problem('CERTIFICATE_THUMBPRINT', 'is required with a certificate', 'the certificate\'s SHA-1 thumbprint in hex');
        } else if (!v.CERTIFICATE.includes('PRIVATE KEY')) {
          problem('CERTIFICATE', 'is not valid', 'a PEM private key (-----BEGIN PRIVATE KEY-----)');
        } else {
          credential = { type: 'certificate', privateKeyPem: v.CERTIFICATE, thumbprint: v.CERTIFICATE_THUMBPRINT.replace(/:/g, '') };
        }
      } else if (v.CLIENT_SECRET) {
        credential = { type: 'secret', clientSecret: v.CLIENT_SECRET };
      } else {
        problem('CERTIFICATE', 'is not set, nor is CLIENT_SECRET', `${prefix}CERTIFICATE + ${prefix}CERTIFICATE_THUMBPRINT, or ${prefix}CLIENT_SECRET`);
      }
      registerSecret(v.CLIENT_SECRET);
      registerSecret(v.CERTIFICATE);
      if (v.TENANT_ID && v.CLIENT_ID && credential) {
        profiles.push({
          name,
          kind: 'graph',
          domains: v.DOMAINS,
          tenantId: v.TENANT_ID,
          clientId: v.CLIENT_ID,
          credential,
          authorityHost: v.AUTHORITY_HOST,
          graphEndpoint: v.GRAPH_ENDPOINT,
          resolveAddresses: v.RESOLVE_ADDRESSES,
        });
      }
    } else if (v.KIND === 'exchange') {
      const exchange = exchangeProfile(name, v, problem);
      if (exchange) profiles.push(exchange);
    } else {
      registerSecret(v.SERVICE_ACCOUNT_KEY);
      if (!v.SERVICE_ACCOUNT_KEY) {
        problem('SERVICE_ACCOUNT_KEY', 'is required for a google profile', 'the service account JSON key');
        continue;
      }
      let key: GoogleServiceAccountKey | undefined;
      try {
        const parsed = ServiceAccountKeySchema.safeParse(JSON.parse(v.SERVICE_ACCOUNT_KEY));
        if (parsed.success) key = parsed.data;
      } catch {
        key = undefined;
      }
      if (!key) {
        problem('SERVICE_ACCOUNT_KEY', 'is not valid', 'a service account JSON key with client_email and private_key');
        continue;
      }
      registerSecret(key.private_key);
      profiles.push({
        name,
        kind: 'google',
        domains: v.DOMAINS,
        serviceAccountKey: key,
        scope: v.SCOPE,
        tokenUrl: v.TOKEN_URL,
        apiRoot: v.API_ROOT,
      });
    }
  }
  return problems.length === 0 ? { ok: true, profiles } : { ok: false, problems };
}

type ProfileValues = SettingValues<typeof profileSettings>;

/** An exchange profile from its settings, or undefined with each missing or bad one reported. */
function exchangeProfile(name: string, v: ProfileValues, problem: (suffix: string, what: string, expected: string) => void): ExchangeProfile | undefined {
  registerSecret(v.PASSWORD);
  if (!v.EWS_URL) problem('EWS_URL', 'is required for an exchange profile', 'https://<server>/EWS/Exchange.asmx');
  if (!v.USER_NAME) problem('USER_NAME', 'is required for an exchange profile', 'the service account, DOMAIN\\user or user@domain');
  if (!v.PASSWORD) problem('PASSWORD', 'is required for an exchange profile', 'the service account\'s password');
  // An unresolved Key Vault reference reaches the app as its literal text: caught here too.
  const caCertificates = v.CA_CERTIFICATE === undefined ? [] : pemCertificates(v.CA_CERTIFICATE);
  if (!caCertificates) problem('CA_CERTIFICATE', 'is not a PEM certificate bundle', 'one or more -----BEGIN CERTIFICATE----- blocks');
  if (!v.EWS_URL || !v.USER_NAME || !v.PASSWORD || !caCertificates) return undefined;
  return {
    name,
    kind: 'exchange',
    domains: v.DOMAINS,
    ewsUrl: v.EWS_URL,
    authentication: v.AUTHENTICATION,
    userName: v.USER_NAME,
    password: v.PASSWORD,
    access: v.ACCESS,
    // Exchange refuses push subscriptions to a delegate (subscribe-operation.md): such a profile polls.
    push: v.PUSH && v.ACCESS !== 'delegate',
    timeoutMs: v.TIMEOUT_MS,
    maxConnections: v.MAX_CONNECTIONS,
    caCertificates,
  };
}
