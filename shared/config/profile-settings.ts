/**
 * Connection profiles: which calendar system serves which mail domains, and its credentials.
 * `PROFILES=M365,GWS` names them in failover order; each name N has its own `PROFILE_N_*`
 * settings so that every secret can be its own Key Vault reference.
 */
import { z } from 'zod';
import { bool, list, oneOf, optional, text, url, type Setting } from './setting.js';
import { readSettings, type Env, type SettingProblem } from './read-settings.js';
import { registerSecret } from '../observability/logger.js';

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

export type Profile = GraphProfile | GoogleProfile;

const DOMAIN = z.string().toLowerCase().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'not a mail domain');
const PROFILE_NAME = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'not a profile name (letters, digits, _)');

export const PROFILE_LIST_SETTING = {
  PROFILES: list('comma', '', 'Connection profile names in failover order; each has PROFILE_<NAME>_* settings.', PROFILE_NAME),
} satisfies Record<string, Setting<unknown>>;

export const GOOGLE_SCOPES = [
  'https://www.googleapis.com/auth/calendar.readonly',
  'https://www.googleapis.com/auth/calendar.events.readonly',
] as const;

/** The settings one profile reads, by suffix after `PROFILE_<NAME>_`. */
export const profileSettings = {
  KIND: oneOf(['graph', 'google'], 'graph', 'Calendar system: graph (Microsoft 365) or google (Google Workspace).'),
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
