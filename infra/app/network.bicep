// The network side of VNet integration (ARCHITECTURE.md "Network"): the subnet the function app
// joins, delegated to Microsoft.App/environments as the Flex Consumption plan requires, a NAT
// gateway with one static public IP for all outbound traffic (the CMG firewall allows it), and a
// subnet for private endpoints. `existing` uses the customer's subnets instead and creates nothing.
param name string
param location string
param tags { *: string } = {}

@allowed([
  'new'
  'existing'
])
param mode string

param vnetAddressPrefix string = '10.40.0.0/16'
param appSubnetPrefix string = '10.40.0.0/24'
param privateEndpointSubnetPrefix string = '10.40.1.0/24'
param existingAppSubnetId string = ''
param existingPrivateEndpointSubnetId string = ''

@description('new: route all outbound traffic of the app subnet through a NAT gateway with a static public IP.')
param natGateway bool = true

var createNew = mode == 'new'
var createNat = createNew && natGateway
var vnetName = 'vnet-${name}'
var appSubnetName = 'snet-app'
var privateEndpointSubnetName = 'snet-private-endpoints'

// Static public IP of the NAT gateway (Standard SKU: NAT gateways take no Basic IPs)
resource outboundIp 'Microsoft.Network/publicIPAddresses@2024-05-01' = if (createNat) {
  name: 'pip-nat-${name}'
  location: location
  tags: tags
  sku: {
    name: 'Standard'
  }
  properties: {
    publicIPAllocationMethod: 'Static'
    publicIPAddressVersion: 'IPv4'
  }
}

// NAT gateway: every outbound connection of the app subnet leaves from the one IP above
resource nat 'Microsoft.Network/natGateways@2024-05-01' = if (createNat) {
  name: 'ng-${name}'
  location: location
  tags: tags
  sku: {
    name: 'Standard'
  }
  properties: {
    idleTimeoutInMinutes: 4
    publicIpAddresses: [
      {
        id: outboundIp.id
      }
    ]
  }
}

// The VNet with both subnets inline, so that a new provision never drops a subnet in use
resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = if (createNew) {
  name: vnetName
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        vnetAddressPrefix
      ]
    }
    subnets: [
      {
        name: appSubnetName
        properties: {
          addressPrefix: appSubnetPrefix
          // Flex Consumption joins a subnet delegated to Microsoft.App/environments (not Microsoft.Web/serverFarms)
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
          natGateway: createNat ? {
            id: nat.id
          } : null
        }
      }
      {
        name: privateEndpointSubnetName
        properties: {
          addressPrefix: privateEndpointSubnetPrefix
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ]
  }
}

output appSubnetId string = createNew ? resourceId('Microsoft.Network/virtualNetworks/subnets', vnetName, appSubnetName) : existingAppSubnetId
output privateEndpointSubnetId string = createNew ? resourceId('Microsoft.Network/virtualNetworks/subnets', vnetName, privateEndpointSubnetName) : existingPrivateEndpointSubnetId
// The VNet the private DNS zones are linked to: the new one, or the one holding the existing subnet
output virtualNetworkId string = createNew ? vnet.id : split(existingAppSubnetId, '/subnets/')[0]
output natPublicIp string = createNat ? outboundIp!.properties.ipAddress : ''
