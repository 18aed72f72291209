// Secrets given as deployment parameters (main.bicep secretValues), each written as a new version.
// A module of its own: a loop over a secure parameter cannot be expanded before the deployment
// runs, and in app/keyvault.bicep it would hide the vault itself from What-If and `bicep snapshot`.
param vaultName string

@secure()
@description('Secrets by Key Vault secret name; each value becomes a new version of that secret.')
param secretValues { *: string }

// The vault made by app/keyvault.bicep
resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: vaultName
}

// The secrets given as parameters (names: docs/deploy.md), each as a new version
resource secrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [for secret in items(secretValues): {
  parent: vault
  name: secret.key
  properties: {
    value: secret.value
  }
}]
