// Key Vault in RBAC mode for the app's secrets. Secret values given as parameters are written
// as new secret versions; empty values create nothing (set the secret with `az keyvault secret set`
// instead, which keeps it out of deployment history and azd's .env file).
param name string
param location string
param tags object = {}

@description('Purge protection: a deleted vault or secret cannot be purged during the soft-delete retention. Recommended for production; leave false for throw-away environments (`azd down --purge`).')
param enablePurgeProtection bool = true

@description('Secret names, fixed per deployment; the app settings reference them (versionless).')
param cmgPasswordSecretName string
param graphClientSecretName string
param graphCertificateSecretName string
param googleServiceAccountKeySecretName string

@secure()
param cmgPassword string = ''
@secure()
param graphClientSecret string = ''
@secure()
param graphCertificatePem string = ''
@secure()
param googleServiceAccountKey string = ''

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
    publicNetworkAccess: 'Enabled'
  }
}

// CMG HTTP interface password (CMG_PASSWORD)
resource cmgPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(cmgPassword)) {
  parent: vault
  name: cmgPasswordSecretName
  properties: {
    value: cmgPassword
    contentType: 'text/plain'
  }
}

// Graph app registration client secret (PROFILE_M365_CLIENT_SECRET), when a secret is used
resource graphClientSecretSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(graphClientSecret)) {
  parent: vault
  name: graphClientSecretName
  properties: {
    value: graphClientSecret
    contentType: 'text/plain'
  }
}

// Graph app certificate private key as PEM (PROFILE_M365_CERTIFICATE), when a certificate is used
resource graphCertificateSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(graphCertificatePem)) {
  parent: vault
  name: graphCertificateSecretName
  properties: {
    value: graphCertificatePem
    contentType: 'application/x-pem-file'
  }
}

// Google service account JSON key (PROFILE_GWS_SERVICE_ACCOUNT_KEY), when the Google profile is used
resource googleServiceAccountKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(googleServiceAccountKey)) {
  parent: vault
  name: googleServiceAccountKeySecretName
  properties: {
    value: googleServiceAccountKey
    contentType: 'application/json'
  }
}

output name string = vault.name
// Ends with '/', e.g. https://kv-abc.vault.azure.net/
output uri string = vault.properties.vaultUri
