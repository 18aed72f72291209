/**
 * Fake azd environments (the variables azd passes from .azure/<env>/.env when it compiles
 * infra/main.bicepparam): the least an operator sets, and one that sets every operator-facing
 * variable to something other than its default.
 */

/** What docs/deploy.md has the operator set before the first `azd up`, and azd's own two. */
export const FAKE_AZD_ENVIRONMENT: Readonly<Record<string, string>> = {
  AZURE_ENV_NAME: 'contoso-test',
  AZURE_LOCATION: 'swedencentral',
  CMG_BASE_URL: 'https://cmg.contoso.com/CMG Office',
  CMG_MESSAGE_SYSTEMS: '1,3',
  OOF_CODE: '5',
  DEFAULT_CODE: '11',
  CONNECTION_PROFILES: JSON.stringify([
    { name: 'M365', kind: 'graph', domains: 'contoso.com', tenantId: '00000000-0000-0000-0000-00000000c0de', clientId: '11111111-1111-1111-1111-111111111111', certificateThumbprint: '0123456789ABCDEF0123456789ABCDEF01234567' },
    { name: 'GWS', kind: 'google', domains: 'contoso-labs.com' },
  ]),
};

/** An on-premises Exchange profile, every optional field away from the app's default. */
export const EXCHANGE_PROFILE = {
  name: 'ON_PREM',
  kind: 'exchange',
  domains: 'corp.contoso.com',
  ewsUrl: 'https://mail.corp.contoso.com/EWS/Exchange.asmx',
  userName: 'CORP\\svc-calsync',
  authentication: 'basic',
  access: 'delegate',
  push: false,
  timeoutMs: 60000,
  maxConnections: 20,
  caCertificate: true,
} as const;

export const OPERATOR_PRINCIPAL_ID = '7e57ab1e-0000-4000-8000-000000000001';

/**
 * Every operator-facing variable, none at its default (main.bicepparam maps each to its
 * parameter). A new VNet, so that the network switches take effect.
 */
export const OPERATOR_AZD_ENVIRONMENT: Readonly<Record<string, string>> = {
  ...FAKE_AZD_ENVIRONMENT,
  // An Exchange Server profile with every field other than its default
  CONNECTION_PROFILES: JSON.stringify([
    ...(JSON.parse(FAKE_AZD_ENVIRONMENT.CONNECTION_PROFILES!) as unknown[]),
    EXCHANGE_PROFILE,
  ]),
  CMG_APPLICATION: 'CALSYNC',
  DEFAULT_CODE: '12',
  DEFAULT_TIME_ZONE: 'Europe/Stockholm',
  VIRTUAL_NETWORK: 'new',
  PRIVATE_ENDPOINTS: 'true',
  NAT_GATEWAY: 'false',
  USE_CMG_CA_CERTIFICATE: 'true',
  MAXIMUM_INSTANCE_COUNT: '3',
  KEY_VAULT_RECOVER: 'true',
  SECRETS_OPERATOR_PRINCIPAL_ID: OPERATOR_PRINCIPAL_ID,
  SECRETS_OPERATOR_PRINCIPAL_TYPE: 'User',
  PUBLIC_NETWORK_ACCESS: 'Disabled',
  SERVICE_BUS_SKU: 'Premium',
  ADMIN_CLIENT_ID: '22222222-2222-2222-2222-222222222222',
  ALERT_EMAIL: 'ops@contoso.com',
};

/** The customer's own VNet: the subnets given by resource id. */
export const EXISTING_SUBNET_AZD_ENVIRONMENT: Readonly<Record<string, string>> = {
  ...FAKE_AZD_ENVIRONMENT,
  VIRTUAL_NETWORK: 'existing',
  EXISTING_APP_SUBNET_ID: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-calsync',
  EXISTING_PRIVATE_ENDPOINT_SUBNET_ID: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-private-endpoints',
  PRIVATE_ENDPOINTS: 'true',
};
