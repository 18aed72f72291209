import { describe, expect, it } from 'vitest';
import { loadConfig, readConfig } from '../../../shared/config/config.js';
import type { ExchangeProfile } from '../../../shared/config/profile-settings.js';
import { redactText } from '../../../shared/observability/logger.js';
import { createPrivateCa } from '../../support/private-ca.js';

const EWS_PASSWORD = 'Ex-Serv1ce:Pässword';
const GRAPH_SECRET = 'graph-client-secret-value-123';

const baseEnv = (): Record<string, string> => ({
  OOF_CODE: '5',
  DEFAULT_CODE: '11',
  CMG_BASE_URL: 'https://cmg.example.com/CMG Office',
  CMG_PASSWORD: 'cmg-password-value',
  CMG_MESSAGE_SYSTEMS: '1',
  TABLES_CONNECTION_STRING: 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=abc;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;',
  PROFILES: 'ONPREM',
  PROFILE_ONPREM_KIND: 'exchange',
  PROFILE_ONPREM_DOMAINS: 'corp.example.com',
  PROFILE_ONPREM_EWS_URL: 'https://mail.corp.example.com/EWS/Exchange.asmx',
  PROFILE_ONPREM_USER_NAME: 'CORP\\svc-calsync',
  PROFILE_ONPREM_PASSWORD: EWS_PASSWORD,
});

const problemsOf = (env: Record<string, string>): Array<{ name: string; problem: string; expected: string }> => {
  const result = readConfig(env);
  return result.ok ? [] : result.problems;
};

const exchangeOf = (env: Record<string, string>): ExchangeProfile => {
  const profile = loadConfig(env).profiles[0];
  if (profile?.kind !== 'exchange') throw new Error(`expected an exchange profile, got ${profile?.kind}`);
  return profile;
};

describe('exchange profile', () => {
  it('when only the required settings are given, then every default is the documented one', () => {
    expect(exchangeOf(baseEnv())).toEqual({
      name: 'ONPREM',
      kind: 'exchange',
      domains: ['corp.example.com'],
      ewsUrl: 'https://mail.corp.example.com/EWS/Exchange.asmx',
      authentication: 'ntlm',
      userName: 'CORP\\svc-calsync',
      password: EWS_PASSWORD,
      access: 'impersonation',
      push: true,
      timeoutMs: undefined,
      maxConnections: 10,
      caCertificates: [],
    });
    expect(loadConfig(baseEnv()).push.exchangePollIntervalMs).toBe(60_000);
  });

  it('when every setting is given, then each is read, the CA bundle split into its certificates', () => {
    const ca = createPrivateCa('Corp Root CA');
    const other = createPrivateCa('Corp Issuing CA');
    const profile = exchangeOf({
      ...baseEnv(),
      PROFILE_ONPREM_EWS_URL: ' https://gw.corp.example.com/exchange/ews/exchange.asmx ',
      PROFILE_ONPREM_AUTHENTICATION: 'basic',
      PROFILE_ONPREM_USER_NAME: 'svc-calsync@corp.example.com',
      PROFILE_ONPREM_ACCESS: 'delegate',
      PROFILE_ONPREM_PUSH: 'false',
      PROFILE_ONPREM_TIMEOUT_MS: '60000',
      PROFILE_ONPREM_MAX_CONNECTIONS: '27',
      PROFILE_ONPREM_CA_CERTIFICATE: `${ca.caCertificate}\n${other.caCertificate}`,
      EXCHANGE_POLL_INTERVAL: '5m',
    });
    expect(profile).toMatchObject({
      ewsUrl: 'https://gw.corp.example.com/exchange/ews/exchange.asmx',
      authentication: 'basic',
      userName: 'svc-calsync@corp.example.com',
      access: 'delegate',
      push: false,
      timeoutMs: 60_000,
      maxConnections: 27,
    });
    expect(profile.caCertificates).toHaveLength(2);
    expect(profile.caCertificates[0]).toContain('-----BEGIN CERTIFICATE-----');
  });

  it('when the profile reads as a delegate, then it is polled whatever PUSH says: Exchange refuses subscriptions to delegates', () => {
    expect(exchangeOf({ ...baseEnv(), PROFILE_ONPREM_ACCESS: 'delegate' }).push).toBe(false);
    expect(exchangeOf({ ...baseEnv(), PROFILE_ONPREM_ACCESS: 'delegate', PROFILE_ONPREM_PUSH: 'true' }).push).toBe(false);
    expect(exchangeOf({ ...baseEnv(), PROFILE_ONPREM_ACCESS: 'impersonation', PROFILE_ONPREM_PUSH: 'true' }).push).toBe(true);
  });

  it('when the required settings are missing, then each is named as required for an exchange profile', () => {
    const env = baseEnv();
    delete env.PROFILE_ONPREM_EWS_URL;
    delete env.PROFILE_ONPREM_USER_NAME;
    delete env.PROFILE_ONPREM_PASSWORD;
    const problems = problemsOf(env);
    expect(problems.map((p) => p.name)).toEqual(['PROFILE_ONPREM_EWS_URL', 'PROFILE_ONPREM_USER_NAME', 'PROFILE_ONPREM_PASSWORD']);
    for (const p of problems) expect(p.problem).toBe('is required for an exchange profile');
  });

  it.each([
    ['plain http', 'http://mail.corp.example.com/EWS/Exchange.asmx', 'not https'],
    ['plain http on loopback (the emulator serves TLS)', 'http://127.0.0.1:8443/EWS/Exchange.asmx', 'not https'],
    ['the bare host', 'https://mail.corp.example.com', 'does not end with /EWS/Exchange.asmx'],
    ['the autodiscover endpoint', 'https://autodiscover.corp.example.com/autodiscover/autodiscover.xml', 'does not end with /EWS/Exchange.asmx'],
    ['Outlook on the web', 'https://mail.corp.example.com/owa', 'does not end with /EWS/Exchange.asmx'],
    ['credentials in the URL', 'https://svc:pw@mail.corp.example.com/EWS/Exchange.asmx', 'carries credentials'],
    ['a query', 'https://mail.corp.example.com/EWS/Exchange.asmx?wsdl', 'has a query or fragment'],
    ['no URL at all', 'mail.corp.example.com/EWS/Exchange.asmx', 'not an absolute URL'],
  ])('when EWS_URL is %s, then it is named with the reason', (_, value, reason) => {
    const problems = problemsOf({ ...baseEnv(), PROFILE_ONPREM_EWS_URL: value });
    expect(problems.map((p) => p.name)).toEqual(['PROFILE_ONPREM_EWS_URL']);
    expect(problems[0]!.problem).toContain(reason);
    expect(problems[0]!.expected).toBe('an https:// URL ending with /EWS/Exchange.asmx');
  });

  it.each(['CORP\\svc-calsync', 'corp.example.com\\svc calsync', 'svc-calsync@corp.example.com', 'C\\u'])('when USER_NAME is %s, then it is accepted', (value) => {
    expect(problemsOf({ ...baseEnv(), PROFILE_ONPREM_USER_NAME: value })).toEqual([]);
  });

  it.each(['svc-calsync', 'CORP\\', '\\svc', 'CORP\\svc\\x', 'svc@corp', 'CORP/svc', 'a@b@corp.example.com'])('when USER_NAME is %s, then it is named', (value) => {
    expect(problemsOf({ ...baseEnv(), PROFILE_ONPREM_USER_NAME: value }).map((p) => [p.name, p.expected])).toEqual([['PROFILE_ONPREM_USER_NAME', 'DOMAIN\\user or user@domain']]);
  });

  it.each([
    ['AUTHENTICATION', 'kerberos'],
    ['ACCESS', 'owner'],
    ['PUSH', 'maybe'],
    ['MAX_CONNECTIONS', '0'],
    ['MAX_CONNECTIONS', '28'],
    ['TIMEOUT_MS', '50'],
    ['CA_CERTIFICATE', 'not a certificate'],
  ])('when %s is %s, then it is named', (suffix, value) => {
    expect(problemsOf({ ...baseEnv(), [`PROFILE_ONPREM_${suffix}`]: value }).map((p) => p.name)).toEqual([`PROFILE_ONPREM_${suffix}`]);
  });

  it('when EXCHANGE_POLL_INTERVAL is shorter than the dispatch minute, then it is named', () => {
    expect(problemsOf({ ...baseEnv(), EXCHANGE_POLL_INTERVAL: '30s' }).map((p) => p.name)).toEqual(['EXCHANGE_POLL_INTERVAL']);
  });

  it('when the password is bad or an unresolved Key Vault reference, then it is named and never printed; once read, logs redact it', () => {
    const reference = '@Microsoft.KeyVault(SecretUri=https://kv-corp.vault.azure.net/secrets/onprem-password/)';
    let message = '';
    try {
      loadConfig({ ...baseEnv(), PROFILE_ONPREM_PASSWORD: reference, PROFILE_ONPREM_CA_CERTIFICATE: reference });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/PROFILE_ONPREM_PASSWORD is still a Key Vault reference/);
    expect(message).toMatch(/PROFILE_ONPREM_CA_CERTIFICATE is still a Key Vault reference/);
    expect(message).not.toContain('kv-corp');
    loadConfig(baseEnv());
    expect(redactText(`login failed for ${EWS_PASSWORD}`)).not.toContain(EWS_PASSWORD);
  });

  it('when exchange, graph and google profiles are listed together, then all three are read in PROFILES order, serving one domain for failover', () => {
    const config = loadConfig({
      ...baseEnv(),
      PROFILES: 'M365,ONPREM,GWS',
      PROFILE_M365_KIND: 'graph',
      PROFILE_M365_DOMAINS: 'corp.example.com',
      PROFILE_M365_TENANT_ID: 'corp.onmicrosoft.com',
      PROFILE_M365_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
      PROFILE_M365_CLIENT_SECRET: GRAPH_SECRET,
      PROFILE_GWS_KIND: 'google',
      PROFILE_GWS_DOMAINS: 'labs.example.com',
      PROFILE_GWS_SERVICE_ACCOUNT_KEY: JSON.stringify({ client_email: 'sync@project.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n' }),
    });
    expect(config.profiles.map((p) => [p.name, p.kind, p.domains.join(',')])).toEqual([
      ['M365', 'graph', 'corp.example.com'],
      ['ONPREM', 'exchange', 'corp.example.com'],
      ['GWS', 'google', 'labs.example.com'],
    ]);
    expect(Object.isFrozen(config.profiles[1])).toBe(true);
  });

  it('when a graph profile is missing its settings, then no exchange setting is asked of it', () => {
    const problems = problemsOf({ ...baseEnv(), PROFILES: 'M365', PROFILE_M365_KIND: 'graph', PROFILE_M365_DOMAINS: 'corp.example.com' });
    expect(problems.map((p) => p.name).filter((n) => /EWS_URL|USER_NAME|PASSWORD/.test(n))).toEqual([]);
  });
});
