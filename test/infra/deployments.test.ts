/**
 * Each customer parameter file, deployed on paper: main.bicep is evaluated for the file
 * (bicep-eval.ts) and what comes out is checked against the app and the network choices. The app
 * settings, with every Key Vault reference replaced by a secret of the right shape, must pass the
 * program's own start-up check (readConfig) with the file's profiles; the network modules must be
 * on or off as the file says, with the delegation Flex Consumption requires, the NAT output and the
 * private DNS zones.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../shared/config/config.js';
import { loadBicep, getProperty, resources, stringLiteral } from './bicep-ast.js';
import { Deferred, declarationCondition, deploymentScope, evaluate, evaluateOutput, evaluateVar, moduleScope, type Scope, type Value } from './bicep-eval.js';
import { createPrivateCa } from '../support/private-ca.js';

const INFRA = join(process.cwd(), 'infra');
const MAIN = loadBicep(join(INFRA, 'main.bicep'));
const CUSTOMERS = readdirSync(join(INFRA, 'customers')).filter((f) => f.endsWith('.parameters.json'));

interface ProfileParam {
  name: string;
  kind: 'graph' | 'google';
  domains: string;
  credential?: 'certificate' | 'secret';
  resolveAddresses?: boolean;
}

function parameters(file: string): Record<string, Value> {
  const json = JSON.parse(readFileSync(join(INFRA, 'customers', file), 'utf8')) as { parameters: Record<string, { value: Value }> };
  return Object.fromEntries(Object.entries(json.parameters).map(([k, v]) => [k, v.value]));
}

const deployment = (file: string): Scope => deploymentScope(MAIN, parameters(file));

const ca = createPrivateCa('Customer Root CA');
/** A value of the right shape for each secret the settings reference, by secret name. */
function secretFor(name: string): string {
  if (name === 'cmg-password') return 'cmg-password-value';
  if (name === 'cmg-ca-certificate') return ca.caCertificate;
  if (name.endsWith('-service-account-key')) return JSON.stringify({ client_email: 'sync@project.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n' });
  if (name.endsWith('-certificate')) return '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n';
  if (name.endsWith('-client-secret')) return 'client-secret-value';
  throw new Error(`no stand-in for secret ${name}`);
}

/** The Key Vault reference pattern the settings use, with the secret name captured. */
const REFERENCE = /^@Microsoft\.KeyVault\(SecretUri=https:\/\/kv-[a-z]{13}\.vault\.azure\.net\/secrets\/([a-z0-9-]+)\/\)$/;

/** Platform settings api.bicep adds (checked in settings.test.ts); stand-ins here. */
const PLATFORM = {
  TABLES_ENDPOINT: 'https://st.table.core.windows.net/',
  AZURE_CLIENT_ID: '99999999-9999-9999-9999-999999999999',
  ServiceBusConnection__fullyQualifiedNamespace: 'sb.servicebus.windows.net',
  SERVICE_BUS_QUEUE: 'mailbox-sync',
  WEBHOOK_BASE_URL: 'https://func.azurewebsites.net',
};

function appSettings(scope: Scope): { settings: Record<string, string>; references: Map<string, string> } {
  const value = evaluateVar(scope, 'programSettings');
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Deferred) throw new Error('programSettings is not an object');
  const settings: Record<string, string> = {};
  const references = new Map<string, string>();
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new Error(`${key} is not a string but ${JSON.stringify(v)}`);
    const secret = REFERENCE.exec(v)?.[1];
    if (secret) references.set(key, secret);
    settings[key] = secret ? secretFor(secret) : v;
  }
  return { settings, references };
}

describe.each(CUSTOMERS)('deploying %s', (file) => {
  const scope = deployment(file);
  const profiles = parameters(file).profiles as unknown as ProfileParam[];

  it('when its app settings are read by the program, then they are valid and hold its profiles in order', () => {
    const { settings } = appSettings(scope);
    const result = readConfig({ ...settings, ...PLATFORM });
    expect(result.ok ? [] : result.problems).toEqual([]);
    if (!result.ok) return;
    expect(result.config.profiles.map((p) => [p.name, p.kind, p.domains.join(',')])).toEqual(profiles.map((p) => [p.name, p.kind, p.domains.replace(/\s/g, '')]));
    const resolving = (p: { kind: string; resolveAddresses?: boolean }) => p.kind === 'graph' && p.resolveAddresses === true;
    expect(result.config.profiles.map(resolving)).toEqual(profiles.map(resolving));
  });

  it('when a profile or CMG needs a secret, then the setting is a Key Vault reference to the secret named in docs/deploy.md', () => {
    const { references } = appSettings(scope);
    const expected = new Map<string, string>([['CMG_PASSWORD', 'cmg-password']]);
    if (parameters(file).cmgCaCertificate === true) expected.set('CMG_CA_CERTIFICATE', 'cmg-ca-certificate');
    for (const p of profiles) {
      const prefix = `PROFILE_${p.name.toUpperCase()}_`;
      const secretPrefix = p.name.toLowerCase().replace(/_/g, '-');
      if (p.kind === 'google') expected.set(`${prefix}SERVICE_ACCOUNT_KEY`, `${secretPrefix}-service-account-key`);
      else if (p.credential === 'secret') expected.set(`${prefix}CLIENT_SECRET`, `${secretPrefix}-client-secret`);
      else expected.set(`${prefix}CERTIFICATE`, `${secretPrefix}-certificate`);
    }
    expect(Object.fromEntries(references)).toEqual(Object.fromEntries(expected));
  });

  it('when the network choice is evaluated, then VNet integration, the NAT output and private endpoints follow the file', () => {
    const p = parameters(file);
    const mode = (p.virtualNetwork as string | undefined) ?? 'none';
    const integrated = mode !== 'none';
    expect(declarationCondition(scope, 'network')).toBe(integrated);
    expect(declarationCondition(scope, 'privateLinks')).toBe(integrated && p.privateEndpoints === true);
    const subnet = apiArgument(scope, 'virtualNetworkSubnetId');
    expect(subnet instanceof Deferred ? subnet.text : subnet).toBe(integrated ? 'network.outputs.appSubnetId' : '');
    const outboundIp = evaluateOutput(scope, 'OUTBOUND_IP');
    expect(outboundIp instanceof Deferred ? outboundIp.text : outboundIp).toBe(integrated ? 'network.outputs.natPublicIp' : '');
  });
});

function apiArgument(scope: Scope, name: string): Value {
  const call = scope.file.root.namedChildren.find((s) => s.type === 'module_declaration' && s.namedChildren[1]?.text === "'app/api.bicep'")!;
  const params = getProperty(call.namedChildren[call.namedChildren.length - 1]!, 'params');
  return evaluate(getProperty(params, name)!, scope);
}

describe('the customer examples', () => {
  const all = CUSTOMERS.map((f) => ({ file: f, p: parameters(f), profiles: parameters(f).profiles as unknown as ProfileParam[] }));

  it('when they are listed, then they cover a Google-only customer, several profiles, and every network choice', () => {
    expect(all.some((c) => c.profiles.every((p) => p.kind === 'google'))).toBe(true);
    expect(all.some((c) => c.profiles.length >= 3 && new Set(c.profiles.map((p) => p.kind)).size === 2)).toBe(true);
    expect(new Set(all.map((c) => (c.p.virtualNetwork as string | undefined) ?? 'none'))).toEqual(new Set(['none', 'new', 'existing']));
    expect(all.some((c) => c.p.privateEndpoints === true)).toBe(true);
    expect(all.some((c) => c.p.maximumInstanceCount === 1)).toBe(true);
  });
});

describe('private endpoints without a VNet', () => {
  it('when privateEndpoints is asked for without VNet integration, then none are made (they need a subnet)', () => {
    const publicOnly = CUSTOMERS.find((f) => (parameters(f).virtualNetwork ?? 'none') === 'none')!;
    const scope = deploymentScope(MAIN, { ...parameters(publicOnly), privateEndpoints: true });
    expect(declarationCondition(scope, 'network')).toBe(false);
    expect(declarationCondition(scope, 'privateLinks')).toBe(false);
  });
});

describe('network.bicep', () => {
  const contoso = deployment(CUSTOMERS.find((f) => (parameters(f).virtualNetwork ?? 'none') === 'new')!);
  const fabrikam = deployment(CUSTOMERS.find((f) => parameters(f).virtualNetwork === 'existing')!);
  const network = loadBicep(join(INFRA, 'app', 'network.bicep'));

  it('when a new VNet is made, then its app subnet is delegated to Microsoft.App/environments and routed through the NAT gateway', () => {
    const vnet = resources(network).find((r) => r.type.startsWith('Microsoft.Network/virtualNetworks@'))!;
    const subnets = getProperty(getProperty(vnet.body, 'properties'), 'subnets')!.namedChildren.filter((c) => c.type === 'object');
    const app = subnets.find((s) => getProperty(s, 'name')?.text === 'appSubnetName')!;
    const delegation = getProperty(getProperty(app, 'properties'), 'delegations')!.namedChildren.find((c) => c.type === 'object')!;
    expect(stringLiteral(getProperty(getProperty(delegation, 'properties'), 'serviceName'))).toBe('Microsoft.App/environments');
    expect(getProperty(getProperty(app, 'properties'), 'natGateway')?.text).toContain('nat.id');
  });

  it('when the module is called for a new VNet with a NAT gateway, then the IP and gateway are made and the IP is the output', () => {
    const scope = moduleScope(contoso, 'app/network.bicep');
    expect(declarationCondition(scope, 'vnet')).toBe(true);
    expect(declarationCondition(scope, 'nat')).toBe(true);
    expect(declarationCondition(scope, 'outboundIp')).toBe(true);
    const ip = evaluateOutput(scope, 'natPublicIp');
    expect(ip instanceof Deferred && ip.text).toBe('outboundIp.properties.ipAddress');
  });

  it('when the module is called for an existing subnet, then it creates nothing and hands back the given subnets and their VNet', () => {
    const scope = moduleScope(fabrikam, 'app/network.bicep');
    for (const symbol of ['vnet', 'nat', 'outboundIp']) expect(declarationCondition(scope, symbol)).toBe(false);
    const given = parameters(CUSTOMERS.find((f) => parameters(f).virtualNetwork === 'existing')!);
    expect(evaluateOutput(scope, 'appSubnetId')).toBe(given.existingAppSubnetId);
    expect(evaluateOutput(scope, 'privateEndpointSubnetId')).toBe(given.existingPrivateEndpointSubnetId);
    expect(evaluateOutput(scope, 'virtualNetworkId')).toBe(String(given.existingAppSubnetId).split('/subnets/')[0]);
    expect(evaluateOutput(scope, 'natPublicIp')).toBe('');
  });

  it('when private endpoints are made, then each service gets its private DNS zone, Service Bus only on Premium', () => {
    const scope = moduleScope(fabrikam, 'app/private-endpoints.bicep');
    const zones = (evaluateVar(scope, 'targets') as Array<{ zone: string; groupId: string }>).map((t) => `${t.zone} ${t.groupId}`);
    expect(zones).toEqual([
      'privatelink.blob.core.windows.net blob',
      'privatelink.queue.core.windows.net queue',
      'privatelink.table.core.windows.net table',
      'privatelink.vaultcore.azure.net vault',
      'privatelink.servicebus.windows.net namespace',
    ]);
    const standard = moduleScope(deploymentScope(MAIN, { ...parameters(CUSTOMERS.find((f) => parameters(f).virtualNetwork === 'existing')!), serviceBusSku: 'Standard' }), 'app/private-endpoints.bicep');
    expect((evaluateVar(standard, 'targets') as unknown[]).length).toBe(4);
  });
});
