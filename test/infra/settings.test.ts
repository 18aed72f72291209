/**
 * The Bicep against the settings schema (shared/config) and the platform rules, on what
 * `bicep snapshot` predicts for azd's main.bicepparam: every setting the program reads is set (with
 * the schema's default when the operator gives nothing) or documented for the operator, nothing
 * else is set, each program setting follows its parameter, secrets are Key Vault references, no
 * setting the Flex Consumption plan rejects; the role assignments of the app's identity, each on
 * the narrowest resource; the resources keep shared keys off.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_SETTINGS } from '../../shared/config/admin-settings.js';
import { MAX_WEBHOOK_BODY } from '../../functions/webhook-body.js';
import { MAPPING_SETTINGS } from '../../shared/config/mapping-setting-specs.js';
import { PROFILE_LIST_SETTING, profileSettings } from '../../shared/config/profile-settings.js';
import { CMG_SETTINGS, PLATFORM_SETTINGS, PUSH_SETTINGS, SYNC_SETTINGS } from '../../shared/config/runtime-settings.js';
import type { Setting } from '../../shared/config/setting.js';
import { bicep, buildParams, copyOfInfra, describeWithBicep, inTurn, ROOT, snapshot, variantOf, type Snapshot } from './bicep.js';
import { EXCHANGE_PROFILE, FAKE_AZD_ENVIRONMENT, OPERATOR_AZD_ENVIRONMENT, OPERATOR_PRINCIPAL_ID } from './azd-environment.js';
import { appSettingsOf, keyVaultReference, ofType, one } from './predicted.js';
import { BUILT_IN_ROLES, REQUIRED_ROLES } from './roles.js';

const DEPLOY_DOC = readFileSync(join(ROOT, 'docs', 'deploy.md'), 'utf8');

const SCHEMA: Record<string, Setting<unknown>> = {
  ...MAPPING_SETTINGS,
  ...CMG_SETTINGS,
  ...SYNC_SETTINGS,
  ...PUSH_SETTINGS,
  ...PLATFORM_SETTINGS,
  ...ADMIN_SETTINGS,
  ...PROFILE_LIST_SETTING,
};
const PROFILE_SUFFIXES = Object.keys(profileSettings) as Array<keyof typeof profileSettings>;

/** Which per-profile settings each kind of profile uses (profile-settings.ts readProfiles). */
const SUFFIXES_BY_KIND = {
  graph: ['KIND', 'DOMAINS', 'TENANT_ID', 'CLIENT_ID', 'CLIENT_SECRET', 'CERTIFICATE', 'CERTIFICATE_THUMBPRINT', 'AUTHORITY_HOST', 'GRAPH_ENDPOINT', 'RESOLVE_ADDRESSES'],
  google: ['KIND', 'DOMAINS', 'SERVICE_ACCOUNT_KEY', 'SCOPE', 'TOKEN_URL', 'API_ROOT'],
  exchange: ['KIND', 'DOMAINS', 'EWS_URL', 'AUTHENTICATION', 'USER_NAME', 'PASSWORD', 'ACCESS', 'PUSH', 'TIMEOUT_MS', 'MAX_CONNECTIONS', 'CA_CERTIFICATE'],
} as const;

/** PROFILE_<NAME>_<suffix> → suffix, for the profiles of the fake azd environments. */
const PROFILE_PREFIX = /^PROFILE_(M365|GWS|ON_PREM)_/;

/** Settings the platform itself reads: the Functions host, its extensions and App Insights. */
const PLATFORM_PREFIXES = ['AzureWebJobsStorage__', 'APPLICATIONINSIGHTS_', 'ServiceBusConnection__'];
/** Single settings the Functions host reads ("App settings reference for Azure Functions"). */
const PLATFORM_SETTINGS_READ = ['FUNCTIONS_REQUEST_BODY_SIZE_LIMIT'];

/** "Flex Consumption plan deprecations", https://learn.microsoft.com/azure/azure-functions/functions-app-settings */
const FLEX_REJECTED = [
  'ENABLE_ORYX_BUILD',
  'FUNCTIONS_EXTENSION_VERSION',
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_WORKER_RUNTIME_VERSION',
  'FUNCTIONS_MAX_HTTP_CONCURRENCY',
  'FUNCTIONS_WORKER_PROCESS_COUNT',
  'FUNCTIONS_WORKER_DYNAMIC_CONCURRENCY_ENABLED',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'WEBSITE_CONTENTOVERVNET',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_DNS_SERVER',
  'WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_SKIP_CONTENTSHARE_VALIDATION',
  'WEBSITE_VNET_ROUTE_ALL',
];

/** Key- or connection-string-based settings: shared keys are off everywhere (ARCHITECTURE.md). */
const KEY_BASED = ['AzureWebJobsStorage', 'TABLES_CONNECTION_STRING', 'ServiceBusConnection', 'APPINSIGHTS_INSTRUMENTATIONKEY'];

/** Program settings the Bicep computes rather than takes from a parameter of the same name. */
// ADMIN_TENANT_ID: the tenant deployed to, unless the adminTenantId parameter names another.
// SERVICE_BUS_QUEUE: the queue made, named by serviceBusQueueName.
const WIRING = [
  'CMG_PASSWORD',
  'CMG_CA_CERTIFICATE',
  'PROFILES',
  'TABLES_ENDPOINT',
  'AZURE_CLIENT_ID',
  'SERVICE_BUS_QUEUE',
  'WEBHOOK_BASE_URL',
  'ServiceBusConnection__fullyQualifiedNamespace',
  'ADMIN_TENANT_ID',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
];

/** Settings without a schema default that a working Azure deployment must still set. */
const REQUIRED_IN_AZURE = [
  'CMG_MESSAGE_SYSTEMS',
  'PROFILES',
  'TABLES_ENDPOINT',
  'AZURE_CLIENT_ID',
  'ServiceBusConnection__fullyQualifiedNamespace',
  'ServiceBusConnection__credential',
  'ServiceBusConnection__clientId',
  'AzureWebJobsStorage__accountName',
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT',
];




/** A parameter of the compiled template (`bicep build`), as ARM reads it. */
interface TemplateParameter {
  type: string;
  defaultValue?: unknown;
  allowedValues?: unknown[];
  minValue?: number;
  maxValue?: number;
  maxLength?: number;
}

/** CALENDAR_LOOKBACK_HOURS → calendarLookbackHours: the parameter a program setting comes from. */
const parameterOf = (setting: string) => setting.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The value a parameter's setting gets: strings as they are, the rest as Bicep's string() writes them. */
const asSetting = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** A valid value other than the default, as a Bicep expression and as the value ARM gets. */
function another(p: TemplateParameter): { expression: string; value: unknown } {
  if (p.allowedValues) {
    const v = p.allowedValues.find((a) => a !== p.defaultValue)!;
    return { expression: typeof v === 'string' ? `'${v}'` : String(v), value: v };
  }
  switch (p.type) {
    case 'bool':
      return { expression: String(!p.defaultValue), value: !p.defaultValue };
    case 'int': {
      const d = typeof p.defaultValue === 'number' ? p.defaultValue : (p.minValue ?? 1);
      const v = p.maxValue !== undefined && d + 1 > p.maxValue ? d - 1 : d + 1;
      return { expression: String(v), value: v };
    }
    case 'object':
      return { expression: "{ tuned: '1' }", value: { tuned: '1' } };
    default:
      return { expression: "'t'", value: 't' };
  }
}

const isPlatform = (key: string) => PLATFORM_PREFIXES.some((p) => key.startsWith(p)) || PLATFORM_SETTINGS_READ.includes(key);
const reads = new Map<string, Setting<unknown>>(Object.entries(SCHEMA));

describeWithBicep('app settings and resources by bicep snapshot', () => {
  let work: ReturnType<typeof copyOfInfra>;
  let template: { $schema: string; parameters: Record<string, TemplateParameter>; outputs: Record<string, unknown> };
  let minimal: Snapshot;
  let operator: Snapshot;
  let tuned: Snapshot;
  /** Parameter → the value the tuned deployment gives it. */
  const tunedValues = new Map<string, unknown>();
  let minimalParameters: Record<string, unknown>;

  beforeAll(async () => {
    work = copyOfInfra();
    const built = await bicep(['build', join(work.infra, 'main.bicep'), '--stdout']);
    template = JSON.parse(built.stdout) as typeof template;
    // Every parameter a program setting comes from, set to another valid value
    const overrides: Record<string, string> = {};
    for (const key of Object.keys(SCHEMA)) {
      const name = parameterOf(key);
      const p = template.parameters[name];
      if (!p || WIRING.includes(key)) continue;
      const { expression, value } = another(p);
      overrides[name] = expression;
      tunedValues.set(name, value);
    }
    const main = join(work.infra, 'main.bicepparam');
    const tunedFile = variantOf(main, 'tuned', overrides);
    const operatorFile = variantOf(main, 'operator', {});
    const [a, b, c] = await inTurn(
      [
        () => snapshot(main, { env: FAKE_AZD_ENVIRONMENT }),
        () => snapshot(operatorFile, { env: OPERATOR_AZD_ENVIRONMENT }),
        () => snapshot(tunedFile, { env: FAKE_AZD_ENVIRONMENT }),
      ],
      (run) => run(),
    );
    [minimal, operator, tuned] = [a!, b!, c!];
    // Only what main.bicep requires: every other value comes from main.bicepparam's fallback
    const { DEFAULT_CODE: _given, ...requiredOnly } = FAKE_AZD_ENVIRONMENT;
    minimalParameters = (await buildParams(main, requiredOnly)).parameters ?? {};
  }, 120_000);
  afterAll(() => work?.remove());

  const emitted = () => appSettingsOf(minimal);

  it('when the app settings are read, then the expected wiring is there and the profiles are the azd environment\'s', () => {
    expect(Object.keys(emitted()).length).toBeGreaterThan(70);
    expect(emitted().PROFILES).toBe('M365,GWS');
    expect(Object.keys(emitted()).filter((k) => k.startsWith('PROFILE_')).length).toBeGreaterThan(0);
  });

  it('when a setting is emitted, then the program or the platform reads it', () => {
    const unknown = Object.keys(appSettingsOf(operator)).filter((k) => !reads.has(k) && !k.startsWith('PROFILE_') && !isPlatform(k));
    expect(unknown).toEqual([]);
    const profileSuffixes = new Set<string>(PROFILE_SUFFIXES);
    const unknownProfile = [...Object.keys(emitted()), ...Object.keys(appSettingsOf(operator))].filter((k) => k.startsWith('PROFILE_') && !profileSuffixes.has(k.replace(PROFILE_PREFIX, '')));
    expect(unknownProfile).toEqual([]);
  });

  it('when the host caps request bodies, then the cap is the webhooks\' own, in bytes', () => {
    expect(emitted().FUNCTIONS_REQUEST_BODY_SIZE_LIMIT).toBe(String(MAX_WEBHOOK_BODY));
  });

  it('when a setting is emitted, then the Flex Consumption plan accepts it and it holds no shared key', () => {
    for (const s of [minimal, operator, tuned]) {
      expect(Object.keys(appSettingsOf(s)).filter((k) => FLEX_REJECTED.includes(k) || KEY_BASED.includes(k))).toEqual([]);
    }
  });

  it('when a setting is required (schema or Azure), then every deployment sets it', () => {
    const required = [...Object.entries(SCHEMA).filter(([, s]) => s.meta.required).map(([k]) => k), ...REQUIRED_IN_AZURE];
    for (const s of [minimal, operator, tuned]) {
      const settings = appSettingsOf(s);
      expect(required.filter((k) => settings[k] === undefined || settings[k] === '')).toEqual([]);
    }
  });

  it('when the program reads a setting, then the Bicep sets it or docs/deploy.md says who sets it', () => {
    const set = new Set([...Object.keys(appSettingsOf(operator)), ...Object.keys(appSettingsOf(tuned))]);
    const notCovered = [...reads.keys()].filter((key) => !set.has(key) && !new RegExp(`\`${key}\``).test(DEPLOY_DOC));
    expect(notCovered).toEqual([]);
  });

  it('when profileSettings has a suffix, then the kind table of this test knows it', () => {
    const known = new Set<string>([...SUFFIXES_BY_KIND.graph, ...SUFFIXES_BY_KIND.google, ...SUFFIXES_BY_KIND.exchange]);
    expect(PROFILE_SUFFIXES.filter((s) => !known.has(s))).toEqual([]);
  });

  it('when a secret setting is emitted, then its value is a Key Vault reference', () => {
    const notReferences: string[] = [];
    for (const s of [minimal, operator]) {
      for (const [key, value] of Object.entries(appSettingsOf(s))) {
        const suffix = key.replace(PROFILE_PREFIX, '');
        const secret = key.startsWith('PROFILE_') ? profileSettings[suffix as keyof typeof profileSettings]?.meta.secret : reads.get(key)?.meta.secret;
        if (secret && value !== '' && !keyVaultReference(value)) notReferences.push(`${key} = ${value}`);
      }
    }
    expect(notReferences).toEqual([]);
    // With a CA certificate (USE_CMG_CA_CERTIFICATE), that one too
    expect(keyVaultReference(appSettingsOf(operator).CMG_CA_CERTIFICATE!)?.secret).toBe('cmg-ca-certificate');
  });

  it('when an Exchange Server profile is given, then its settings are the ones readProfiles reads, the password and the CA as Key Vault references', () => {
    const settings = appSettingsOf(operator);
    const exchange = Object.fromEntries(Object.entries(settings).filter(([k]) => k.startsWith('PROFILE_ON_PREM_')).map(([k, v]) => [k.replace('PROFILE_ON_PREM_', ''), v]));
    const { PASSWORD, CA_CERTIFICATE, ...plain } = exchange;
    expect(plain).toEqual({
      KIND: 'exchange',
      DOMAINS: EXCHANGE_PROFILE.domains,
      EWS_URL: EXCHANGE_PROFILE.ewsUrl,
      USER_NAME: 'CORP\\svc-calsync',
      AUTHENTICATION: 'basic',
      ACCESS: 'delegate',
      PUSH: 'false',
      TIMEOUT_MS: '60000',
      MAX_CONNECTIONS: '20',
    });
    expect(Object.keys(exchange).every((k) => (SUFFIXES_BY_KIND.exchange as readonly string[]).includes(k))).toBe(true);
    expect(keyVaultReference(PASSWORD!)?.secret).toBe('on-prem-password');
    expect(keyVaultReference(CA_CERTIFICATE!)?.secret).toBe('on-prem-ca-certificate');
    expect(settings.PROFILES).toBe('M365,GWS,ON_PREM');
  });

  it('when the operator gives no optional value, then each program setting is the schema default', () => {
    const wrong: string[] = [];
    for (const [key, value] of Object.entries(emitted())) {
      const spec = reads.get(key);
      const p = template.parameters[parameterOf(key)];
      // DEFAULT_CODE: the fake azd environment gives it, as docs/deploy.md has the operator do
      if (!spec || !p || p.defaultValue === undefined || WIRING.includes(key) || key === 'DEFAULT_CODE') continue;
      if (value !== (spec.meta.default ?? '')) wrong.push(`${key}: ${JSON.stringify(value)}, schema ${JSON.stringify(spec.meta.default ?? '')}`);
    }
    expect(wrong).toEqual([]);
    // The admin sign-in's authority host, when the admin app is set and no host given: the cloud's
    // Entra ID endpoint (environment(), evaluated by the deployment) without its trailing '/', which
    // in the public cloud (https://login.microsoftonline.com/) is the schema default
    expect(appSettingsOf(operator).ADMIN_AUTHORITY).toBe(
      "[if(endsWith(environment().authentication.loginEndpoint, '/'), take(variables('loginEndpoint'), sub(length(variables('loginEndpoint')), 1)), variables('loginEndpoint'))]",
    );
    expect(`${ADMIN_SETTINGS.ADMIN_AUTHORITY.meta.default}/`).toBe('https://login.microsoftonline.com/');
  });

  it('when each parameter of a program setting is given another value, then the setting follows it; only the wiring does not', () => {
    const settings = appSettingsOf(tuned);
    const programKeys = Object.keys(settings).filter((k) => reads.has(k));
    const following = programKeys.filter((k) => tunedValues.has(parameterOf(k)) && settings[k] === asSetting(tunedValues.get(parameterOf(k))));
    const notFollowing = programKeys.filter((k) => !following.includes(k));
    // The rest are wiring (endpoints, identity, references, the profile list), checked above and in deployments.test.ts
    expect(notFollowing.sort()).toEqual(WIRING.filter((k) => programKeys.includes(k)).sort());
    expect(following.length).toBeGreaterThan(50);
  });

  it('when the queue name is set, then the default is the schema default of SERVICE_BUS_QUEUE, and the queue made has it', () => {
    expect(template.parameters.serviceBusQueueName?.defaultValue).toBe(PLATFORM_SETTINGS.SERVICE_BUS_QUEUE.meta.default);
    expect(emitted().SERVICE_BUS_QUEUE).toBe(one(minimal, 'Microsoft.ServiceBus/namespaces/queues').name.split('/')[1]);
  });

  it('when main.bicepparam gives a value the azd environment lacks, then it is main.bicep\'s default', () => {
    const wrong = Object.entries(minimalParameters)
      .filter(([name]) => template.parameters[name]?.defaultValue !== undefined)
      .filter(([name, value]) => JSON.stringify(value) !== JSON.stringify(template.parameters[name]!.defaultValue))
      .map(([name, value]) => `${name}: ${JSON.stringify(value)} vs ${JSON.stringify(template.parameters[name]!.defaultValue)}`);
    expect(wrong).toEqual([]);
    expect(Object.keys(minimalParameters).length).toBeGreaterThan(20);
  });

  // -------------------------------------------------------------------------------------------

  /** Role assignments: the resource each is on, the role, and whose. */
  function assignments(s: Snapshot) {
    const identity = one(s, 'Microsoft.ManagedIdentity/userAssignedIdentities').id;
    return ofType(s, 'Microsoft.Authorization/roleAssignments').map((a) => {
      const scope = /^\[extensionResourceId\('([^']+)', 'Microsoft\.Authorization\/roleAssignments'/.exec(a.id)?.[1] ?? a.id.split('/providers/Microsoft.Authorization/roleAssignments/')[0]!;
      const roleId = String(a.properties.roleDefinitionId).split('/').pop()!;
      const role = Object.entries(BUILT_IN_ROLES).find(([, id]) => id === roleId)?.[0] ?? `unknown role ${roleId}`;
      const principal = a.properties.principalId === `[reference('${identity}', '2023-01-31').principalId]` ? 'app' : String(a.properties.principalId);
      // Named guid(scope, principal, role): one assignment per triple, stable across deployments
      const named = a.name.startsWith(`[guid('${scope}', `) && a.name.endsWith(`, '${roleId}')]`);
      return { scope, role, principal, principalType: String(a.properties.principalType), named: named || /^[0-9a-f-]{36}$/.test(a.name) };
    });
  }

  it('when the identity is assigned roles, then it has each required role, as a ServicePrincipal, each named by scope, principal and role', () => {
    const app = assignments(minimal).filter((a) => a.principal === 'app');
    expect(app.map((a) => a.role).sort()).toEqual([...REQUIRED_ROLES].sort());
    for (const a of app) expect([a.role, a.principalType, a.named]).toEqual([a.role, 'ServicePrincipal', true]);
    expect(assignments(minimal).filter((a) => a.principal !== 'app')).toEqual([]);
  });

  it('when roles are assigned, then each is on the one resource it is for, never the resource group or subscription', () => {
    const on = Object.fromEntries(assignments(minimal).map((a) => [a.role, a.scope]));
    expect(on).toEqual({
      // Data Owner, but on the one queue: scaling reads its runtime properties
      'Azure Service Bus Data Owner': one(minimal, 'Microsoft.ServiceBus/namespaces/queues').id,
      'Storage Blob Data Owner': one(minimal, 'Microsoft.Storage/storageAccounts').id,
      'Storage Queue Data Contributor': one(minimal, 'Microsoft.Storage/storageAccounts').id,
      'Storage Table Data Contributor': one(minimal, 'Microsoft.Storage/storageAccounts').id,
      'Key Vault Secrets User': one(minimal, 'Microsoft.KeyVault/vaults').id,
      'Monitoring Metrics Publisher': one(minimal, 'Microsoft.Insights/components').id,
    });
  });

  it('when a secrets operator is named (SECRETS_OPERATOR_PRINCIPAL_ID and _TYPE), then that principal gets Secrets Officer on the vault, as that type', () => {
    const officers = assignments(operator).filter((a) => a.principal !== 'app');
    expect(officers.map((a) => [a.role, a.scope, a.principal, a.principalType])).toEqual([['Key Vault Secrets Officer', one(operator, 'Microsoft.KeyVault/vaults').id, OPERATOR_PRINCIPAL_ID, 'User']]);
  });

  // -------------------------------------------------------------------------------------------

  it('when the function app is predicted, then it runs Node 22 on Flex Consumption with identity-based deployment storage', () => {
    expect(one(minimal, 'Microsoft.Web/serverfarms').sku).toEqual({ tier: 'FlexConsumption', name: 'FC1' });
    const site = one(minimal, 'Microsoft.Web/sites');
    const identity = one(minimal, 'Microsoft.ManagedIdentity/userAssignedIdentities').id;
    expect(site.properties.functionAppConfig.runtime).toEqual({ name: 'node', version: '22' });
    expect(site.properties.functionAppConfig.scaleAndConcurrency).toEqual({ maximumInstanceCount: 40, instanceMemoryMB: 2048 });
    expect(site.properties.functionAppConfig.deployment.storage.authentication).toEqual({ type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identity });
    expect(site.identity).toEqual({ type: 'UserAssigned', userAssignedIdentities: { [identity]: {} } });
    expect(site.tags?.['azd-service-name']).toBe('api');
    expect(site.properties.httpsOnly).toBe(true);
    // No basic-auth publishing (FTP, SCM): azd deploys with an Entra ID token
    expect(ofType(minimal, 'Microsoft.Web/sites/basicPublishingCredentialsPolicies').map((p) => [p.name.split('/')[1], p.properties.allow])).toEqual([['ftp', false], ['scm', false]]);
  });

  it('when the data services are predicted, then shared keys / local auth are off and the vault uses RBAC', () => {
    expect(one(minimal, 'Microsoft.Storage/storageAccounts').properties.allowSharedKeyAccess).toBe(false);
    expect(one(minimal, 'Microsoft.ServiceBus/namespaces').properties.disableLocalAuth).toBe(true);
    expect(one(minimal, 'Microsoft.Insights/components').properties.DisableLocalAuth).toBe(true);
    expect(one(minimal, 'Microsoft.KeyVault/vaults').properties.enableRbacAuthorization).toBe(true);
  });

  it('when the job queue is predicted, then sessions, duplicate detection and dead-lettering are on, on a Standard namespace by default', () => {
    expect(one(minimal, 'Microsoft.ServiceBus/namespaces').sku).toMatchObject({ name: 'Standard', tier: 'Standard' });
    const q = one(minimal, 'Microsoft.ServiceBus/namespaces/queues').properties;
    expect([q.requiresSession, q.requiresDuplicateDetection, q.deadLetteringOnMessageExpiration]).toEqual([true, true, true]);
    expect([q.duplicateDetectionHistoryTimeWindow, q.lockDuration, q.maxDeliveryCount, q.defaultMessageTimeToLive]).toEqual(['PT1H', 'PT1M', 10, 'P1D']);
  });

  it('when main.bicep is compiled, then it follows the azd conventions', () => {
    expect(template.$schema).toContain('subscriptionDeploymentTemplate');
    for (const p of ['environmentName', 'location']) expect(template.parameters[p], p).toBeDefined();
    const outputs = Object.keys(template.outputs);
    expect(outputs.filter((o) => o !== o.toUpperCase())).toEqual([]);
    expect(outputs).toEqual(expect.arrayContaining(['AZURE_LOCATION', 'AZURE_TENANT_ID', 'SERVICE_API_NAME', 'WEBHOOK_BASE_URL']));
    // Names from one token per subscription, environment and location
    const token = one(minimal, 'Microsoft.Web/sites').name.replace(/^func-api-/, '');
    expect(token).toMatch(/^[a-z0-9]{13}$/);
    expect(one(minimal, 'Microsoft.Resources/resourceGroups').name).toBe(`rg-${FAKE_AZD_ENVIRONMENT.AZURE_ENV_NAME}`);
    expect(one(minimal, 'Microsoft.Resources/resourceGroups').tags).toEqual({ 'azd-env-name': FAKE_AZD_ENVIRONMENT.AZURE_ENV_NAME });
    expect(minimal.outputs.AZURE_RESOURCE_GROUP).toBe(`rg-${FAKE_AZD_ENVIRONMENT.AZURE_ENV_NAME}`);
  });
});
