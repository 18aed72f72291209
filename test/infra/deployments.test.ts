/**
 * Each parameters file, deployed on paper by `bicep snapshot`: the resources the deployment would
 * create, checked against the app and the network choices. The app settings, with every Key Vault
 * reference replaced by a secret of the right shape and every value only the deployment knows by a
 * stand-in, must pass the program's own start-up check (readConfig) with the file's profiles; the
 * network resources must be there or not as the file says, with the delegation Flex Consumption
 * requires, the NAT output and the private DNS zones.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readConfig } from '../../shared/config/config.js';
import { createPrivateCa } from '../support/private-ca.js';
import { buildParams, copyOfInfra, describeWithBicep, inTurn, snapshot, variantOf, type Snapshot } from './bicep.js';
import { FAKE_AZD_ENVIRONMENT } from './azd-environment.js';
import { appSettingsOf, isExpression, keyVaultReference, ofType, one, publicCloudReference, referencedId } from './predicted.js';

interface ProfileParam {
  name: string;
  kind: 'graph' | 'google' | 'exchange';
  domains: string;
  credential?: 'certificate' | 'secret';
  resolveAddresses?: boolean;
  caCertificate?: boolean;
}

/** The parameters files, with the environment azd would give main.bicepparam. */
const FILES: ReadonlyArray<{ file: string; env: Readonly<Record<string, string>> }> = [
  { file: 'customers/contoso.bicepparam', env: {} },
  { file: 'customers/fabrikam.bicepparam', env: {} },
  { file: 'customers/northwind.bicepparam', env: {} },
  { file: 'main.bicepparam', env: FAKE_AZD_ENVIRONMENT },
];

const ca = createPrivateCa('Customer Root CA');
/** A value of the right shape for each secret the settings reference, by secret name. */
function secretFor(name: string): string {
  if (name === 'cmg-password') return 'cmg-password-value';
  if (name === 'cmg-ca-certificate' || name.endsWith('-ca-certificate')) return ca.caCertificate;
  if (name.endsWith('-password')) return 'ews-service-account-password';
  if (name.endsWith('-service-account-key')) return JSON.stringify({ client_email: 'sync@project.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n' });
  if (name.endsWith('-certificate')) return '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n';
  if (name.endsWith('-client-secret')) return 'client-secret-value';
  throw new Error(`no stand-in for secret ${name}`);
}

/**
 * Settings whose value only the deployment knows (read from the resources it creates), the
 * resource type each reads, and a stand-in of the right shape.
 */
const RUNTIME: Record<string, { reads: string; standIn: string }> = {
  TABLES_ENDPOINT: { reads: 'Microsoft.Storage/storageAccounts', standIn: 'https://st.table.core.windows.net/' },
  AZURE_CLIENT_ID: { reads: 'Microsoft.ManagedIdentity/userAssignedIdentities', standIn: '99999999-9999-9999-9999-999999999999' },
  AzureWebJobsStorage__clientId: { reads: 'Microsoft.ManagedIdentity/userAssignedIdentities', standIn: '99999999-9999-9999-9999-999999999999' },
  ServiceBusConnection__clientId: { reads: 'Microsoft.ManagedIdentity/userAssignedIdentities', standIn: '99999999-9999-9999-9999-999999999999' },
  ServiceBusConnection__fullyQualifiedNamespace: { reads: 'Microsoft.ServiceBus/namespaces', standIn: 'sb.servicebus.windows.net' },
  APPLICATIONINSIGHTS_CONNECTION_STRING: { reads: 'Microsoft.Insights/components', standIn: 'InstrumentationKey=00000000-0000-0000-0000-000000000000' },
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: { reads: 'Microsoft.ManagedIdentity/userAssignedIdentities', standIn: 'Authorization=AAD;ClientId=99999999-9999-9999-9999-999999999999' },
  WEBHOOK_BASE_URL: { reads: 'Microsoft.Web/sites', standIn: 'https://func.azurewebsites.net' },
};

/** The settings as the app would read them, and which ones were Key Vault references (to which secret). */
function settingsAsDeployed(s: Snapshot): { settings: Record<string, string>; references: Record<string, string>; vaults: Set<string> } {
  const settings: Record<string, string> = {};
  const references: Record<string, string> = {};
  const vaults = new Set<string>();
  for (const [key, value] of Object.entries(appSettingsOf(s))) {
    const reference = keyVaultReference(value);
    if (reference) {
      references[key] = reference.secret;
      vaults.add(reference.vault);
      expect(publicCloudReference(reference)).toMatch(/^@Microsoft\.KeyVault\(SecretUri=https:\/\/kv-[a-z0-9]+\.vault\.azure\.net\/secrets\/[a-z0-9-]+\/\)$/);
      settings[key] = secretFor(reference.secret);
    } else if (isExpression(value)) {
      const runtime = RUNTIME[key];
      if (!runtime) throw new Error(`${key} is known only at deployment (${value}) but has no stand-in`);
      expect(referencedId(value), key).toMatch(new RegExp(`/providers/${runtime.reads}/[^/]+$`));
      settings[key] = runtime.standIn;
    } else {
      settings[key] = value;
    }
  }
  return { settings, references, vaults };
}

/**
 * A private DNS zone's name from its id. The storage zones follow the cloud's storage suffix
 * (environment(), evaluated by the deployment): the public cloud's here.
 */
function zoneName(zoneId: string): string {
  const storage = /format\('(privatelink\.\w+)\.\{0\}', environment\(\)\.suffixes\.storage\)\)\]$/.exec(zoneId);
  return storage ? `${storage[1]}.core.windows.net` : zoneId.split('/').pop()!;
}

describeWithBicep('deployments by bicep snapshot', () => {
  let work: ReturnType<typeof copyOfInfra>;
  const snapshots = new Map<string, Snapshot>();
  const profilesOf = new Map<string, ProfileParam[]>();
  const paramsOf = new Map<string, Record<string, unknown>>();

  beforeAll(async () => {
    work = copyOfInfra();
    const variants: Array<{ name: string; base: string; params: Record<string, string> }> = [
      // Private endpoints asked for without VNet integration: none can be made (they need a subnet)
      { name: 'public-with-private-endpoints', base: 'customers/northwind.bicepparam', params: { privateEndpoints: 'true' } },
      // Private endpoints with a Standard namespace: Service Bus takes none
      { name: 'standard-service-bus', base: 'customers/fabrikam.bicepparam', params: { serviceBusSku: "'Standard'" } },
    ];
    // Beside the file they vary, so that its `using` path holds
    for (const v of variants) variantOf(join(work.infra, v.base), v.name, v.params);
    const all = [...FILES, ...variants.map((v) => ({ file: `customers/${v.name}.bicepparam`, env: {} }))];
    await inTurn(all, async ({ file, env }) => {
      const path = join(work.infra, file);
      const [s, built] = await Promise.all([snapshot(path, { env }), buildParams(path, env)]);
      snapshots.set(file, s);
      paramsOf.set(file, built.parameters ?? {});
      profilesOf.set(file, (built.parameters?.profiles ?? []) as ProfileParam[]);
    });
  }, 180_000);
  afterAll(() => work?.remove());

  const byFile = (file: string) => snapshots.get(file)!;
  const param = (file: string, name: string) => paramsOf.get(file)![name];

  it.each(FILES.map((f) => f.file))('when %s is snapshot, then the prediction is complete (no nested deployment left unexpanded)', (file) => {
    expect(byFile(file).diagnostics).toEqual([]);
    expect(byFile(file).predictedResources.length).toBeGreaterThan(20);
  });

  it.each(FILES.map((f) => f.file))('when the app settings of %s are read by the program, then they are valid and hold its profiles in order', (file) => {
    const { settings } = settingsAsDeployed(byFile(file));
    const result = readConfig(settings);
    expect(result.ok ? [] : result.problems).toEqual([]);
    if (!result.ok) return;
    const profiles = profilesOf.get(file)!;
    expect(result.config.profiles.map((p) => [p.name, p.kind, p.domains.join(',')])).toEqual(profiles.map((p) => [p.name, p.kind, p.domains.replace(/\s/g, '')]));
    const resolving = (p: { kind: string; resolveAddresses?: boolean }) => p.kind === 'graph' && p.resolveAddresses === true;
    expect(result.config.profiles.map(resolving)).toEqual(profiles.map(resolving));
  });

  it.each(FILES.map((f) => f.file))('when %s needs a secret, then the setting is a Key Vault reference to the secret named in docs/deploy.md, in the vault it deploys', (file) => {
    const s = byFile(file);
    const { references, vaults } = settingsAsDeployed(s);
    const expected: Record<string, string> = { CMG_PASSWORD: 'cmg-password' };
    if (param(file, 'cmgCaCertificate') === true) expected.CMG_CA_CERTIFICATE = 'cmg-ca-certificate';
    for (const p of profilesOf.get(file)!) {
      const prefix = `PROFILE_${p.name.toUpperCase()}_`;
      const secretPrefix = p.name.toLowerCase().replace(/_/g, '-');
      if (p.kind === 'google') expected[`${prefix}SERVICE_ACCOUNT_KEY`] = `${secretPrefix}-service-account-key`;
      else if (p.kind === 'exchange') {
        expected[`${prefix}PASSWORD`] = `${secretPrefix}-password`;
        if (p.caCertificate === true) expected[`${prefix}CA_CERTIFICATE`] = `${secretPrefix}-ca-certificate`;
      } else if (p.credential === 'secret') expected[`${prefix}CLIENT_SECRET`] = `${secretPrefix}-client-secret`;
      else expected[`${prefix}CERTIFICATE`] = `${secretPrefix}-certificate`;
    }
    expect(references).toEqual(expected);
    expect([...vaults]).toEqual([one(s, 'Microsoft.KeyVault/vaults').name]);
    // The app resolves them with its own identity, which reads secrets of that vault
    const site = one(s, 'Microsoft.Web/sites');
    expect(site.properties.keyVaultReferenceIdentity).toBe(one(s, 'Microsoft.ManagedIdentity/userAssignedIdentities').id);
  });

  it.each(FILES.map((f) => f.file))('when the network choice of %s is predicted, then VNet integration, the NAT output and private endpoints follow the file', (file) => {
    const s = byFile(file);
    const mode = (param(file, 'virtualNetwork') as string | undefined) ?? 'none';
    const integrated = mode !== 'none';
    const withNat = mode === 'new' && param(file, 'natGateway') !== false;
    expect(ofType(s, 'Microsoft.Network/virtualNetworks')).toHaveLength(mode === 'new' ? 1 : 0);
    expect(ofType(s, 'Microsoft.Network/natGateways')).toHaveLength(withNat ? 1 : 0);
    expect(ofType(s, 'Microsoft.Network/publicIPAddresses')).toHaveLength(withNat ? 1 : 0);
    expect(ofType(s, 'Microsoft.Network/privateEndpoints').length > 0).toBe(integrated && param(file, 'privateEndpoints') === true);
    const subnet = one(s, 'Microsoft.Web/sites').properties.virtualNetworkSubnetId as string | null;
    if (mode === 'none') expect(subnet).toBeNull();
    if (mode === 'new') expect(subnet).toBe(`${one(s, 'Microsoft.Network/virtualNetworks').id}/subnets/snet-app`);
    if (mode === 'existing') expect(subnet).toBe(param(file, 'existingAppSubnetId'));
    const outboundIp = s.outputs.OUTBOUND_IP;
    if (withNat) expect(referencedId(outboundIp as string)).toBe(one(s, 'Microsoft.Network/publicIPAddresses').id);
    else expect(outboundIp).toBe('');
  });

  it('when they are listed, then the customer examples cover a Google-only customer, several profiles, Exchange Server beside Microsoft 365, and every network choice', () => {
    const customers = FILES.filter((f) => f.file.startsWith('customers/')).map((f) => f.file);
    const profiles = customers.map((f) => profilesOf.get(f)!);
    expect(profiles.some((ps) => ps.every((p) => p.kind === 'google'))).toBe(true);
    expect(profiles.some((ps) => ps.length >= 3 && new Set(ps.map((p) => p.kind)).size === 2)).toBe(true);
    // An on-premises Exchange behind the VNet, failing over with Microsoft 365 for one domain
    const onPremises = customers.filter((f) => profilesOf.get(f)!.some((p) => p.kind === 'exchange'));
    expect(onPremises.every((f) => param(f, 'virtualNetwork') !== undefined)).toBe(true);
    expect(profiles.some((ps) => ps.some((p) => p.kind === 'exchange' && ps.some((q) => q.kind === 'graph' && q.domains === p.domains)))).toBe(true);
    expect(new Set(customers.map((f) => (param(f, 'virtualNetwork') as string | undefined) ?? 'none'))).toEqual(new Set(['none', 'new', 'existing']));
    expect(customers.some((f) => param(f, 'privateEndpoints') === true)).toBe(true);
    expect(customers.some((f) => param(f, 'maximumInstanceCount') === 1)).toBe(true);
    // One deployment per CMG system: each example is its own environment
    const names = customers.map((f) => param(f, 'environmentName'));
    expect(new Set(names).size).toBe(customers.length);
  });

  it('when privateEndpoints is asked for without VNet integration, then no network and no private endpoint is made', () => {
    const s = byFile('customers/public-with-private-endpoints.bicepparam');
    expect(s.diagnostics).toEqual([]);
    for (const type of ['Microsoft.Network/virtualNetworks', 'Microsoft.Network/privateEndpoints', 'Microsoft.Network/privateDnsZones']) expect(ofType(s, type), type).toEqual([]);
  });

  it('when a new VNet is made, then its app subnet is delegated to Microsoft.App/environments and routed through the NAT gateway', () => {
    const s = byFile('customers/contoso.bicepparam');
    const vnet = one(s, 'Microsoft.Network/virtualNetworks');
    const app = (vnet.properties.subnets as Array<{ name: string; properties: Record<string, unknown> }>).find((x) => x.name === 'snet-app')!;
    expect(app.properties.delegations).toEqual([{ name: 'flex-consumption', properties: { serviceName: 'Microsoft.App/environments' } }]);
    expect(app.properties.natGateway).toEqual({ id: one(s, 'Microsoft.Network/natGateways').id });
    const ip = one(s, 'Microsoft.Network/publicIPAddresses');
    expect([ip.sku, ip.properties.publicIPAllocationMethod]).toEqual([{ name: 'Standard' }, 'Static']);
    expect(one(s, 'Microsoft.Network/natGateways').properties.publicIpAddresses).toEqual([{ id: ip.id }]);
  });

  it('when private endpoints are made, then each service gets its private DNS zone linked to the VNet, Service Bus only on Premium', () => {
    const zonesOf = (s: Snapshot) =>
      ofType(s, 'Microsoft.Network/privateEndpoints').map((pe) => {
        const connection = (pe.properties.privateLinkServiceConnections as Array<{ properties: { privateLinkServiceId: string; groupIds: string[] } }>)[0]!.properties;
        const zoneGroup = ofType(s, 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups').find((g) => g.name.startsWith(`${pe.name}/`))!;
        const zoneId = (zoneGroup.properties.privateDnsZoneConfigs as Array<{ properties: { privateDnsZoneId: string } }>)[0]!.properties.privateDnsZoneId;
        expect(pe.properties.subnet.id).toBe(param('customers/fabrikam.bicepparam', 'existingPrivateEndpointSubnetId'));
        return `${zoneName(zoneId)} ${connection.groupIds.join(',')} ${connection.privateLinkServiceId.split('/providers/')[1]!.split('/')[0]}`;
      });
    const fabrikam = byFile('customers/fabrikam.bicepparam');
    expect(zonesOf(fabrikam).sort()).toEqual([
      'privatelink.blob.core.windows.net blob Microsoft.Storage',
      'privatelink.queue.core.windows.net queue Microsoft.Storage',
      'privatelink.servicebus.windows.net namespace Microsoft.ServiceBus',
      'privatelink.table.core.windows.net table Microsoft.Storage',
      'privatelink.vaultcore.azure.net vault Microsoft.KeyVault',
    ]);
    // Every zone is linked to the VNet that holds the given subnet
    const vnetId = String(param('customers/fabrikam.bicepparam', 'existingAppSubnetId')).split('/subnets/')[0];
    const links = ofType(fabrikam, 'Microsoft.Network/privateDnsZones/virtualNetworkLinks');
    expect(links).toHaveLength(5);
    for (const link of links) expect([link.properties.virtualNetwork.id, link.properties.registrationEnabled]).toEqual([vnetId, false]);
    expect(zonesOf(byFile('customers/standard-service-bus.bicepparam'))).toHaveLength(4);
  });
});
