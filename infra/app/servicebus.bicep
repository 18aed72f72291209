// Service Bus namespace and the `mailbox-sync` job queue (ARCHITECTURE.md "Messages").
// Standard tier by default: sessions and duplicate detection are not available on Basic;
// Premium (one messaging unit) when the namespace gets a private endpoint.
param name string
param location string
param tags { *: string } = {}
param queueName string

@description('Standard, or Premium (needed for private endpoints).')
@allowed([
  'Standard'
  'Premium'
])
param sku string = 'Standard'

@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string = 'Enabled'

@description('Duplicate detection window (ISO 8601). Must cover the longest gap between two sends of the same message id: notification ids use 10-second buckets, schedule ids the interval start, so a dispatch run repeated within one UPDATE_INTERVAL is collapsed. PT1H covers UPDATE_INTERVAL up to 1 hour; raise it with UPDATE_INTERVAL.')
param duplicateDetectionHistoryTimeWindow string = 'PT1H'

@description('Peek-lock (and session lock) duration; the host renews it (host.json maxAutoLockRenewalDuration must be longer).')
param lockDuration string = 'PT1M'

@description('Redeliveries after a crash or abandon before the broker dead-letters a job. Job retries after handled failures are new scheduled messages (JOB_MAX_ATTEMPTS), not redeliveries.')
@minValue(1)
@maxValue(100)
param maxDeliveryCount int = 10

@description('A job not received within this time is stale (the next dispatch enqueues a fresh one); it is dead-lettered so that the loss is visible.')
param defaultMessageTimeToLive string = 'P1D'

// Service Bus namespace, Entra ID only (SAS keys disabled)
resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
    tier: sku
    capacity: sku == 'Premium' ? 1 : null
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: publicNetworkAccess
  }
}

// The mailbox job queue: one session per mailbox key, duplicate detection on message id
resource queue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: queueName
  properties: {
    requiresSession: true
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: duplicateDetectionHistoryTimeWindow
    lockDuration: lockDuration
    maxDeliveryCount: maxDeliveryCount
    defaultMessageTimeToLive: defaultMessageTimeToLive
    deadLetteringOnMessageExpiration: true
    enablePartitioning: false
    enableBatchedOperations: true
    maxSizeInMegabytes: 1024
  }
}

output namespaceName string = namespace.name
output queueName string = queue.name
// Host name for ServiceBusConnection__fullyQualifiedNamespace: serviceBusEndpoint is
// (e.g. https://sb-abc.servicebus.windows.net:443/; another suffix in sovereign clouds): keep the host only
output fullyQualifiedNamespace string = split(split(namespace.properties.serviceBusEndpoint, '/')[2], ':')[0]
