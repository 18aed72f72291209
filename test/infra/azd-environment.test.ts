/**
 * azd's way in: infra/main.bicepparam compiled with a fake azd environment (azd passes its .env
 * to `bicep build-params` as environment variables). Every operator-facing variable arrives in
 * what `bicep snapshot` predicts, and public network access off with a Standard Service Bus is
 * refused, naming both parameters: by main.bicepparam when azd compiles it, and by main.bicep for
 * any parameters file.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EXCHANGE_PROFILE, EXISTING_SUBNET_AZD_ENVIRONMENT, FAKE_AZD_ENVIRONMENT, OPERATOR_AZD_ENVIRONMENT, OPERATOR_PRINCIPAL_ID } from './azd-environment.js';
import { bicep, buildParams, copyOfInfra, describeWithBicep, diagnostics, inTurn, snapshot, SUBSCRIPTION_ID, TENANT_ID, variantOf, type Snapshot } from './bicep.js';
import { appSettingsOf, keyVaultReference, ofType, one } from './predicted.js';

describeWithBicep('the azd environment by bicep snapshot', () => {
  let work: ReturnType<typeof copyOfInfra>;
  let operator: Snapshot;
  let existing: Snapshot;

  beforeAll(async () => {
    work = copyOfInfra();
    const main = join(work.infra, 'main.bicepparam');
    const second = variantOf(main, 'existing-subnet', {});
    [operator, existing] = (await inTurn(
      [
        () => snapshot(main, { env: OPERATOR_AZD_ENVIRONMENT }),
        () => snapshot(second, { env: EXISTING_SUBNET_AZD_ENVIRONMENT }),
      ],
      (run) => run(),
    )) as [Snapshot, Snapshot];
  }, 120_000);
  afterAll(() => work?.remove());

  it('when the azd environment sets each operator-facing variable, then each arrives in the predicted resources', () => {
    const env = OPERATOR_AZD_ENVIRONMENT;
    const settings = appSettingsOf(operator);
    const arrived = {
      AZURE_ENV_NAME: one(operator, 'Microsoft.Resources/resourceGroups').name === `rg-${env.AZURE_ENV_NAME}`,
      AZURE_LOCATION: one(operator, 'Microsoft.Web/sites').location === env.AZURE_LOCATION,
      CMG_BASE_URL: settings.CMG_BASE_URL === env.CMG_BASE_URL,
      CMG_APPLICATION: settings.CMG_APPLICATION === env.CMG_APPLICATION,
      CMG_MESSAGE_SYSTEMS: settings.CMG_MESSAGE_SYSTEMS === env.CMG_MESSAGE_SYSTEMS,
      OOF_CODE: settings.OOF_CODE === env.OOF_CODE,
      DEFAULT_CODE: settings.DEFAULT_CODE === env.DEFAULT_CODE,
      DEFAULT_TIME_ZONE: settings.DEFAULT_TIME_ZONE === env.DEFAULT_TIME_ZONE,
      CONNECTION_PROFILES:
        settings.PROFILES === 'M365,GWS,ON_PREM' &&
        settings.PROFILE_M365_CLIENT_ID === '11111111-1111-1111-1111-111111111111' &&
        settings.PROFILE_ON_PREM_EWS_URL === EXCHANGE_PROFILE.ewsUrl,
      ADMIN_CLIENT_ID: settings.ADMIN_CLIENT_ID === env.ADMIN_CLIENT_ID,
      ALERT_EMAIL: JSON.stringify(one(operator, 'Microsoft.Insights/actionGroups').properties.emailReceivers.map((r: { emailAddress: string }) => r.emailAddress)) === JSON.stringify([env.ALERT_EMAIL]),
      VIRTUAL_NETWORK: ofType(operator, 'Microsoft.Network/virtualNetworks').length === 1,
      PRIVATE_ENDPOINTS: ofType(operator, 'Microsoft.Network/privateEndpoints').length === 5,
      NAT_GATEWAY: ofType(operator, 'Microsoft.Network/natGateways').length === 0 && operator.outputs.OUTBOUND_IP === '',
      USE_CMG_CA_CERTIFICATE: keyVaultReference(settings.CMG_CA_CERTIFICATE ?? '')?.secret === 'cmg-ca-certificate',
      MAXIMUM_INSTANCE_COUNT: one(operator, 'Microsoft.Web/sites').properties.functionAppConfig.scaleAndConcurrency.maximumInstanceCount === 3,
      KEY_VAULT_RECOVER: one(operator, 'Microsoft.KeyVault/vaults').properties.createMode === 'recover',
      SECRETS_OPERATOR_PRINCIPAL_ID: ofType(operator, 'Microsoft.Authorization/roleAssignments').some((a) => a.properties.principalId === OPERATOR_PRINCIPAL_ID),
      SECRETS_OPERATOR_PRINCIPAL_TYPE: ofType(operator, 'Microsoft.Authorization/roleAssignments').some((a) => a.properties.principalId === OPERATOR_PRINCIPAL_ID && a.properties.principalType === 'User'),
      PUBLIC_NETWORK_ACCESS: ['Microsoft.Storage/storageAccounts', 'Microsoft.KeyVault/vaults', 'Microsoft.ServiceBus/namespaces'].every((t) => one(operator, t).properties.publicNetworkAccess === 'Disabled'),
      SERVICE_BUS_SKU: JSON.stringify(one(operator, 'Microsoft.ServiceBus/namespaces').sku) === JSON.stringify({ name: 'Premium', tier: 'Premium', capacity: 1 }),
    };
    expect(Object.keys(arrived).sort()).toEqual(Object.keys(env).sort());
    expect(Object.entries(arrived).filter(([, ok]) => !ok).map(([name]) => name)).toEqual([]);
  });

  it('when the azd environment names an existing subnet, then the app joins it and the private endpoints go in the other', () => {
    const env = EXISTING_SUBNET_AZD_ENVIRONMENT;
    expect(one(existing, 'Microsoft.Web/sites').properties.virtualNetworkSubnetId).toBe(env.EXISTING_APP_SUBNET_ID);
    expect(ofType(existing, 'Microsoft.Network/virtualNetworks')).toEqual([]);
    const endpoints = ofType(existing, 'Microsoft.Network/privateEndpoints');
    expect(endpoints.length).toBe(4);
    for (const pe of endpoints) expect(pe.properties.subnet.id).toBe(env.EXISTING_PRIVATE_ENDPOINT_SUBNET_ID);
  });

  it('when the azd environment turns public network access off with a Standard Service Bus, then compiling main.bicepparam refuses it, naming both', async () => {
    const run = await buildParams(join(work.infra, 'main.bicepparam'), { ...FAKE_AZD_ENVIRONMENT, PUBLIC_NETWORK_ACCESS: 'Disabled' });
    expect(run.status).not.toBe(0);
    const refusal = diagnostics(run.stderr).map((d) => `${d.level} ${d.code}: ${d.message}`);
    expect(refusal).toHaveLength(1);
    expect(refusal[0]).toMatch(/^Error BCP338: Failed to evaluate parameter "serviceBusSku": PUBLIC_NETWORK_ACCESS \(publicNetworkAccess\) Disabled needs SERVICE_BUS_SKU \(serviceBusSku\) Premium/);
    // With Premium it compiles
    expect((await buildParams(join(work.infra, 'main.bicepparam'), { ...FAKE_AZD_ENVIRONMENT, PUBLIC_NETWORK_ACCESS: 'Disabled', SERVICE_BUS_SKU: 'Premium' })).status).toBe(0);
  });

  it('when any parameters file turns public network access off with a Standard Service Bus, then main.bicep refuses it before deploying, naming both', async () => {
    const file = variantOf(join(work.infra, 'customers', 'fabrikam.bicepparam'), 'closed-standard', { publicNetworkAccess: "'Disabled'", serviceBusSku: "'Standard'" });
    const run = await bicep(['snapshot', file, '--mode', 'overwrite', '--subscription-id', SUBSCRIPTION_ID, '--tenant-id', TENANT_ID, '--location', 'westeurope']);
    expect(run.status).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toContain("The template variable 'checkedServiceBusSku' is not valid: publicNetworkAccess Disabled needs serviceBusSku Premium");
    // The same file with Premium (as fabrikam has it) is predicted
    const open = variantOf(join(work.infra, 'customers', 'fabrikam.bicepparam'), 'closed-premium', { publicNetworkAccess: "'Disabled'" });
    expect(one(await snapshot(open), 'Microsoft.ServiceBus/namespaces').properties.publicNetworkAccess).toBe('Disabled');
  });
});
