// Example customer: two Microsoft 365 tenants and a Google Workspace domain, the app in a subnet of
// the customer's VNet, private endpoints (Premium Service Bus), at most 2 instances per function group.
// Without azd: az deployment sub create --name fabrikam-prod -l <location> --parameters infra/customers/fabrikam.bicepparam
using '../main.bicep'

param environmentName = 'fabrikam-prod'
param location = 'westeurope'
param cmgBaseUrl = 'https://presence.fabrikam.example/CMG Office'
param cmgApplication = 'CALSYNC'
param cmgMessageSystems = '1'
param oofCode = '7'
param defaultCode = '11'
param profiles = [
  {
    name: 'M365'
    kind: 'graph'
    domains: 'fabrikam.example'
    tenantId: '22222222-2222-2222-2222-222222222222'
    clientId: '33333333-3333-3333-3333-333333333333'
    credential: 'secret'
  }
  {
    name: 'M365_LABS'
    kind: 'graph'
    domains: 'labs.fabrikam.example'
    tenantId: '44444444-4444-4444-4444-444444444444'
    clientId: '55555555-5555-5555-5555-555555555555'
    credential: 'certificate'
    certificateThumbprint: '89ABCDEF0123456789ABCDEF0123456789ABCDEF'
    resolveAddresses: true
  }
  {
    name: 'GWS'
    kind: 'google'
    domains: 'fabrikam-labs.example'
    scope: 'https://www.googleapis.com/auth/calendar.events.readonly'
  }
]
param defaultTimeZone = 'Europe/Amsterdam'
param updateInterval = '10m'
param excludedMailAddresses = 'reception@fabrikam.example;boardroom@fabrikam.example'
param maxBoxes = '2000'
param virtualNetwork = 'existing'
param existingAppSubnetId = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-hub-weu/subnets/snet-calsync'
param existingPrivateEndpointSubnetId = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-hub-weu/subnets/snet-private-endpoints'
param privateEndpoints = true
param serviceBusSku = 'Premium'
param maximumInstanceCount = 2
