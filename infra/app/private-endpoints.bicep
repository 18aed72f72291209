// Private endpoints for the app's data services, each with its private DNS zone linked to the VNet,
// so that the integrated app resolves the services' usual host names to private addresses. Zone
// names: "Azure Private Endpoint private DNS zone values" (public cloud). Service Bus takes private
// endpoints on the Premium tier only, so it is left out when no namespace name is given.
param name string
param location string
param tags { *: string } = {}
param subnetId string
param virtualNetworkId string
param storageAccountName string
param keyVaultName string
@description('Empty: no private endpoint for Service Bus (Standard tier).')
param serviceBusNamespaceName string = ''

var storageId = resourceId('Microsoft.Storage/storageAccounts', storageAccountName)
var storageTargets = [
  // Host storage (timer leases, deployment package) and the app's tables
  {
    key: 'blob'
    zone: 'privatelink.blob.${environment().suffixes.storage}'
    resourceId: storageId
    groupId: 'blob'
  }
  {
    key: 'queue'
    zone: 'privatelink.queue.${environment().suffixes.storage}'
    resourceId: storageId
    groupId: 'queue'
  }
  {
    key: 'table'
    zone: 'privatelink.table.${environment().suffixes.storage}'
    resourceId: storageId
    groupId: 'table'
  }
  {
    key: 'vault'
    zone: 'privatelink.vaultcore.azure.net'
    resourceId: resourceId('Microsoft.KeyVault/vaults', keyVaultName)
    groupId: 'vault'
  }
]
var serviceBusTargets = empty(serviceBusNamespaceName) ? [] : [
  {
    key: 'servicebus'
    zone: 'privatelink.servicebus.windows.net'
    resourceId: resourceId('Microsoft.ServiceBus/namespaces', serviceBusNamespaceName)
    groupId: 'namespace'
  }
]
var targets = concat(storageTargets, serviceBusTargets)

// One private DNS zone per service
resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [for t in targets: {
  name: t.zone
  location: 'global'
  tags: tags
}]

// Each zone answers inside the VNet
resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [for (t, i) in targets: {
  parent: zones[i]
  name: 'link-${name}'
  location: 'global'
  tags: tags
  properties: {
    registrationEnabled: false
    virtualNetwork: {
      id: virtualNetworkId
    }
  }
}]

// The private endpoints in the private endpoint subnet
resource endpoints 'Microsoft.Network/privateEndpoints@2024-05-01' = [for t in targets: {
  name: 'pe-${t.key}-${name}'
  location: location
  tags: tags
  properties: {
    subnet: {
      id: subnetId
    }
    privateLinkServiceConnections: [
      {
        name: t.key
        properties: {
          privateLinkServiceId: t.resourceId
          groupIds: [
            t.groupId
          ]
        }
      }
    ]
  }
}]

// The A record of each endpoint, kept in its zone by the platform
resource zoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = [for (t, i) in targets: {
  parent: endpoints[i]
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: t.key
        properties: {
          privateDnsZoneId: zones[i].id
        }
      }
    ]
  }
}]

output zoneNames string[] = [for t in targets: t.zone]
