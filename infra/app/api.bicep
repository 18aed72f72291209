// The function app on a Flex Consumption plan, and every app setting it gets.
// Program settings (shared/config) arrive in `appSettings`; this module adds the platform wiring:
// identity-based host storage, Application Insights, Service Bus, Table Storage, webhook URL.
// Flex Consumption rejects the classic runtime/content settings (FUNCTIONS_WORKER_RUNTIME,
// WEBSITE_RUN_FROM_PACKAGE, WEBSITE_CONTENTSHARE, ...): the runtime, package location and scale
// are in functionAppConfig instead. See "Flex Consumption plan deprecations" in
// https://learn.microsoft.com/azure/azure-functions/functions-app-settings
param name string
param planName string
param location string
param tags { *: string } = {}
param serviceName string = 'api'

param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerName string
param applicationInsightsName string
param serviceBusFullyQualifiedNamespace string
param serviceBusQueueName string

@description('Program settings (names and values as shared/config reads them), including Key Vault references.')
param appSettings { *: string }

@description('Node.js major version of the worker in Azure (Functions support for Node 20 ended on 2026-04-30; local runs: package.json engines >=20).')
@allowed([
  '22'
  '20'
])
param nodeVersion string = '22'

@description('Most on-demand instances per function group (mailbox-sync, the HTTP functions, each timer); with CMG_MAX_CONCURRENCY it bounds the load on CMG (docs/deploy.md).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@allowed([
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Graph and Google push notifications on (WEBHOOK_BASE_URL set). Off: polling every UPDATE_INTERVAL only.')
param pushEnabled bool = true

@description('Public base URL of the webhooks when it is not the app\'s default host name (e.g. a custom domain). Empty: https://<default host name>.')
param webhookBaseUrl string = ''

@description('Resource id of the subnet (delegated to Microsoft.App/environments) for VNet integration. Empty: none.')
param virtualNetworkSubnetId string = ''

// The storage account created by storage.bicep
resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

// The Application Insights component created by monitoring.bicep
resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Flex Consumption plan (FC1, Linux); one app per plan
resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

// The function app; azd finds it by the azd-service-name tag
resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with the user-assigned identity (there is no system identity)
    keyVaultReferenceIdentity: identityId
    // VNet integration: outbound traffic goes through the VNet (and its NAT gateway, if any)
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }

  // App settings: program settings + platform wiring (this resource replaces the whole set)
  resource settings 'config' = {
    name: 'appsettings'
    properties: union(appSettings, platformSettings, {
      WEBHOOK_BASE_URL: !pushEnabled ? '' : (empty(webhookBaseUrl) ? 'https://${functionApp.properties.defaultHostName}' : webhookBaseUrl)
    })
  }
}

// No FTP / SCM basic-auth publishing: azd deploys to Flex Consumption with an Entra ID token
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

// No basic-auth on the SCM (Kudu) endpoint either
resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

var platformSettings = {
  // Functions host storage through the identity (no connection string, no account key)
  AzureWebJobsStorage__accountName: storage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // Application Insights with Entra ID auth (the component has local auth disabled)
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identityClientId}'
  // Service Bus trigger binding (connection "ServiceBusConnection") and the app's own sender
  ServiceBusConnection__fullyQualifiedNamespace: serviceBusFullyQualifiedNamespace
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identityClientId
  SERVICE_BUS_QUEUE: serviceBusQueueName
  // Table Storage through the identity (the app's DefaultAzureCredential uses AZURE_CLIENT_ID)
  TABLES_ENDPOINT: storage.properties.primaryEndpoints.table
  AZURE_CLIENT_ID: identityClientId
  // The host refuses request bodies over 1 MiB (bytes) before buffering them: the webhooks' own cap
  // (functions/webhook-body.ts); no function takes more. The platform default is 100 MB.
  FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '1048576'
}

output name string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName
