/**
 * The Bicep against the settings schema (shared/config) and the platform rules: every setting the
 * program reads is set (with the schema's default) or documented for the operator, nothing else is
 * set, secrets are Key Vault references, no setting the Flex Consumption plan rejects, role ids
 * match the role names in their comments, and the resources keep shared keys off.
 * App settings are read from the Bicep syntax tree (tree-sitter-bicep), not with regexes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADMIN_SETTINGS } from '../../shared/config/admin-settings.js';
import { MAX_WEBHOOK_BODY } from '../../functions/webhook-body.js';
import { MAPPING_SETTINGS } from '../../shared/config/mapping-setting-specs.js';
import { PROFILE_LIST_SETTING, profileSettings } from '../../shared/config/profile-settings.js';
import { CMG_SETTINGS, PLATFORM_SETTINGS, PUSH_SETTINGS, SYNC_SETTINGS } from '../../shared/config/runtime-settings.js';
import type { Setting } from '../../shared/config/setting.js';
import {
  collectSettings,
  expressionText,
  getProperty,
  literalAsSetting,
  loadBicep,
  modules,
  paramDefault,
  resources,
  stringLiteral,
  traceParam,
  varValue,
  where,
  type BicepFile,
  type Context,
  type Emission,
  type Node,
} from './bicep-ast.js';

const ROOT = process.cwd();
const INFRA = join(ROOT, 'infra');
const MAIN = loadBicep(join(INFRA, 'main.bicep'));
const API = loadBicep(join(INFRA, 'app', 'api.bicep'));
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
} as const;

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

/**
 * Built-in role name → id, from "Azure built-in roles"
 * (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
 */
const BUILT_IN_ROLES: Record<string, string> = {
  'Azure Service Bus Data Owner': '090c5cfd-751d-490a-894a-3ce6f1109419',
  'Azure Service Bus Data Receiver': '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0',
  'Azure Service Bus Data Sender': '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39',
  'Storage Blob Data Contributor': 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'Storage Blob Data Reader': '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  'Storage Queue Data Message Processor': '8a0f0c08-91a1-4084-bc3d-661d67233fed',
  'Storage Queue Data Message Sender': 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a',
  'Storage Queue Data Reader': '19e7f393-937e-4f77-808e-94535e297925',
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  'Storage Table Data Reader': '76199698-9eea-4c19-bc75-cec21354c6b6',
  'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6',
  'Key Vault Secrets Officer': 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
};

/** The roles the app's identity must hold (ARCHITECTURE.md least privilege; issue #8). */
const REQUIRED_ROLES = [
  'Azure Service Bus Data Owner',
  'Storage Table Data Contributor',
  'Storage Blob Data Owner',
  'Storage Queue Data Contributor',
  'Key Vault Secrets User',
  'Monitoring Metrics Publisher',
];

// ---------------------------------------------------------------------------------------------
// What the Bicep emits
// ---------------------------------------------------------------------------------------------

function apiCall() {
  const call = modules(MAIN).find((m) => m.path === 'app/api.bicep');
  if (!call) throw new Error('main.bicep does not call app/api.bicep');
  return call;
}

function appSettingsExpression(): { expr: Node; ctx: Context } {
  const config = resources(API).find(
    (r) => (r.type === 'config' || r.type.startsWith('Microsoft.Web/sites/config@')) && stringLiteral(getProperty(r.body, 'name')) === 'appsettings',
  );
  if (!config) throw new Error('app/api.bicep has no appsettings config resource');
  const expr = getProperty(config.body, 'properties');
  if (!expr) throw new Error('the appsettings resource has no properties');
  return { expr, ctx: { file: API, caller: { file: MAIN, params: apiCall().params } } };
}

const { expr: settingsExpr, ctx: settingsCtx } = appSettingsExpression();
/**
 * The settings every deployment gets, read from the syntax tree. The PROFILE_<NAME>_* settings
 * depend on the `profiles` parameter: deployments.test.ts evaluates them per parameter file.
 */
const EMITTED: Map<string, Emission[]> = collectSettings(settingsExpr, settingsCtx, false, new Map(), new Set(['profileAppSettings']));

/** Every setting the program reads, except the per-profile ones (deployments.test.ts). */
function settingsTheProgramReads(): Map<string, Setting<unknown>> {
  return new Map<string, Setting<unknown>>(Object.entries(SCHEMA));
}

const isPlatform = (key: string) => PLATFORM_PREFIXES.some((p) => key.startsWith(p)) || PLATFORM_SETTINGS_READ.includes(key);

/** A Key Vault reference literal, or a call of a user-defined function whose body is one. */
function isKeyVaultReference(text: string, file: BicepFile): boolean {
  const reference = /^'@Microsoft\.KeyVault\(SecretUri=\$\{[^']+\)'$/;
  if (reference.test(text)) return true;
  const called = /^([A-Za-z_][A-Za-z0-9_]*)\(/.exec(text)?.[1];
  const fn = file.root.namedChildren.find((s) => s.type === 'user_defined_function' && s.childForFieldName('name')?.text === called);
  return fn !== undefined && reference.test(fn.namedChildren[fn.namedChildren.length - 1]!.text);
}

// ---------------------------------------------------------------------------------------------

describe('app settings in the Bicep', () => {
  const reads = settingsTheProgramReads();

  it('when the app settings are collected, then the expected wiring is there', () => {
    expect(EMITTED.size).toBeGreaterThan(40);
    expect(EMITTED.has('PROFILES')).toBe(true);
    expect([...EMITTED.keys()].filter((k) => k.startsWith('PROFILE_'))).toEqual([]);
  });

  it('when a setting is emitted, then the program or the platform reads it', () => {
    const unknown = [...EMITTED.keys()].filter((k) => !reads.has(k) && !isPlatform(k));
    expect(unknown).toEqual([]);
  });

  it('when the host caps request bodies, then the cap is the webhooks\' own, in bytes', () => {
    const values = (EMITTED.get('FUNCTIONS_REQUEST_BODY_SIZE_LIMIT') ?? []).map((e) => literalAsSetting(e.value));
    expect(values).toEqual([String(MAX_WEBHOOK_BODY)]);
  });

  it('when a setting is emitted, then the Flex Consumption plan accepts it and it holds no shared key', () => {
    const rejected = [...EMITTED.keys()].filter((k) => FLEX_REJECTED.includes(k) || KEY_BASED.includes(k));
    expect(rejected).toEqual([]);
  });

  it('when a setting is required (schema or Azure), then it is emitted on every path', () => {
    const required = [...Object.entries(SCHEMA).filter(([, s]) => s.meta.required).map(([k]) => k), ...REQUIRED_IN_AZURE];
    const missing = required.filter((k) => !(EMITTED.get(k) ?? []).some((e) => !e.conditional));
    expect(missing).toEqual([]);
  });

  it('when the program reads a setting, then the Bicep sets it or docs/deploy.md says who sets it', () => {
    const notCovered = [...reads.keys()].filter((key) => !EMITTED.has(key) && !new RegExp(`\`${key}\``).test(DEPLOY_DOC));
    expect(notCovered).toEqual([]);
  });

  it('when profileSettings has a suffix, then the kind table of this test knows it', () => {
    const known = new Set<string>([...SUFFIXES_BY_KIND.graph, ...SUFFIXES_BY_KIND.google]);
    expect(PROFILE_SUFFIXES.filter((s) => !known.has(s))).toEqual([]);
  });

  it('when a secret setting is emitted, then its value is a Key Vault reference', () => {
    const notReferences: string[] = [];
    for (const [key, emissions] of EMITTED) {
      if (!reads.get(key)?.meta.secret) continue;
      for (const e of emissions) {
        if (!isKeyVaultReference(expressionText(e.value, e.ctx), e.ctx.file)) notReferences.push(`${key} at ${where(e.value, e.ctx)}`);
      }
    }
    expect(notReferences).toEqual([]);
  });

  it('when a setting comes from a parameter with a default, then it is the schema default', () => {
    const wrong: string[] = [];
    for (const [key, emissions] of EMITTED) {
      const spec = reads.get(key);
      if (!spec) continue;
      for (const e of emissions) {
        const source = traceParam(e.value, e.ctx);
        if (!source?.default) continue; // not from a parameter, or a parameter the operator must give
        const actual = literalAsSetting(source.default);
        const expected = spec.meta.default ?? ''; // empty = unset for optional settings
        if (actual !== expected) wrong.push(`${key}: param ${source.name} = ${JSON.stringify(actual)}, schema ${JSON.stringify(expected)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('when a program setting is emitted, then most come straight from a parameter (explicit, tunable)', () => {
    const programKeys = [...EMITTED.keys()].filter((k) => reads.has(k));
    const untraced = programKeys.filter((k) => !EMITTED.get(k)!.every((e) => traceParam(e.value, e.ctx)));
    // The rest are wiring (endpoints, identity, references, the profile list), checked above.
    expect(untraced.sort()).toEqual([...WIRING].sort());
    expect(programKeys.length - untraced.length).toBeGreaterThan(50);
  });

  it('when the queue name is set, then the default is the schema default of SERVICE_BUS_QUEUE', () => {
    const decl = MAIN.params.get('serviceBusQueueName');
    expect(decl && literalAsSetting(paramDefault(decl)!)).toBe(PLATFORM_SETTINGS.SERVICE_BUS_QUEUE.meta.default);
  });
});

// ---------------------------------------------------------------------------------------------

describe('role assignments', () => {
  const files = ['main.bicep', 'app/rbac.bicep', 'app/api.bicep', 'app/keyvault.bicep', 'app/servicebus.bicep', 'app/storage.bicep', 'app/monitoring.bicep', 'app/identity.bicep', 'app/network.bicep', 'app/private-endpoints.bicep'].map(
    (f) => loadBicep(join(INFRA, f)),
  );

  /** Role id variables: `var xRoleId = '<guid>' // Role Name`. */
  function roleVariables(file: BicepFile) {
    const out: Array<{ name: string; guid: string; comment: string | undefined; line: number }> = [];
    for (const [name, decl] of file.vars) {
      const guid = stringLiteral(varValue(decl));
      if (!guid || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(guid)) continue;
      const next = decl.nextSibling;
      const comment = next && next.type === 'comment' && next.startPosition.row === decl.endPosition.row ? next.text.replace(/^\/\/\s*/, '').trim() : undefined;
      out.push({ name, guid, comment, line: decl.startPosition.row + 1 });
    }
    return out;
  }

  it('when a role id variable is declared, then its trailing comment names the built-in role with that id', () => {
    const wrong: string[] = [];
    for (const file of files) {
      for (const v of roleVariables(file)) {
        const where = `${file.path.slice(INFRA.length + 1)}:${v.line} ${v.name}`;
        if (!v.comment) wrong.push(`${where}: no trailing comment with the role name`);
        else if (!(v.comment in BUILT_IN_ROLES)) wrong.push(`${where}: "${v.comment}" is not in the role table`);
        else if (BUILT_IN_ROLES[v.comment] !== v.guid.toLowerCase()) wrong.push(`${where}: ${v.guid} is not ${v.comment} (${BUILT_IN_ROLES[v.comment]})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('when role assignments are declared, then each is named guid(scope.id, principal, role var), uses a named role variable and states principalType', () => {
    const problems: string[] = [];
    const assignments = files.flatMap((f) => resources(f).filter((r) => r.type.startsWith('Microsoft.Authorization/roleAssignments@')));
    expect(assignments.length).toBeGreaterThanOrEqual(REQUIRED_ROLES.length);
    for (const a of assignments) {
      const roleVars = new Set(roleVariables(a.file).map((v) => v.name));
      const at = `${a.file.path.slice(INFRA.length + 1)}:${a.node.startPosition.row + 1} ${a.symbol}`;
      const name = getProperty(a.body, 'name');
      const scope = getProperty(a.body, 'scope')?.text;
      const args = name?.type === 'call_expression' && name.childForFieldName('function')?.text === 'guid' ? name.childForFieldName('arguments')!.namedChildren : [];
      if (args.length !== 3 || args[0]!.text !== `${scope}.id` || !roleVars.has(args[2]!.text)) problems.push(`${at}: name is not guid(${scope}.id, principalId, <roleVar>)`);
      const props = getProperty(a.body, 'properties');
      const roleDef = getProperty(props, 'roleDefinitionId');
      const roleArg = roleDef?.childForFieldName('arguments')?.namedChildren[1]?.text;
      if (!roleArg || !roleVars.has(roleArg) || roleArg !== args[2]?.text) problems.push(`${at}: roleDefinitionId does not use the same named role variable`);
      if (!getProperty(props, 'principalType')) problems.push(`${at}: no principalType`);
      if (!scope || /resourceGroup\(\)|subscription\(\)/.test(scope)) problems.push(`${at}: scope is not a resource`);
    }
    expect(problems).toEqual([]);
  });

  it('when the identity is assigned roles, then it has each required role, as a ServicePrincipal', () => {
    const rbac = loadBicep(join(INFRA, 'app', 'rbac.bicep'));
    const byVar = new Map(roleVariables(rbac).map((v) => [v.name, v.comment]));
    const granted = resources(rbac)
      .filter((r) => r.type.startsWith('Microsoft.Authorization/roleAssignments@'))
      .filter((r) => getProperty(getProperty(r.body, 'properties'), 'principalId')?.text === 'principalId')
      .filter((r) => stringLiteral(getProperty(getProperty(r.body, 'properties'), 'principalType')) === 'ServicePrincipal')
      .map((r) => byVar.get(getProperty(r.body, 'name')!.childForFieldName('arguments')!.namedChildren[2]!.text));
    expect(granted.sort()).toEqual([...REQUIRED_ROLES].sort());
  });

  it('when the Service Bus role is assigned, then it is Data Owner (scaling reads queue runtime properties) on the queue, not the namespace', () => {
    const rbac = loadBicep(join(INFRA, 'app', 'rbac.bicep'));
    const sb = resources(rbac).filter((r) => r.symbol.startsWith('serviceBus') && r.type.startsWith('Microsoft.Authorization/roleAssignments@'));
    expect(sb.map((r) => getProperty(r.body, 'scope')?.text)).toEqual(['serviceBusQueue']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('resources', () => {
  const all = ['main.bicep', 'app/api.bicep', 'app/rbac.bicep', 'app/keyvault.bicep', 'app/servicebus.bicep', 'app/storage.bicep', 'app/monitoring.bicep', 'app/identity.bicep', 'app/network.bicep', 'app/private-endpoints.bicep', 'app/alerts.bicep'].flatMap((f) =>
    resources(loadBicep(join(INFRA, f))),
  );
  const one = (typePrefix: string) => {
    const found = all.filter((r) => r.type.startsWith(`${typePrefix}@`));
    expect(found, typePrefix).toHaveLength(1);
    return found[0]!;
  };
  const prop = (r: { body: Node }, ...path: string[]) => path.reduce<Node | undefined>((n, k) => getProperty(n, k), r.body);

  it('when a resource is declared, then its API version is pinned and a comment line sits above it', () => {
    const problems: string[] = [];
    for (const r of all) {
      const at = `${r.file.path.slice(INFRA.length + 1)}:${r.node.startPosition.row + 1} ${r.symbol}`;
      if (r.type !== 'config' && !/@\d{4}-\d{2}-\d{2}(-preview)?$/.test(r.type)) problems.push(`${at}: API version not pinned (${r.type})`);
      const stmt = r.node.parent?.type === 'object_property' ? r.node.parent : r.node; // nested child resource
      let prev = stmt.previousSibling;
      while (prev && prev.type === 'decorators') prev = prev.previousSibling;
      if (!prev || prev.type !== 'comment' || prev.endPosition.row !== stmt.startPosition.row - 1) problems.push(`${at}: no comment line above`);
    }
    expect(problems).toEqual([]);
  });

  it('when the function app is declared, then it runs Node on Flex Consumption with identity-based deployment storage', () => {
    const plan = one('Microsoft.Web/serverfarms');
    expect(stringLiteral(prop(plan, 'sku', 'name'))).toBe('FC1');
    const site = one('Microsoft.Web/sites');
    expect(stringLiteral(prop(site, 'properties', 'functionAppConfig', 'runtime', 'name'))).toBe('node');
    expect(prop(site, 'properties', 'functionAppConfig', 'scaleAndConcurrency')).toBeDefined();
    expect(stringLiteral(prop(site, 'properties', 'functionAppConfig', 'deployment', 'storage', 'authentication', 'type'))).toBe('UserAssignedIdentity');
    expect(stringLiteral(prop(site, 'identity', 'type'))).toBe('UserAssigned');
    expect(prop(site, 'tags')?.text).toContain("'azd-service-name': serviceName");
    expect(prop(site, 'properties', 'functionAppConfig', 'runtime', 'version')?.text).toBe('nodeVersion');
    // Node 22 in Azure (Functions support for Node 20 ended 2026-04-30), passed down from main.bicep
    expect(stringLiteral(paramDefault(API.params.get('nodeVersion')!))).toBe('22');
    expect(stringLiteral(paramDefault(MAIN.params.get('nodeVersion')!))).toBe('22');
    expect(getProperty(apiCall().params, 'nodeVersion')?.text).toBe('nodeVersion');
  });

  it('when the data services are declared, then shared keys / local auth are off and the vault uses RBAC', () => {
    expect(prop(one('Microsoft.Storage/storageAccounts'), 'properties', 'allowSharedKeyAccess')?.text).toBe('false');
    expect(prop(one('Microsoft.ServiceBus/namespaces'), 'properties', 'disableLocalAuth')?.text).toBe('true');
    expect(prop(one('Microsoft.Insights/components'), 'properties', 'DisableLocalAuth')?.text).toBe('true');
    expect(prop(one('Microsoft.KeyVault/vaults'), 'properties', 'enableRbacAuthorization')?.text).toBe('true');
  });

  it('when the job queue is declared, then sessions, duplicate detection and dead-lettering are on (Standard tier)', () => {
    expect(prop(one('Microsoft.ServiceBus/namespaces'), 'sku', 'name')?.text).toBe('sku');
    expect(stringLiteral(paramDefault(loadBicep(join(INFRA, 'app', 'servicebus.bicep')).params.get('sku')!))).toBe('Standard');
    const q = one('Microsoft.ServiceBus/namespaces/queues');
    expect(prop(q, 'properties', 'requiresSession')?.text).toBe('true');
    expect(prop(q, 'properties', 'requiresDuplicateDetection')?.text).toBe('true');
    expect(prop(q, 'properties', 'deadLetteringOnMessageExpiration')?.text).toBe('true');
    for (const k of ['duplicateDetectionHistoryTimeWindow', 'lockDuration', 'maxDeliveryCount', 'defaultMessageTimeToLive']) {
      expect(prop(q, 'properties', k), k).toBeDefined();
    }
  });

  it('when main.bicep is read, then it follows the azd conventions', () => {
    expect(MAIN.root.namedChildren.find((s) => s.type === 'target_scope_assignment')?.text).toContain("'subscription'");
    for (const p of ['environmentName', 'location']) expect(MAIN.params.has(p), p).toBe(true);
    expect(varValue(MAIN.vars.get('resourceToken')!).text).toBe('toLower(uniqueString(subscription().id, environmentName, location))');
    const outputs = MAIN.root.namedChildren.filter((s) => s.type === 'output_declaration').map((s) => s.namedChildren[0]!.text);
    expect(outputs.filter((o) => o !== o.toUpperCase())).toEqual([]);
    expect(outputs).toEqual(expect.arrayContaining(['AZURE_LOCATION', 'AZURE_TENANT_ID', 'SERVICE_API_NAME', 'WEBHOOK_BASE_URL']));
  });
});

// ---------------------------------------------------------------------------------------------

describe('parameter files', () => {
  const files = ['main.parameters.json', 'customers/contoso.parameters.json', 'customers/fabrikam.parameters.json', 'customers/northwind.parameters.json'];
  const read = (f: string) => JSON.parse(readFileSync(join(INFRA, f), 'utf8')) as { parameters: Record<string, { value: unknown }> };
  const requiredParams = [...MAIN.params].filter(([, d]) => !paramDefault(d)).map(([n]) => n);

  it.each(files)('when %s is read, then it names only parameters of main.bicep and gives every required one', (f) => {
    const params = read(f).parameters;
    expect(Object.keys(params).filter((k) => !MAIN.params.has(k))).toEqual([]);
    expect(requiredParams.filter((k) => !(k in params))).toEqual([]);
  });

  it('when main.parameters.json gives an azd default (${VAR=default}), then it is the Bicep default', () => {
    const wrong: string[] = [];
    for (const [name, { value }] of Object.entries(read('main.parameters.json').parameters)) {
      const m = typeof value === 'string' ? /^\$\{[A-Z0-9_]+=(.*)\}$/.exec(value) : null;
      if (!m) continue;
      const d = paramDefault(MAIN.params.get(name)!);
      if (d && literalAsSetting(d) !== m[1]) wrong.push(`${name}: ${JSON.stringify(m[1])} vs ${d.text}`);
    }
    expect(wrong).toEqual([]);
  });

  it('when two customers are deployed, then they differ in environment name (one deployment per CMG system)', () => {
    const names = files.slice(1).map((f) => read(f).parameters.environmentName?.value);
    expect(names.every(Boolean)).toBe(true);
    expect(new Set(names).size).toBe(names.length);
  });

  it('when azure.yaml is read, then service api deploys this project as a TypeScript function app', () => {
    const yaml = readFileSync(join(ROOT, 'azure.yaml'), 'utf8');
    expect(yaml).toMatch(/^services:\n {2}api:\n {4}project: \.\n {4}language: ts\n {4}host: function\n/m);
    expect(yaml).toMatch(/run: npm ci && npm run build/);
  });
});
