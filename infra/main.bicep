// cmg-calendar-sync: one deployment per CMG system (customer). `azd up` provisions this and deploys
// the function app (service `api` in azure.yaml). Every program setting of shared/config is a
// parameter here with the schema's default; test/infra checks that they stay in step.
targetScope = 'subscription'

// ---------------------------------------------------------------------------------------------
// Deployment
// ---------------------------------------------------------------------------------------------

@minLength(1)
@maxLength(64)
@description('azd environment name (one per customer and stage, e.g. contoso-prod); part of every resource name.')
param environmentName string

@minLength(1)
@description('Region for all resources; must offer the Flex Consumption plan (az functionapp list-flexconsumption-locations).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Resource group name. Empty: rg-<environmentName>.')
param resourceGroupName string = ''

@description('Service Bus queue of mailbox jobs (SERVICE_BUS_QUEUE).')
param serviceBusQueueName string = 'mailbox-sync'

@description('Duplicate detection window of the job queue; see app/servicebus.bicep. Keep it at least UPDATE_INTERVAL.')
param duplicateDetectionHistoryTimeWindow string = 'PT1H'

@description('Purge protection on the Key Vault (recommended for production).')
param keyVaultPurgeProtection bool = true

@description('Object id of a user or group allowed to set and rotate the secrets in the vault (Key Vault Secrets Officer). Empty: none.')
param secretsOperatorPrincipalId string = ''

@allowed([
  'User'
  'Group'
])
param secretsOperatorPrincipalType string = 'Group'

@description('Upper bound of function app instances (Flex Consumption maximumInstanceCount).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Graph and Google push notifications (WEBHOOK_BASE_URL). false: polling only.')
param pushEnabled bool = true

@description('Public webhook base URL when not https://<app default host name> (e.g. a custom domain).')
param webhookBaseUrl string = ''

// ---------------------------------------------------------------------------------------------
// Secrets: optional here. Prefer `az keyvault secret set` (docs/deploy.md); a value given here is
// written as a new secret version on every provision that passes it.
// ---------------------------------------------------------------------------------------------

@secure()
@description('CMG HTTP interface password (CMG_PASSWORD). Empty: keep or set the vault secret yourself.')
param cmgPassword string = ''

@secure()
@description('Graph client secret (PROFILE_M365_CLIENT_SECRET) when graphCredentialType is secret.')
param graphClientSecret string = ''

@secure()
@description('Graph certificate private key, PEM (PROFILE_M365_CERTIFICATE) when graphCredentialType is certificate.')
param graphCertificatePem string = ''

@secure()
@description('Google service account JSON key (PROFILE_GWS_SERVICE_ACCOUNT_KEY) when googleDomains is set.')
param googleServiceAccountKey string = ''

// ---------------------------------------------------------------------------------------------
// CMG connection (CMG-INTERFACE.md)
// ---------------------------------------------------------------------------------------------

@minLength(1)
@description('CMG_BASE_URL: CMG base URL with protocol, server and virtual path, e.g. https://cmg.example.com/CMG Office.')
param cmgBaseUrl string

@description('CMG_APPLICATION: CMG destination (application) name, the Basic auth user.')
param cmgApplication string = 'EXCHANGE'

@minLength(1)
@description('CMG_MESSAGE_SYSTEMS: CMG message system ids, comma-separated, at least one (e.g. 1,3,4).')
param cmgMessageSystems string

@minValue(100)
@maxValue(120000)
param cmgTimeoutMs int = 10000

@minValue(1)
@maxValue(64)
param cmgMaxConcurrency int = 8

@minValue(0)
@maxValue(10)
param cmgMaxRetries int = 4

@description('CMG_CODES_REFRESH: how long the CMG code list is cached (duration).')
param cmgCodesRefresh string = '1h'

// ---------------------------------------------------------------------------------------------
// Connection profiles: M365 (Microsoft Graph, always) and GWS (Google Workspace, optional)
// ---------------------------------------------------------------------------------------------

@minLength(1)
@description('PROFILE_M365_DOMAINS: mail domains served by Microsoft 365, comma-separated.')
param graphDomains string

@minLength(1)
@description('PROFILE_M365_TENANT_ID: Entra ID tenant id (GUID or domain).')
param graphTenantId string

@minLength(1)
@description('PROFILE_M365_CLIENT_ID: application (client) id of the app registration.')
param graphClientId string

@description('Which Graph credential the app uses: certificate (preferred) or secret.')
@allowed([
  'certificate'
  'secret'
])
param graphCredentialType string = 'certificate'

@description('PROFILE_M365_CERTIFICATE_THUMBPRINT: SHA-1 thumbprint (hex) of the app certificate; required with a certificate.')
param graphCertificateThumbprint string = ''

@description('PROFILE_M365_AUTHORITY_HOST: Entra ID authority host (sovereign clouds differ).')
param graphAuthorityHost string = 'https://login.microsoftonline.com'

@description('PROFILE_M365_GRAPH_ENDPOINT: Graph API endpoint (sovereign clouds differ).')
param graphEndpoint string = 'https://graph.microsoft.com'

@description('PROFILE_M365_RESOLVE_ADDRESSES: find mailboxes by mail or proxy address in the directory (UPN is not the mail address); needs User.Read.All.')
param graphResolveAddresses bool = false

@description('PROFILE_GWS_DOMAINS: mail domains served by Google Workspace. Empty: no Google profile.')
param googleDomains string = ''

@description('PROFILE_GWS_SCOPE: read-only scope granted by domain-wide delegation.')
@allowed([
  'https://www.googleapis.com/auth/calendar.readonly'
  'https://www.googleapis.com/auth/calendar.events.readonly'
])
param googleScope string = 'https://www.googleapis.com/auth/calendar.readonly'

@description('PROFILE_GWS_TOKEN_URL: Google OAuth token endpoint.')
param googleTokenUrl string = 'https://oauth2.googleapis.com/token'

@description('PROFILE_GWS_API_ROOT: Google Calendar API root.')
param googleApiRoot string = 'https://www.googleapis.com'

// ---------------------------------------------------------------------------------------------
// Mapping (MAPPING.md)
// ---------------------------------------------------------------------------------------------

@minValue(0)
@maxValue(744)
param calendarLookbackHours int = 24

@minValue(1)
@maxValue(366)
param calendarViewDays int = 14

param syncFree bool = false
param syncTentative bool = true
param syncWorkingElsewhere bool = false
param syncAutomaticReplies bool = true

@minLength(1)
@description('OOF_CODE: CMG code for out-of-office events and automatic replies.')
param oofCode string

@description('DEFAULT_CODE: CMG code when nothing matches. Required unless syncOnlyMatched.')
param defaultCode string = ''

@description('CATEGORY_CODES: category name to CMG code, e.g. {"Vacation": "5"}.')
param categoryCodes object = {}

@description('CODE_ALIASES: language-independent alias to CMG code.')
param codeAliases object = {}

@description('CODE_LANGUAGES: languages whose code descriptions are matched, comma-separated; empty: the user\'s CMG language.')
param codeLanguages string = ''

param codeOnlyAliases bool = false

@description('CODE_MATCH_FIELDS: event fields used for code matching (category, subject).')
param codeMatchFields string = 'category,subject'

param syncOnlyMatched bool = false

@maxLength(8)
param forwardPrefix string = '*'

@maxLength(8)
param notForwardPrefix string = '#'

param maskPrivate bool = true

@maxLength(255)
param privateSubject string = 'Private appointment'

@maxLength(255)
param privateLocation string = ''

@minValue(0)
@maxValue(23)
param allDayStartOffsetHours int = 0

param allDayEndAtMidnight bool = true

@minValue(1)
@maxValue(255)
param cmgTextMax int = 255

param textAppendLocation bool = false
param cmgInConference bool = false

@minLength(1)
@maxLength(32)
param cmgSign string = 'Calendar'

// ---------------------------------------------------------------------------------------------
// Who is synced and when, retries, push, logging
// ---------------------------------------------------------------------------------------------

@description('UPDATE_INTERVAL: every mailbox is synced at least this often (duration, at least 1m).')
param updateInterval string = '15m'

@description('ROSTER_PERIOD: how often the CMG roster is refreshed (duration, at least 1m).')
param rosterPeriod string = '30m'

param rosterInitialDelay string = '0s'

@description('TEST_MAIL_ADDRESSES: when set, only these addresses are synced; semicolon-separated.')
param testMailAddresses string = ''

@description('EXCLUDED_MAIL_ADDRESSES: addresses never synced; semicolon-separated.')
param excludedMailAddresses string = ''

@description('MAX_BOXES: at most this many mailboxes are active. Empty: no limit.')
param maxBoxes string = ''

@description('SUBSCRIBE_OFF_START / _END: quiet period without provider requests (hh:mm), both or neither.')
param subscribeOffStart string = ''
param subscribeOffEnd string = ''
param subscribeOffTimezone string = 'UTC'
param defaultTimeZone string = 'UTC'

@minValue(100)
@maxValue(300000)
param providerTimeoutMs int = 30000

@minValue(0)
@maxValue(10)
param providerMaxRetries int = 3

@minValue(1)
@maxValue(50)
param jobMaxAttempts int = 8

param jobRetryBase string = '30s'
param jobRetryMax string = '30m'

@minValue(1)
@maxValue(32)
param cmgApplyConcurrency int = 4

@minValue(45)
@maxValue(10080)
param graphSubscriptionMinutes int = 10080

param googleChannelTtl string = '7d'
param subscriptionRenewMargin string = '24h'

@allowed([
  'debug'
  'info'
  'warn'
  'error'
])
param logLevel string = 'info'

param adminPage bool = true

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

var abbrs = loadJsonContent('./abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = '${abbrs.webSitesFunctions}api-${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'
var keyVaultName = take('${abbrs.keyVaultVaults}${resourceToken}', 24)
var googleEnabled = !empty(googleDomains)

// Key Vault secret names (the app settings reference their latest version)
var cmgPasswordSecretName = 'cmg-password'
var graphClientSecretName = 'm365-client-secret'
var graphCertificateSecretName = 'm365-certificate'
var googleServiceAccountKeySecretName = 'gws-service-account-key'

// Versionless references: a new secret version is picked up without a redeploy (docs/provider-setup.md)
var cmgPasswordReference = '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.uri}secrets/${cmgPasswordSecretName}/)'
var graphClientSecretReference = '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.uri}secrets/${graphClientSecretName}/)'
var graphCertificateReference = '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.uri}secrets/${graphCertificateSecretName}/)'
var googleServiceAccountKeyReference = '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.uri}secrets/${googleServiceAccountKeySecretName}/)'

// ---------------------------------------------------------------------------------------------
// Program settings (shared/config), by setting name
// ---------------------------------------------------------------------------------------------

var mappingSettings = {
  CALENDAR_LOOKBACK_HOURS: string(calendarLookbackHours)
  CALENDAR_VIEW_DAYS: string(calendarViewDays)
  SYNC_FREE: syncFree ? 'true' : 'false'
  SYNC_TENTATIVE: syncTentative ? 'true' : 'false'
  SYNC_WORKING_ELSEWHERE: syncWorkingElsewhere ? 'true' : 'false'
  SYNC_AUTOMATIC_REPLIES: syncAutomaticReplies ? 'true' : 'false'
  OOF_CODE: oofCode
  DEFAULT_CODE: defaultCode
  CATEGORY_CODES: string(categoryCodes)
  CODE_ALIASES: string(codeAliases)
  CODE_LANGUAGES: codeLanguages
  CODE_ONLY_ALIASES: codeOnlyAliases ? 'true' : 'false'
  CODE_MATCH_FIELDS: codeMatchFields
  SYNC_ONLY_MATCHED: syncOnlyMatched ? 'true' : 'false'
  FORWARD_PREFIX: forwardPrefix
  NOT_FORWARD_PREFIX: notForwardPrefix
  MASK_PRIVATE: maskPrivate ? 'true' : 'false'
  PRIVATE_SUBJECT: privateSubject
  PRIVATE_LOCATION: privateLocation
  ALL_DAY_START_OFFSET_HOURS: string(allDayStartOffsetHours)
  ALL_DAY_END_AT_MIDNIGHT: allDayEndAtMidnight ? 'true' : 'false'
  CMG_TEXT_MAX: string(cmgTextMax)
  TEXT_APPEND_LOCATION: textAppendLocation ? 'true' : 'false'
  CMG_IN_CONFERENCE: cmgInConference ? 'true' : 'false'
  CMG_SIGN: cmgSign
}

var cmgSettings = {
  CMG_BASE_URL: cmgBaseUrl
  CMG_APPLICATION: cmgApplication
  CMG_PASSWORD: cmgPasswordReference
  CMG_MESSAGE_SYSTEMS: cmgMessageSystems
  CMG_TIMEOUT_MS: string(cmgTimeoutMs)
  CMG_MAX_CONCURRENCY: string(cmgMaxConcurrency)
  CMG_MAX_RETRIES: string(cmgMaxRetries)
  CMG_CODES_REFRESH: cmgCodesRefresh
}

var syncSettings = {
  UPDATE_INTERVAL: updateInterval
  ROSTER_PERIOD: rosterPeriod
  ROSTER_INITIAL_DELAY: rosterInitialDelay
  TEST_MAIL_ADDRESSES: testMailAddresses
  EXCLUDED_MAIL_ADDRESSES: excludedMailAddresses
  MAX_BOXES: maxBoxes
  SUBSCRIBE_OFF_START: subscribeOffStart
  SUBSCRIBE_OFF_END: subscribeOffEnd
  SUBSCRIBE_OFF_TIMEZONE: subscribeOffTimezone
  DEFAULT_TIME_ZONE: defaultTimeZone
  PROVIDER_TIMEOUT_MS: string(providerTimeoutMs)
  PROVIDER_MAX_RETRIES: string(providerMaxRetries)
  JOB_MAX_ATTEMPTS: string(jobMaxAttempts)
  JOB_RETRY_BASE: jobRetryBase
  JOB_RETRY_MAX: jobRetryMax
  CMG_APPLY_CONCURRENCY: string(cmgApplyConcurrency)
}

// WEBHOOK_BASE_URL is set in app/api.bicep (it needs the app's host name)
var pushSettings = {
  GRAPH_SUBSCRIPTION_MINUTES: string(graphSubscriptionMinutes)
  GOOGLE_CHANNEL_TTL: googleChannelTtl
  SUBSCRIPTION_RENEW_MARGIN: subscriptionRenewMargin
}

// The platform settings (tables, Service Bus, identity) are set in app/api.bicep
var runtimeSettings = {
  LOG_LEVEL: logLevel
  ADMIN_PAGE: adminPage ? 'true' : 'false'
}

var graphProfileSettings = {
  PROFILES: googleEnabled ? 'M365,GWS' : 'M365'
  PROFILE_M365_KIND: 'graph'
  PROFILE_M365_DOMAINS: graphDomains
  PROFILE_M365_TENANT_ID: graphTenantId
  PROFILE_M365_CLIENT_ID: graphClientId
  PROFILE_M365_AUTHORITY_HOST: graphAuthorityHost
  PROFILE_M365_GRAPH_ENDPOINT: graphEndpoint
  PROFILE_M365_RESOLVE_ADDRESSES: graphResolveAddresses ? 'true' : 'false'
}

// Only the credential in use is referenced: an unresolvable reference would reach the app as text
var graphCredentialSettings = graphCredentialType == 'certificate' ? {
  PROFILE_M365_CERTIFICATE: graphCertificateReference
  PROFILE_M365_CERTIFICATE_THUMBPRINT: graphCertificateThumbprint
} : {
  PROFILE_M365_CLIENT_SECRET: graphClientSecretReference
}

var googleProfileSettings = googleEnabled ? {
  PROFILE_GWS_KIND: 'google'
  PROFILE_GWS_DOMAINS: googleDomains
  PROFILE_GWS_SERVICE_ACCOUNT_KEY: googleServiceAccountKeyReference
  PROFILE_GWS_SCOPE: googleScope
  PROFILE_GWS_TOKEN_URL: googleTokenUrl
  PROFILE_GWS_API_ROOT: googleApiRoot
} : {}

var programSettings = union(mappingSettings, cmgSettings, syncSettings, pushSettings, runtimeSettings, graphProfileSettings, graphCredentialSettings, googleProfileSettings)

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------

// Resource group of this customer's deployment
resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

// User-assigned identity of the function app
module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: tags
  }
}

// Log Analytics + Application Insights
module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

// Storage account: host storage, deployment package, tables
module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
  }
}

// Service Bus namespace + mailbox-sync queue
module serviceBus 'app/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: {
    name: '${abbrs.serviceBusNamespaces}${resourceToken}'
    location: location
    tags: tags
    queueName: serviceBusQueueName
    duplicateDetectionHistoryTimeWindow: duplicateDetectionHistoryTimeWindow
  }
}

// Key Vault with the secrets given as parameters
module keyVault 'app/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: keyVaultName
    location: location
    tags: tags
    enablePurgeProtection: keyVaultPurgeProtection
    cmgPasswordSecretName: cmgPasswordSecretName
    graphClientSecretName: graphClientSecretName
    graphCertificateSecretName: graphCertificateSecretName
    googleServiceAccountKeySecretName: googleServiceAccountKeySecretName
    cmgPassword: cmgPassword
    graphClientSecret: graphClientSecret
    graphCertificatePem: graphCertificatePem
    googleServiceAccountKey: googleServiceAccountKey
  }
}

// Role assignments of the identity (before the app starts resolving references and triggers)
module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.namespaceName
    serviceBusQueueName: serviceBus.outputs.queueName
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    secretsOperatorPrincipalId: secretsOperatorPrincipalId
    secretsOperatorPrincipalType: secretsOperatorPrincipalType
  }
}

// Flex Consumption plan + function app + app settings
module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  dependsOn: [
    rbac
  ]
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    serviceName: 'api'
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    serviceBusQueueName: serviceBus.outputs.queueName
    appSettings: programSettings
    maximumInstanceCount: maximumInstanceCount
    pushEnabled: pushEnabled
    webhookBaseUrl: webhookBaseUrl
  }
}

// ---------------------------------------------------------------------------------------------
// Outputs (azd stores them in .azure/<environment>/.env)
// ---------------------------------------------------------------------------------------------

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output SERVICE_API_NAME string = api.outputs.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output WEBHOOK_BASE_URL string = pushEnabled ? (empty(webhookBaseUrl) ? 'https://${api.outputs.defaultHostName}' : webhookBaseUrl) : ''
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output SERVICE_BUS_NAMESPACE string = serviceBus.outputs.namespaceName
output SERVICE_BUS_QUEUE string = serviceBus.outputs.queueName
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
