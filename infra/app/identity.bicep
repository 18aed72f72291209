// The one user-assigned identity of the function app: host storage, tables, Service Bus,
// Key Vault references and Application Insights all authenticate as this identity.
param name string
param location string
param tags { *: string } = {}

// User-assigned managed identity (survives app re-creation, so role assignments stay valid)
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
