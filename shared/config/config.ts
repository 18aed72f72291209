/**
 * The one typed, frozen configuration of the product, read from app settings at start-up.
 * Reading settings anywhere else is a bug (STYLE.md habit 4).
 */
import { readMappingSettings } from './mapping-setting-specs.js';
import { readProfiles, type Profile } from './profile-settings.js';
import { describeProblems, isKeyVaultReference, KEY_VAULT_PROBLEM, readSettings, type Env, type SettingProblem } from './read-settings.js';
import { ADMIN_SETTINGS } from './admin-settings.js';
import { CMG_SETTINGS, PLATFORM_SETTINGS, PUSH_SETTINGS, SYNC_SETTINGS } from './runtime-settings.js';
import { isLoopbackHost } from './setting.js';
import { configurationError } from '../errors/app-error.js';
import { registerSecret, type LogLevel } from '../observability/logger.js';
import { pemCertificates } from '../tls/trusted-certificates.js';
import type { MappingSettings } from '../domain/mapping-settings.js';

export interface CmgConfig {
  readonly baseUrl: string;
  readonly application: string;
  readonly password: string;
  readonly messageSystems: readonly number[];
  readonly timeoutMs: number;
  readonly maxConcurrency: number;
  readonly maxRetries: number;
  readonly codesRefreshMs: number;
  /** Extra CA certificates (PEM) trusted for CMG besides the public roots (CMG_CA_CERTIFICATE). */
  readonly caCertificates: readonly string[];
}

export interface SyncConfig {
  readonly updateIntervalMs: number;
  readonly rosterPeriodMs: number;
  readonly rosterInitialDelayMs: number;
  readonly testMailAddresses: readonly string[];
  readonly excludedMailAddresses: readonly string[];
  readonly maxBoxes: number | undefined;
  /** Minutes after midnight in `subscribeOffTimeZone`; both set or both undefined. */
  readonly subscribeOff: { readonly start: number; readonly end: number; readonly timeZone: string } | undefined;
  readonly defaultTimeZone: string;
  readonly providerTimeoutMs: number;
  readonly providerMaxRetries: number;
  readonly jobMaxAttempts: number;
  readonly jobRetryBaseMs: number;
  readonly jobRetryMaxMs: number;
  readonly applyConcurrency: number;
  /** Profile circuit (ARCHITECTURE.md "Failure containment"). */
  readonly circuitRefusals: number;
  readonly circuitWindowMs: number;
  readonly circuitProbeIntervalMs: number;
  readonly invalidAfterMs: number;
  readonly invalidReprobeMs: number;
}

export interface PushConfig {
  /** Undefined: push is off, polling alone runs. */
  readonly webhookBaseUrl: string | undefined;
  readonly graphSubscriptionMinutes: number;
  readonly googleChannelTtlMs: number;
  readonly renewMarginMs: number;
  /** Polling of exchange profiles without push (PROFILE_<NAME>_PUSH=false or no webhook). */
  readonly exchangePollIntervalMs: number;
  /** Exchange push: the keep-alive period asked for (StatusFrequency, minutes). */
  readonly exchangeStatusFrequencyMinutes: number;
  /** Notifications of one mailbox within one window become one job (message-id.ts). */
  readonly notificationWindowMs: number;
}

export interface PlatformConfig {
  readonly tables: { readonly connectionString: string } | { readonly endpoint: string };
  readonly serviceBus:
    | { readonly connectionString: string; readonly queue: string }
    | { readonly fullyQualifiedNamespace: string; readonly queue: string }
    | { readonly queue: string };
  readonly managedIdentityClientId: string | undefined;
  readonly logLevel: LogLevel;
  readonly telemetry: TelemetryConfig;
  readonly adminPage: boolean;
}

/** Where metrics and traces go; `azure-monitor` carries the Application Insights connection string. */
export type TelemetryConfig = { readonly export: 'off' | 'console' } | { readonly export: 'azure-monitor'; readonly connectionString: string };

/** The Entra ID app registration whose access tokens the admin API accepts; undefined: nobody is admitted. */
export interface AdminAuthConfig {
  readonly entra: { readonly tenantId: string; readonly clientId: string; readonly authority: string } | undefined;
}

export interface Config {
  readonly mapping: MappingSettings;
  readonly cmg: CmgConfig;
  readonly profiles: readonly Profile[];
  readonly sync: SyncConfig;
  readonly push: PushConfig;
  readonly platform: PlatformConfig;
  readonly admin: AdminAuthConfig;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: SettingProblem[] };

export function readConfig(env: Env): ConfigResult {
  const problems: SettingProblem[] = [];
  const mapping = readMappingSettings(env);
  if (!mapping.ok) problems.push(...mapping.problems);
  const profiles = readProfiles(env);
  if (!profiles.ok) problems.push(...profiles.problems);
  const cmg = readSettings(CMG_SETTINGS, env);
  if (!cmg.ok) problems.push(...cmg.problems);
  const sync = readSettings(SYNC_SETTINGS, env);
  if (!sync.ok) problems.push(...sync.problems);
  const push = readSettings(PUSH_SETTINGS, env);
  if (!push.ok) problems.push(...push.problems);
  const platform = readSettings(PLATFORM_SETTINGS, env);
  if (!platform.ok) problems.push(...platform.problems);
  problems.push(...proxyProblems(env));
  const admin = readSettings(ADMIN_SETTINGS, env);
  if (!admin.ok) problems.push(...admin.problems);
  if (admin.ok && (admin.values.ADMIN_TENANT_ID === undefined) !== (admin.values.ADMIN_CLIENT_ID === undefined)) {
    problems.push({ name: 'ADMIN_CLIENT_ID', problem: 'must be set together with ADMIN_TENANT_ID', expected: 'both GUIDs, or both empty' });
  }

  if (cmg.ok) {
    registerSecret(cmg.values.CMG_PASSWORD);
    if (cmg.values.CMG_MESSAGE_SYSTEMS.length === 0) {
      problems.push({ name: 'CMG_MESSAGE_SYSTEMS', problem: 'names no message system', expected: 'comma-separated integers, at least one' });
    }
    // An unresolved Key Vault reference reaches the app as its literal text: caught here too.
    if (cmg.values.CMG_CA_CERTIFICATE !== undefined && !pemCertificates(cmg.values.CMG_CA_CERTIFICATE)) {
      problems.push({ name: 'CMG_CA_CERTIFICATE', problem: 'is not a PEM certificate bundle', expected: 'one or more -----BEGIN CERTIFICATE----- blocks' });
    }
  }
  if (sync.ok && (sync.values.SUBSCRIBE_OFF_START === undefined) !== (sync.values.SUBSCRIBE_OFF_END === undefined)) {
    problems.push({ name: 'SUBSCRIBE_OFF_END', problem: 'must be set together with SUBSCRIBE_OFF_START', expected: 'both hh:mm, or both empty' });
  }
  if (sync.ok && push.ok && sync.values.SUBSCRIBE_OFF_START !== undefined && sync.values.SUBSCRIBE_OFF_END !== undefined) {
    // Subscriptions are renewed within the margin and never in the quiet period: one that
    // expires at its end must have been inside the margin when the period began.
    const quietMs = (((sync.values.SUBSCRIBE_OFF_END - sync.values.SUBSCRIBE_OFF_START + 1440) % 1440) + 60) * 60_000;
    if (push.values.SUBSCRIPTION_RENEW_MARGIN <= quietMs) {
      problems.push({ name: 'SUBSCRIPTION_RENEW_MARGIN', problem: 'is not longer than the quiet period (SUBSCRIBE_OFF_START–_END)', expected: 'a margin at least an hour longer than the quiet period' });
    }
  }
  if (platform.ok) {
    registerSecret(platform.values.TABLES_CONNECTION_STRING);
    registerSecret(platform.values.ServiceBusConnection);
    if (!platform.values.TABLES_CONNECTION_STRING && !platform.values.TABLES_ENDPOINT) {
      problems.push({ name: 'TABLES_ENDPOINT', problem: 'is not set, nor is TABLES_CONNECTION_STRING', expected: 'one of them' });
    }
    if (platform.values.TELEMETRY === 'azure-monitor' && !platform.values.APPLICATIONINSIGHTS_CONNECTION_STRING) {
      problems.push({ name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', problem: 'is not set, and TELEMETRY=azure-monitor needs it', expected: 'the Application Insights connection string' });
    }
  }
  if (problems.length > 0 || !mapping.ok || !profiles.ok || !cmg.ok || !sync.ok || !push.ok || !platform.ok || !admin.ok) {
    return { ok: false, problems };
  }

  const c = cmg.values;
  const s = sync.values;
  const p = push.values;
  const f = platform.values;
  const a = admin.values;
  const queue = f.SERVICE_BUS_QUEUE;
  const config: Config = {
    mapping: mapping.settings,
    profiles: profiles.profiles,
    cmg: {
      baseUrl: c.CMG_BASE_URL,
      application: c.CMG_APPLICATION,
      password: c.CMG_PASSWORD,
      messageSystems: c.CMG_MESSAGE_SYSTEMS.map(Number),
      timeoutMs: c.CMG_TIMEOUT_MS,
      maxConcurrency: c.CMG_MAX_CONCURRENCY,
      maxRetries: c.CMG_MAX_RETRIES,
      codesRefreshMs: c.CMG_CODES_REFRESH,
      caCertificates: c.CMG_CA_CERTIFICATE === undefined ? [] : (pemCertificates(c.CMG_CA_CERTIFICATE) ?? []),
    },
    sync: {
      updateIntervalMs: s.UPDATE_INTERVAL,
      rosterPeriodMs: s.ROSTER_PERIOD,
      rosterInitialDelayMs: s.ROSTER_INITIAL_DELAY,
      testMailAddresses: s.TEST_MAIL_ADDRESSES,
      excludedMailAddresses: s.EXCLUDED_MAIL_ADDRESSES,
      maxBoxes: s.MAX_BOXES,
      subscribeOff:
        s.SUBSCRIBE_OFF_START !== undefined && s.SUBSCRIBE_OFF_END !== undefined
          ? { start: s.SUBSCRIBE_OFF_START, end: s.SUBSCRIBE_OFF_END, timeZone: s.SUBSCRIBE_OFF_TIMEZONE }
          : undefined,
      defaultTimeZone: s.DEFAULT_TIME_ZONE,
      providerTimeoutMs: s.PROVIDER_TIMEOUT_MS,
      providerMaxRetries: s.PROVIDER_MAX_RETRIES,
      jobMaxAttempts: s.JOB_MAX_ATTEMPTS,
      jobRetryBaseMs: s.JOB_RETRY_BASE,
      jobRetryMaxMs: s.JOB_RETRY_MAX,
      applyConcurrency: s.CMG_APPLY_CONCURRENCY,
      circuitRefusals: s.CIRCUIT_REFUSALS,
      circuitWindowMs: s.CIRCUIT_WINDOW,
      circuitProbeIntervalMs: s.CIRCUIT_PROBE_INTERVAL,
      invalidAfterMs: s.INVALID_AFTER,
      invalidReprobeMs: s.INVALID_REPROBE,
    },
    push: {
      webhookBaseUrl: p.WEBHOOK_BASE_URL,
      graphSubscriptionMinutes: p.GRAPH_SUBSCRIPTION_MINUTES,
      googleChannelTtlMs: p.GOOGLE_CHANNEL_TTL,
      renewMarginMs: p.SUBSCRIPTION_RENEW_MARGIN,
      exchangePollIntervalMs: p.EXCHANGE_POLL_INTERVAL,
      exchangeStatusFrequencyMinutes: p.EXCHANGE_STATUS_FREQUENCY,
      notificationWindowMs: p.NOTIFICATION_WINDOW_MS,
    },
    platform: {
      tables: f.TABLES_CONNECTION_STRING ? { connectionString: f.TABLES_CONNECTION_STRING } : { endpoint: f.TABLES_ENDPOINT! },
      serviceBus: f.ServiceBusConnection
        ? { connectionString: f.ServiceBusConnection, queue }
        : f.ServiceBusConnection__fullyQualifiedNamespace
          ? { fullyQualifiedNamespace: f.ServiceBusConnection__fullyQualifiedNamespace, queue }
          : { queue },
      managedIdentityClientId: f.AZURE_CLIENT_ID,
      logLevel: f.LOG_LEVEL,
      telemetry: telemetryConfig(f.TELEMETRY, f.APPLICATIONINSIGHTS_CONNECTION_STRING),
      adminPage: f.ADMIN_PAGE,
    },
    admin: {
      entra:
        a.ADMIN_TENANT_ID !== undefined && a.ADMIN_CLIENT_ID !== undefined
          ? { tenantId: a.ADMIN_TENANT_ID, clientId: a.ADMIN_CLIENT_ID, authority: a.ADMIN_AUTHORITY }
          : undefined,
    },
  };
  return { ok: true, config: deepFreeze(config) };
}

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/**
 * The standard proxy variables are read where the clients are built (outbound-proxy.ts,
 * http-transport.ts), but checked here with the rest: a proxy URL with a user and password
 * sends them (Proxy-Authorization) to the proxy, so it must be https unless the proxy is on
 * loopback. Values are never quoted: they may hold that password.
 */
function proxyProblems(env: Env): SettingProblem[] {
  const problems: SettingProblem[] = [];
  const expected = 'a proxy URL; with credentials, https:// (or http:// to a loopback proxy)';
  for (const name of PROXY_VARIABLES) {
    const value = env[name]?.trim();
    if (!value) continue;
    if (isKeyVaultReference(value)) {
      problems.push({ name, problem: KEY_VAULT_PROBLEM, expected });
      continue;
    }
    let proxy: URL;
    try {
      proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
    } catch {
      problems.push({ name, problem: 'is not valid', expected });
      continue;
    }
    const credentials = proxy.username !== '' || proxy.password !== '';
    if (credentials && proxy.protocol !== 'https:' && !isLoopbackHost(proxy.hostname)) {
      problems.push({ name, problem: 'carries credentials over plain http', expected });
    }
  }
  return problems;
}

/** Reads the configuration or throws a configuration error listing every bad setting. */
/** `auto`: Application Insights when its connection string is set (as in Azure), else nothing. */
function telemetryConfig(mode: 'auto' | 'azure-monitor' | 'console' | 'off', connectionString: string | undefined): TelemetryConfig {
  if ((mode === 'auto' || mode === 'azure-monitor') && connectionString) return { export: 'azure-monitor', connectionString };
  return { export: mode === 'console' ? 'console' : 'off' };
}

export function loadConfig(env: Env = process.env): Config {
  const result = readConfig(env);
  if (!result.ok) throw configurationError(describeProblems(result.problems), 'invalid-settings');
  return result.config;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
