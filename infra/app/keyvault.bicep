// Key Vault in RBAC mode for the app's secrets. Secret values given as parameters are written by
// app/keyvault-secrets.bicep; prefer `az keyvault secret set`, which keeps them out of deployment
// history and azd's .env file.
param name string
param location string
param tags { *: string } = {}

@description('Purge protection: a deleted vault or secret cannot be purged during the soft-delete retention. Recommended for production; leave false for throw-away environments (`azd down --purge`).')
param enablePurgeProtection bool = true

@description('true: recover the soft-deleted vault of this name (after azd down) instead of creating a new one; the deployment fails if there is none.')
param recover bool = false

@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string = 'Enabled'

// Key Vault, Azure RBAC authorization (no access policies)
resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // Purge protection cannot be switched off once on, so "off" is null (not false)
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: publicNetworkAccess
    // A purge-protected vault keeps its name for the retention period after a delete
    createMode: recover ? 'recover' : 'default'
  }
}

output name string = vault.name
// Ends with '/', e.g. https://kv-abc.vault.azure.net/
output uri string = vault.properties.vaultUri
