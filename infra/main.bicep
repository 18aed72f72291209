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
#disable-next-line secure-secrets-in-params // an object id, not a secret: "secrets" names what the principal may manage
param secretsOperatorPrincipalId string = ''

@allowed([
  'User'
  'Group'
])
#disable-next-line secure-secrets-in-params // User or Group, not a secret
param secretsOperatorPrincipalType string = 'Group'

@description('Flex Consumption maximumInstanceCount: the most on-demand instances of EACH function group (mailbox-sync, the HTTP functions, each timer), not of the whole app. Bounds the load on CMG (docs/deploy.md "Load on CMG").')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Node.js major version of the worker in Azure. Local runs need Node 20 or later (package.json engines).')
@allowed([
  '22'
  '20'
])
param nodeVersion string = '22'

@description('true: recover the soft-deleted vault of an earlier deployment of this environment (createMode recover) instead of creating it; see docs/deploy.md "Re-creating an environment".')
param keyVaultRecover bool = false

@description('Graph and Google push notifications (WEBHOOK_BASE_URL). false: polling only.')
param pushEnabled bool = true

@description('Public webhook base URL when not https://<app default host name> (e.g. a custom domain).')
param webhookBaseUrl string = ''

// ---------------------------------------------------------------------------------------------
// Network (docs/deploy.md "Network"): how the app reaches CMG, and what it reaches privately
// ---------------------------------------------------------------------------------------------

@description('VNet integration of the function app: none (public outbound), new (a VNet made here, with a NAT gateway), or existing (a subnet of the customer\'s VNet, delegated to Microsoft.App/environments).')
@allowed([
  'none'
  'new'
  'existing'
])
param virtualNetwork string = 'none'

@description('Address space of the new VNet (virtualNetwork new); must not overlap the networks it is peered or connected with.')
param vnetAddressPrefix string = '10.40.0.0/16'

@description('Subnet of the function app in the new VNet; delegated to Microsoft.App/environments.')
param appSubnetPrefix string = '10.40.0.0/24'

@description('Subnet of the private endpoints in the new VNet.')
param privateEndpointSubnetPrefix string = '10.40.1.0/24'

@description('virtualNetwork existing: resource id of the app subnet (delegated to Microsoft.App/environments, used by nothing else).')
param existingAppSubnetId string = ''

@description('virtualNetwork existing with privateEndpoints: resource id of the subnet for the private endpoints.')
param existingPrivateEndpointSubnetId string = ''

@description('virtualNetwork new: a NAT gateway with one static public IP for all outbound traffic (output OUTBOUND_IP, for the CMG firewall).')
param natGateway bool = true

@description('Private endpoints and private DNS zones for Storage (blob, queue, table), Key Vault and, with serviceBusSku Premium, Service Bus. Needs virtualNetwork new or existing.')
param privateEndpoints bool = false

@description('Public network access of Storage, Key Vault and Service Bus. Disabled only with privateEndpoints; then deploy and set secrets from inside the network.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string = 'Enabled'

@description('Service Bus tier. Private endpoints for Service Bus need Premium; Standard is reached over the public endpoint (through the NAT gateway when integrated).')
@allowed([
  'Standard'
  'Premium'
])
param serviceBusSku string = 'Standard'

// Refused before anything is deployed: a Standard namespace takes no private endpoint, so with
// public network access off the app could not reach its job queue
var serviceBusSkuRefusal = 'publicNetworkAccess Disabled needs serviceBusSku Premium: a Standard Service Bus namespace has no private endpoint, so the app could not reach its job queue. Set serviceBusSku to Premium (SERVICE_BUS_SKU) or publicNetworkAccess to Enabled (PUBLIC_NETWORK_ACCESS).'
var checkedServiceBusSku = publicNetworkAccess == 'Disabled' && serviceBusSku != 'Premium' ? fail(serviceBusSkuRefusal) : serviceBusSku

// ---------------------------------------------------------------------------------------------
// Secrets: optional here. Prefer `az keyvault secret set` (docs/deploy.md); a value given here is
// written as a new secret version on every provision that passes it.
// ---------------------------------------------------------------------------------------------

// An object, not a list of {name, value}: @secure() takes strings and objects only (BCP124)
@secure()
@description('Secrets for a one-shot deployment, {"<Key Vault secret name>": "<value>"} with the names cmg-password, <profile>-certificate, <profile>-client-secret, <profile>-service-account-key, <profile>-password, <profile>-ca-certificate, cmg-ca-certificate. Empty: set the secrets with az keyvault secret set.')
param secretValues { *: string } = {}

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

@description('true: CMG_CA_CERTIFICATE is the vault secret cmg-ca-certificate (PEM bundle of the internal CA that signed the CMG certificate), trusted besides the public roots.')
param cmgCaCertificate bool = false

// ---------------------------------------------------------------------------------------------
// Connection profiles (PROFILES, PROFILE_<NAME>_*): any number, Microsoft 365, Google and Exchange Server
// ---------------------------------------------------------------------------------------------

// App settings by name: every value a string, as the app reads its environment
type settingMap = { *: string }

// One connection profile; the optional fields fall back to the app's defaults (docs/settings.md)
type connectionProfile = {
  // Profile name: a letter, then letters, digits or _ (settings PROFILE_<NAME>_*, secrets <name>-*)
  name: string
  kind: 'graph' | 'google' | 'exchange'
  // Mail domains, comma-separated
  domains: string
  // graph: Entra ID tenant id and application (client) id
  tenantId: string?
  clientId: string?
  // graph: which credential is referenced (default certificate)
  credential: ('certificate' | 'secret')?
  // graph with a certificate: SHA-1 thumbprint (hex)
  certificateThumbprint: string?
  // graph: sovereign clouds differ
  authorityHost: string?
  graphEndpoint: string?
  // graph: find mailboxes by mail or proxy address when the UPN is not the mail address; needs User.Read.All
  resolveAddresses: bool?
  // google: read-only scope granted by domain-wide delegation
  scope: ('https://www.googleapis.com/auth/calendar.readonly' | 'https://www.googleapis.com/auth/calendar.events.readonly')?
  tokenUrl: string?
  apiRoot: string?
  // exchange: the EWS endpoint, https://<server>/EWS/Exchange.asmx; the service account, DOMAIN\user or
  // user@domain (its password is the secret <name>-password)
  ewsUrl: string?
  userName: string?
  // exchange: as enabled on the EWS virtual directory (default ntlm)
  authentication: ('ntlm' | 'basic')?
  // exchange: ApplicationImpersonation (default) or folder permissions (no automatic replies)
  access: ('impersonation' | 'delegate')?
  // exchange: false when Exchange cannot reach the webhook: its mailboxes are polled (default true;
  // a delegate profile is always polled: Exchange refuses subscriptions to delegates)
  push: bool?
  // exchange: per-request timeout (default PROVIDER_TIMEOUT_MS)
  @minValue(100)
  @maxValue(300000)
  timeoutMs: int?
  // exchange: concurrent requests per instance, below Exchange's EWSMaxConcurrency of 27 (default 10)
  @minValue(1)
  @maxValue(27)
  maxConnections: int?
  // exchange: true when the EWS server's certificate comes from an internal CA, the secret <name>-ca-certificate
  caCertificate: bool?
}

@minLength(1)
@description('Connection profiles in failover order (PROFILES). Microsoft 365: {name, kind: graph, domains, tenantId, clientId, credential, certificateThumbprint}; Google: {name, kind: google, domains, scope}; Exchange Server: {name, kind: exchange, domains, ewsUrl, userName, access, push}. See docs/provider-setup.md.')
param profiles connectionProfile[]

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
@description('Send invitations the owner has not answered; their subject never picks the code nor forces forwarding.')
param syncUnanswered bool = true
param syncWorkingElsewhere bool = false
param syncAutomaticReplies bool = true

@minLength(1)
@description('OOF_CODE: CMG code for out-of-office events and automatic replies.')
param oofCode string

@description('DEFAULT_CODE: CMG code when nothing matches. Required unless syncOnlyMatched.')
param defaultCode string = ''

@description('CATEGORY_CODES: category name to CMG code, e.g. {"Vacation": "5"}.')
param categoryCodes { *: string } = {}

@description('CODE_ALIASES: language-independent alias to CMG code.')
param codeAliases { *: string } = {}

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

@description('Mailboxes of one profile refused alike within circuitWindow that open the profile circuit.')
@minValue(2)
@maxValue(1000)
param circuitRefusals int = 5

param circuitWindow string = '10m'
param circuitProbeInterval string = '10m'
param invalidAfter string = '6h'
param invalidReprobe string = '1h'

@minValue(45)
@maxValue(10080)
param graphSubscriptionMinutes int = 10080

param googleChannelTtl string = '7d'
param subscriptionRenewMargin string = '24h'

@description('EXCHANGE_POLL_INTERVAL: how often the mailboxes of exchange profiles without push are asked for changes (duration, at least 1m).')
param exchangePollInterval string = '1m'

@description('EXCHANGE_STATUS_FREQUENCY: minutes between the keep-alives of an Exchange push subscription; one silent for twice this is created anew.')
@minValue(1)
@maxValue(1440)
param exchangeStatusFrequency int = 30

@description('Notifications for one mailbox within this window (ms) become one job: shorter reaches CMG sooner, longer saves requests on busy calendars.')
@minValue(50)
@maxValue(60000)
param notificationWindowMs int = 250

@allowed([
  'debug'
  'info'
  'warn'
  'error'
])
param logLevel string = 'info'

// Where metrics and traces go (README "Telemetry"): auto = Application Insights, set up below
@allowed([
  'auto'
  'azure-monitor'
  'console'
  'off'
])
param telemetry string = 'auto'

param adminPage bool = true

// ---------------------------------------------------------------------------------------------
// Alerts (app/alerts.bicep, docs/operations.md)
// ---------------------------------------------------------------------------------------------

@description('Where the alerts are emailed: one address or several, comma-separated. Empty: no email; fired alerts still show in the portal (Monitor > Alerts).')
param alertEmail string = ''

@description('More than this percentage of synced mailboxes failing fires an alert.')
@minValue(1)
@maxValue(100)
param failingMailboxesAlertPercent int = 5

@description('More accepted notifications than this for one Graph subscription or Google channel within 5 minutes fires an alert (a replay flood; docs/operations.md).')
@minValue(100)
param notificationFloodAlertThreshold int = 1000

// ---------------------------------------------------------------------------------------------
// Admin sign-in: the admin app registration and its app roles (docs/provider-setup.md)
// ---------------------------------------------------------------------------------------------

@description('Application (client) id of the admin app registration with the app roles CalendarSync.Reader and CalendarSync.Operator. Empty: the admin API admits nobody.')
param adminClientId string = ''

@description('Tenant of the admin app registration. Empty: the tenant deployed to.')
param adminTenantId string = ''

@description('Entra ID authority host of that tenant. Empty: the one of the cloud deployed to (https://login.microsoftonline.com in the public cloud).')
param adminAuthority string = ''

// Both ids or neither: the program refuses one without the other
var adminSettings = empty(adminClientId) ? {} : {
  ADMIN_TENANT_ID: empty(adminTenantId) ? tenant().tenantId : adminTenantId
  ADMIN_CLIENT_ID: adminClientId
  ADMIN_AUTHORITY: empty(adminAuthority) ? cloudAuthority : adminAuthority
}
// The cloud's Entra ID authority host, without the trailing / that the app would double
var loginEndpoint = environment().authentication.loginEndpoint
var cloudAuthority = endsWith(loginEndpoint, '/') ? take(loginEndpoint, length(loginEndpoint) - 1) : loginEndpoint

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
// The vault's URI, known before the vault exists (the profile settings are built from it in a lambda)
var keyVaultUri = 'https://${keyVaultName}${environment().suffixes.keyvaultDns}/'

// Key Vault secrets the app settings reference (versionless: a new version is picked up without a
// redeploy, docs/provider-setup.md); profile secrets are <profile name>-<suffix>, e.g. m365-certificate
var cmgPasswordReference = secretReference(keyVaultUri, 'cmg-password')
var cmgCaCertificateReference = secretReference(keyVaultUri, 'cmg-ca-certificate')

// Network
var vnetIntegrated = virtualNetwork != 'none'
var withPrivateEndpoints = vnetIntegrated && privateEndpoints

// ---------------------------------------------------------------------------------------------
// Program settings (shared/config), by setting name
// ---------------------------------------------------------------------------------------------

var mappingSettings = {
  CALENDAR_LOOKBACK_HOURS: string(calendarLookbackHours)
  CALENDAR_VIEW_DAYS: string(calendarViewDays)
  SYNC_FREE: syncFree ? 'true' : 'false'
  SYNC_TENTATIVE: syncTentative ? 'true' : 'false'
  SYNC_UNANSWERED: syncUnanswered ? 'true' : 'false'
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
  CMG_CA_CERTIFICATE: cmgCaCertificate ? cmgCaCertificateReference : ''
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
  CIRCUIT_REFUSALS: string(circuitRefusals)
  CIRCUIT_WINDOW: circuitWindow
  CIRCUIT_PROBE_INTERVAL: circuitProbeInterval
  INVALID_AFTER: invalidAfter
  INVALID_REPROBE: invalidReprobe
}

// WEBHOOK_BASE_URL is set in app/api.bicep (it needs the app's host name)
var pushSettings = {
  GRAPH_SUBSCRIPTION_MINUTES: string(graphSubscriptionMinutes)
  GOOGLE_CHANNEL_TTL: googleChannelTtl
  SUBSCRIPTION_RENEW_MARGIN: subscriptionRenewMargin
  EXCHANGE_POLL_INTERVAL: exchangePollInterval
  EXCHANGE_STATUS_FREQUENCY: string(exchangeStatusFrequency)
  NOTIFICATION_WINDOW_MS: string(notificationWindowMs)
}

// The platform settings (tables, Service Bus, identity) are set in app/api.bicep
var runtimeSettings = {
  LOG_LEVEL: logLevel
  // Metrics and traces; APPLICATIONINSIGHTS_CONNECTION_STRING is set in app/api.bicep
  TELEMETRY: telemetry
  ADMIN_PAGE: adminPage ? 'true' : 'false'
}

var profileListSettings = {
  PROFILES: join(map(profiles, (p) => (p.name)), ',')
}

// PROFILE_<NAME>_* of every profile (func profileSettings below)
var profileAppSettings = reduce(profiles, {}, (all, p) => union(all, profileSettings(p, keyVaultUri)))

var programSettings = union(mappingSettings, cmgSettings, syncSettings, pushSettings, runtimeSettings, profileListSettings, profileAppSettings, adminSettings)

// ---------------------------------------------------------------------------------------------
// Profile settings, as profile-settings.ts readProfiles reads them
// ---------------------------------------------------------------------------------------------

@description('Versionless Key Vault reference to a secret.')
func secretReference(vaultUri string, secretName string) string => '@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/${secretName}/)'

@description('Key Vault secret name of a profile secret: <profile name, lower case, _ as ->-<suffix>.')
func profileSecretName(profileName string, suffix string) string => '${toLower(replace(profileName, '_', '-'))}-${suffix}'

@description('The PROFILE_<NAME>_* settings of one profile; secrets as Key Vault references, only the credential in use (an unresolvable reference would reach the app as text).')
func profileSettings(p connectionProfile, vaultUri string) settingMap => union({
  'PROFILE_${toUpper(p.name)}_KIND': p.kind
  'PROFILE_${toUpper(p.name)}_DOMAINS': p.domains
}, p.kind == 'graph' ? graphProfileSettings(p, vaultUri) : p.kind == 'google' ? googleProfileSettings(p, vaultUri) : exchangeProfileSettings(p, vaultUri))

@description('The Microsoft 365 (Graph) settings of a profile.')
func graphProfileSettings(p connectionProfile, vaultUri string) settingMap => union({
  'PROFILE_${toUpper(p.name)}_TENANT_ID': p.?tenantId ?? ''
  'PROFILE_${toUpper(p.name)}_CLIENT_ID': p.?clientId ?? ''
}, (p.?credential ?? 'certificate') == 'certificate' ? {
  'PROFILE_${toUpper(p.name)}_CERTIFICATE': secretReference(vaultUri, profileSecretName(p.name, 'certificate'))
  'PROFILE_${toUpper(p.name)}_CERTIFICATE_THUMBPRINT': p.?certificateThumbprint ?? ''
} : {
  'PROFILE_${toUpper(p.name)}_CLIENT_SECRET': secretReference(vaultUri, profileSecretName(p.name, 'client-secret'))
}, empty(p.?authorityHost ?? '') ? {} : {
  'PROFILE_${toUpper(p.name)}_AUTHORITY_HOST': p.?authorityHost
}, empty(p.?graphEndpoint ?? '') ? {} : {
  'PROFILE_${toUpper(p.name)}_GRAPH_ENDPOINT': p.?graphEndpoint
}, (p.?resolveAddresses ?? false) ? {
  'PROFILE_${toUpper(p.name)}_RESOLVE_ADDRESSES': 'true'
} : {})

@description('The Google Workspace settings of a profile.')
func googleProfileSettings(p connectionProfile, vaultUri string) settingMap => union({
  'PROFILE_${toUpper(p.name)}_SERVICE_ACCOUNT_KEY': secretReference(vaultUri, profileSecretName(p.name, 'service-account-key'))
}, empty(p.?scope ?? '') ? {} : {
  'PROFILE_${toUpper(p.name)}_SCOPE': p.?scope
}, empty(p.?tokenUrl ?? '') ? {} : {
  'PROFILE_${toUpper(p.name)}_TOKEN_URL': p.?tokenUrl
}, empty(p.?apiRoot ?? '') ? {} : {
  'PROFILE_${toUpper(p.name)}_API_ROOT': p.?apiRoot
})

@description('The Exchange Server (EWS) settings of a profile; the service account\'s password, and an internal CA if any, as Key Vault references.')
func exchangeProfileSettings(p connectionProfile, vaultUri string) settingMap => union({
  'PROFILE_${toUpper(p.name)}_EWS_URL': p.?ewsUrl ?? ''
  'PROFILE_${toUpper(p.name)}_USER_NAME': p.?userName ?? ''
  'PROFILE_${toUpper(p.name)}_PASSWORD': secretReference(vaultUri, profileSecretName(p.name, 'password'))
}, empty(p.?authentication ?? '') ? {} : {
  'PROFILE_${toUpper(p.name)}_AUTHENTICATION': p.?authentication
}, empty(p.?access ?? '') ? {} : {
  'PROFILE_${toUpper(p.name)}_ACCESS': p.?access
}, p.?push == null ? {} : {
  'PROFILE_${toUpper(p.name)}_PUSH': p.?push == true ? 'true' : 'false'
}, p.?timeoutMs == null ? {} : {
  'PROFILE_${toUpper(p.name)}_TIMEOUT_MS': string(p.?timeoutMs)
}, p.?maxConnections == null ? {} : {
  'PROFILE_${toUpper(p.name)}_MAX_CONNECTIONS': string(p.?maxConnections)
}, (p.?caCertificate ?? false) ? {
  'PROFILE_${toUpper(p.name)}_CA_CERTIFICATE': secretReference(vaultUri, profileSecretName(p.name, 'ca-certificate'))
} : {})

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
    publicNetworkAccess: publicNetworkAccess
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
    sku: checkedServiceBusSku
    publicNetworkAccess: publicNetworkAccess
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
    recover: keyVaultRecover
    publicNetworkAccess: publicNetworkAccess
  }
}

// The secrets given as parameters, if any (a new version of each)
module keyVaultSecrets 'app/keyvault-secrets.bicep' = if (!empty(secretValues)) {
  name: 'keyvault-secrets'
  scope: rg
  params: {
    vaultName: keyVault.outputs.name
    secretValues: secretValues
  }
}

// VNet integration subnet, NAT gateway (static outbound IP), private endpoint subnet
module network 'app/network.bicep' = if (vnetIntegrated) {
  name: 'network'
  scope: rg
  params: {
    name: resourceToken
    location: location
    tags: tags
    mode: virtualNetwork == 'existing' ? 'existing' : 'new'
    vnetAddressPrefix: vnetAddressPrefix
    appSubnetPrefix: appSubnetPrefix
    privateEndpointSubnetPrefix: privateEndpointSubnetPrefix
    existingAppSubnetId: existingAppSubnetId
    existingPrivateEndpointSubnetId: existingPrivateEndpointSubnetId
    natGateway: natGateway
  }
}

// Private endpoints + private DNS zones for Storage, Key Vault and (Premium) Service Bus
module privateLinks 'app/private-endpoints.bicep' = if (withPrivateEndpoints) {
  name: 'private-endpoints'
  scope: rg
  params: {
    name: resourceToken
    location: location
    tags: tags
    subnetId: network!.outputs.privateEndpointSubnetId
    virtualNetworkId: network!.outputs.virtualNetworkId
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    serviceBusNamespaceName: serviceBusSku == 'Premium' ? serviceBus.outputs.namespaceName : ''
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
    privateLinks
    keyVaultSecrets
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
    nodeVersion: nodeVersion
    maximumInstanceCount: maximumInstanceCount
    virtualNetworkSubnetId: vnetIntegrated ? network!.outputs.appSubnetId : ''
    pushEnabled: pushEnabled
    webhookBaseUrl: webhookBaseUrl
  }
}

// Alert rules on the app's metrics and the action group that emails them
module alerts 'app/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    name: resourceToken
    location: location
    tags: tags
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    alertEmail: alertEmail
    updateInterval: updateInterval
    subscribeOffStart: subscribeOffStart
    subscribeOffEnd: subscribeOffEnd
    subscribeOffTimezone: subscribeOffTimezone
    failingMailboxesPercent: failingMailboxesAlertPercent
    notificationFloodThreshold: notificationFloodAlertThreshold
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
// The static public IP of all outbound traffic (allow it in the CMG firewall); empty without a NAT gateway
output OUTBOUND_IP string = vnetIntegrated ? network!.outputs.natPublicIp : ''
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output SERVICE_BUS_NAMESPACE string = serviceBus.outputs.namespaceName
output SERVICE_BUS_QUEUE string = serviceBus.outputs.queueName
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
