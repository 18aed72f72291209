import { describe, expect, it } from 'vitest';
import { readConfig, loadConfig } from '../../../shared/config/config.js';
import { readMappingSettings } from '../../../shared/config/mapping-setting-specs.js';
import { isAppError } from '../../../shared/errors/app-error.js';

const PASSWORD = 'Sup3r:Secret@Pässword';
const GRAPH_SECRET = 'graph-client-secret-value-123';

const validEnv = (): Record<string, string> => ({
  OOF_CODE: '5',
  DEFAULT_CODE: '11',
  CMG_BASE_URL: 'https://cmg.example.com/CMG Office',
  CMG_PASSWORD: PASSWORD,
  CMG_MESSAGE_SYSTEMS: '1,3',
  PROFILES: 'M365',
  PROFILE_M365_KIND: 'graph',
  PROFILE_M365_DOMAINS: 'contoso.com; fabrikam.com',
  PROFILE_M365_TENANT_ID: 'contoso.onmicrosoft.com',
  PROFILE_M365_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
  PROFILE_M365_CLIENT_SECRET: GRAPH_SECRET,
  TABLES_CONNECTION_STRING: 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=abc;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;',
});

describe('mapping settings', () => {
  it('when only the required codes are set, then every default is the one MAPPING.md gives', () => {
    const result = readMappingSettings({ OOF_CODE: '5', DEFAULT_CODE: '11' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.settings).toMatchObject({
      lookbackHours: 24,
      viewDays: 14,
      syncFree: false,
      syncTentative: true,
      syncUnanswered: true,
      syncWorkingElsewhere: false,
      syncAutomaticReplies: true,
      codeOnlyAliases: false,
      codeMatchFields: ['category', 'subject'],
      syncOnlyMatched: false,
      forwardPrefix: '*',
      notForwardPrefix: '#',
      maskPrivate: true,
      privateSubject: 'Private appointment',
      privateLocation: '',
      allDayStartOffsetHours: 0,
      allDayEndAtMidnight: true,
      textMax: 255,
      textAppendLocation: false,
      inConference: false,
      sign: 'Calendar',
      categoryCodes: {},
      codeAliases: {},
      codeLanguages: [],
    });
    expect(Object.isFrozen(result.settings)).toBe(true);
  });

  it('when DEFAULT_CODE is missing and SYNC_ONLY_MATCHED is off, then it is named as required', () => {
    const result = readMappingSettings({ OOF_CODE: '5' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.name)).toEqual(['DEFAULT_CODE']);
  });

  it('when SYNC_ONLY_MATCHED=true, then DEFAULT_CODE may be absent', () => {
    expect(readMappingSettings({ OOF_CODE: '5', SYNC_ONLY_MATCHED: 'true' }).ok).toBe(true);
  });

  it('when maps and lists are given, then they are parsed as MAPPING.md writes them', () => {
    const result = readMappingSettings({
      OOF_CODE: '5',
      DEFAULT_CODE: '11',
      CATEGORY_CODES: '{"Vacation":"5","Travel":7}',
      CODE_ALIASES: '{"Trip":"7"}',
      CODE_LANGUAGES: 'en, sv',
      CODE_MATCH_FIELDS: 'subject',
    });
    expect(result.ok && result.settings).toMatchObject({
      categoryCodes: { Vacation: '5', Travel: '7' },
      codeAliases: { Trip: '7' },
      codeLanguages: ['en', 'sv'],
      codeMatchFields: ['subject'],
    });
  });

  it('when several settings are bad, then every one is listed with what is expected', () => {
    const result = readMappingSettings({
      DEFAULT_CODE: '11',
      SYNC_FREE: 'yes',
      CALENDAR_VIEW_DAYS: '-3',
      CATEGORY_CODES: '{not json',
      CODE_MATCH_FIELDS: 'body',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const names = result.problems.map((p) => p.name).sort();
    expect(names).toEqual(['CALENDAR_VIEW_DAYS', 'CATEGORY_CODES', 'CODE_MATCH_FIELDS', 'OOF_CODE', 'SYNC_FREE']);
    expect(result.problems.find((p) => p.name === 'SYNC_FREE')?.expected).toBe('true or false');
  });
});

describe('configuration', () => {
  it('when every required setting is valid, then one frozen, typed object comes back', () => {
    const config = loadConfig(validEnv());
    expect(config.cmg).toMatchObject({ baseUrl: 'https://cmg.example.com/CMG Office', application: 'EXCHANGE', messageSystems: [1, 3], timeoutMs: 10_000 });
    expect(config.profiles).toEqual([
      expect.objectContaining({ name: 'M365', kind: 'graph', domains: ['contoso.com', 'fabrikam.com'], credential: { type: 'secret', clientSecret: GRAPH_SECRET } }),
    ]);
    expect(config.sync.updateIntervalMs).toBe(15 * 60_000);
    expect(config.push.webhookBaseUrl).toBeUndefined();
    expect(Object.isFrozen(config.cmg)).toBe(true);
    expect(Object.isFrozen(config.profiles[0])).toBe(true);
  });

  it('when settings are invalid, then the error names each one and never contains a secret value', () => {
    const env = { ...validEnv(), CMG_MESSAGE_SYSTEMS: '', PROFILE_M365_CLIENT_ID: '', UPDATE_INTERVAL: 'soon', PROFILES: 'M365,GWS', PROFILE_GWS_KIND: 'google', PROFILE_GWS_DOMAINS: 'gws.example', PROFILE_GWS_SERVICE_ACCOUNT_KEY: `{"client_email":"x","private_key":"${GRAPH_SECRET}"}` };
    let thrown: unknown;
    try {
      loadConfig(env);
    } catch (error) {
      thrown = error;
    }
    expect(isAppError(thrown) && thrown.kind).toBe('configuration');
    const message = (thrown as Error).message;
    for (const name of ['CMG_MESSAGE_SYSTEMS', 'PROFILE_M365_CLIENT_ID', 'UPDATE_INTERVAL', 'PROFILE_GWS_SERVICE_ACCOUNT_KEY']) {
      expect(message).toContain(name);
    }
    expect(message).not.toContain(PASSWORD);
    expect(message).not.toContain(GRAPH_SECRET);
  });

  it('when a certificate is given without a thumbprint, then the thumbprint setting is named', () => {
    const env = { ...validEnv(), PROFILE_M365_CLIENT_SECRET: '', PROFILE_M365_CERTIFICATE: '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----' };
    const result = readConfig(env);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.name)).toEqual(['PROFILE_M365_CERTIFICATE_THUMBPRINT']);
  });

  it('when only one end of the quiet period is set, then the pair is named', () => {
    const result = readConfig({ ...validEnv(), SUBSCRIBE_OFF_START: '22:00' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]?.name).toBe('SUBSCRIBE_OFF_END');
  });

  it('when the renew margin is not longer than the quiet period, then the margin is named (a subscription could lapse in the period)', () => {
    const quiet = { ...validEnv(), SUBSCRIBE_OFF_START: '20:00', SUBSCRIBE_OFF_END: '08:00' };
    const result = readConfig({ ...quiet, SUBSCRIPTION_RENEW_MARGIN: '12h' });
    expect(!result.ok && result.problems.map((p) => p.name)).toEqual(['SUBSCRIPTION_RENEW_MARGIN']);
    expect(readConfig({ ...quiet, SUBSCRIPTION_RENEW_MARGIN: '14h' }).ok).toBe(true);
  });

  it('when durations and times are written in the documented forms, then they are parsed', () => {
    const config = loadConfig({ ...validEnv(), UPDATE_INTERVAL: '90s', ROSTER_PERIOD: '2h', SUBSCRIBE_OFF_START: '22:30', SUBSCRIBE_OFF_END: '05:00', SUBSCRIBE_OFF_TIMEZONE: 'Europe/Stockholm' });
    expect(config.sync.updateIntervalMs).toBe(90_000);
    expect(config.sync.rosterPeriodMs).toBe(7_200_000);
    expect(config.sync.subscribeOff).toEqual({ start: 22 * 60 + 30, end: 5 * 60, timeZone: 'Europe/Stockholm' });
  });

  it('when no storage is configured, then the storage settings are named', () => {
    const env = validEnv();
    delete (env as Record<string, string | undefined>).TABLES_CONNECTION_STRING;
    const result = readConfig(env);
    expect(!result.ok && result.problems.map((p) => p.name)).toEqual(['TABLES_ENDPOINT']);
  });
});

describe('settings that would leak or lie', () => {
  const names = (env: Record<string, string>): string[] => {
    const result = readConfig(env);
    return result.ok ? [] : result.problems.map((p) => p.name);
  };

  it('when a secret is still an unresolved Key Vault reference, then start-up stops naming the setting and never printing the reference', () => {
    const reference = '@Microsoft.KeyVault(SecretUri=https://kv-contoso.vault.azure.net/secrets/cmg-password/)';
    const env = { ...validEnv(), CMG_PASSWORD: reference, PROFILE_M365_CLIENT_SECRET: reference };
    expect(names(env).sort()).toEqual(['CMG_PASSWORD', 'PROFILE_M365_CLIENT_SECRET']);
    let message = '';
    try {
      loadConfig(env);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/CMG_PASSWORD is still a Key Vault reference/);
    expect(message).not.toContain('kv-contoso');
  });

  it('when a non-secret setting is an unresolved Key Vault reference, then it is named too (it would pass as text)', () => {
    expect(names({ ...validEnv(), CMG_APPLICATION: '@Microsoft.KeyVault(VaultName=kv;SecretName=app)' })).toEqual(['CMG_APPLICATION']);
  });

  it.each([
    ['CMG_BASE_URL', 'http://cmg.example.com/CMG Office'],
    ['WEBHOOK_BASE_URL', 'http://calsync.example.com'],
    ['TABLES_ENDPOINT', 'http://acct.table.core.windows.net'],
    ['PROFILE_M365_GRAPH_ENDPOINT', 'http://graph.microsoft.com'],
    ['PROFILE_M365_AUTHORITY_HOST', 'http://login.microsoftonline.com'],
  ])('when %s is plain http to another host, then it is named (credentials or secrets would travel in clear)', (name, value) => {
    expect(names({ ...validEnv(), [name]: value })).toEqual([name]);
  });

  it.each(['http://127.0.0.1:7071', 'http://localhost:7071', 'http://[::1]:7071', 'https://calsync.example.com'])(
    'when WEBHOOK_BASE_URL is %s (https, or loopback as the dev host uses), then it is accepted',
    (value) => {
      expect(names({ ...validEnv(), WEBHOOK_BASE_URL: value, CMG_BASE_URL: value })).toEqual([]);
    },
  );

  it('when a proxy URL carries credentials over plain http to another host, then the variable is named and its password is not printed', () => {
    const env = { ...validEnv(), HTTPS_PROXY: 'http://svc:Pr0xyPass@proxy.corp:3128' };
    expect(names(env)).toEqual(['HTTPS_PROXY']);
    expect(() => loadConfig(env)).toThrow(/HTTPS_PROXY carries credentials over plain http/);
    expect(() => loadConfig(env)).not.toThrow(/Pr0xyPass/);
  });

  it('when a proxy is plain http without credentials, https with credentials, or on loopback, then it is accepted', () => {
    expect(names({ ...validEnv(), HTTP_PROXY: 'proxy.corp:3128', HTTPS_PROXY: 'https://svc:pw@proxy.corp:3129', https_proxy: 'http://svc:pw@127.0.0.1:3128' })).toEqual([]);
  });
});
