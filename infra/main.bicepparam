// What `azd provision` deploys: azd prefers infra/main.bicepparam to a JSON parameters file and
// compiles it with `bicep build-params`, passing the azd environment (.azure/<env>/.env) as
// environment variables (azure-dev cli/azd/pkg/infra/provisioning/bicep/bicep_provider.go). Set a
// value with `azd env set NAME value`; an unset optional one keeps main.bicep's default, repeated
// here (test/infra checks that the two agree).
using './main.bicep'

// Deployment (azd sets AZURE_ENV_NAME and asks for AZURE_LOCATION)
param environmentName = readEnvironmentVariable('AZURE_ENV_NAME')
param location = readEnvironmentVariable('AZURE_LOCATION')
param maximumInstanceCount = int(readEnvironmentVariable('MAXIMUM_INSTANCE_COUNT', '40'))
param keyVaultRecover = bool(readEnvironmentVariable('KEY_VAULT_RECOVER', 'false'))
param secretsOperatorPrincipalId = readEnvironmentVariable('SECRETS_OPERATOR_PRINCIPAL_ID', '')
param secretsOperatorPrincipalType = readEnvironmentVariable('SECRETS_OPERATOR_PRINCIPAL_TYPE', 'Group')

// CMG
param cmgBaseUrl = readEnvironmentVariable('CMG_BASE_URL')
param cmgApplication = readEnvironmentVariable('CMG_APPLICATION', 'EXCHANGE')
param cmgMessageSystems = readEnvironmentVariable('CMG_MESSAGE_SYSTEMS')
param cmgCaCertificate = bool(readEnvironmentVariable('USE_CMG_CA_CERTIFICATE', 'false'))

// Mapping
param oofCode = readEnvironmentVariable('OOF_CODE')
param defaultCode = readEnvironmentVariable('DEFAULT_CODE', '')
param defaultTimeZone = readEnvironmentVariable('DEFAULT_TIME_ZONE', 'UTC')

// Connection profiles: a JSON array, e.g. [{"name":"M365","kind":"graph",...}]
param profiles = json(readEnvironmentVariable('CONNECTION_PROFILES'))

// Network
param virtualNetwork = readEnvironmentVariable('VIRTUAL_NETWORK', 'none')
param existingAppSubnetId = readEnvironmentVariable('EXISTING_APP_SUBNET_ID', '')
param existingPrivateEndpointSubnetId = readEnvironmentVariable('EXISTING_PRIVATE_ENDPOINT_SUBNET_ID', '')
param natGateway = bool(readEnvironmentVariable('NAT_GATEWAY', 'true'))
param privateEndpoints = bool(readEnvironmentVariable('PRIVATE_ENDPOINTS', 'false'))
var publicAccess = readEnvironmentVariable('PUBLIC_NETWORK_ACCESS', 'Enabled')
var serviceBusTier = readEnvironmentVariable('SERVICE_BUS_SKU', 'Standard')
param publicNetworkAccess = publicAccess
// Refused when azd compiles this file, as main.bicep refuses it for any parameters file
param serviceBusSku = publicAccess == 'Disabled' && serviceBusTier != 'Premium' ? fail('PUBLIC_NETWORK_ACCESS (publicNetworkAccess) Disabled needs SERVICE_BUS_SKU (serviceBusSku) Premium: a Standard Service Bus namespace has no private endpoint, so the app could not reach its job queue.') : serviceBusTier

// Admin sign-in and alerts
param adminClientId = readEnvironmentVariable('ADMIN_CLIENT_ID', '')
param alertEmail = readEnvironmentVariable('ALERT_EMAIL', '')
