// Alert rules on the app's metrics in Application Insights (customMetrics, one row per metric series
// and export interval, attributes in customDimensions; names from shared/observability/metric-names.ts,
// docs/metrics.md) and the action group they notify. docs/operations.md says, per rule, what it
// means and what to do.
param name string
param location string
param tags { *: string } = {}
param applicationInsightsName string

@description('Where the alerts are emailed: one address or several, comma-separated. Empty: no email; fired alerts still show in the portal (Monitor > Alerts).')
param alertEmail string = ''

@description('UPDATE_INTERVAL as the app reads it (90s, 15m, 1.5h, 1d; a bare number is minutes): no successful job for twice this long fires an alert.')
param updateInterval string

@description('SUBSCRIBE_OFF_START / _END (hh:mm, both or neither) and SUBSCRIBE_OFF_TIMEZONE: no job runs then, so the no-success alert waits.')
param subscribeOffStart string = ''
param subscribeOffEnd string = ''
param subscribeOffTimezone string = 'UTC'

@description('More than this percentage of synced mailboxes failing fires an alert.')
@minValue(1)
@maxValue(100)
param failingMailboxesPercent int = 5

@description('More accepted notifications than this for one Graph subscription or Google channel within 5 minutes fires an alert (a replay flood).')
@minValue(100)
param notificationFloodThreshold int = 1000

var emailAddresses = filter(map(split(alertEmail, ','), (address) => (trim(address))), (address) => (!empty(address)))
var emailReceivers = map(emailAddresses, (address, i) => ({
  name: 'email-${i + 1}'
  emailAddress: address
  useCommonAlertSchema: true
}))

// The setting's duration as a KQL timespan literal: the same units; a bare number is minutes
var compactInterval = replace(updateInterval, ' ', '')
var updateIntervalKql = contains('0123456789', last(compactInterval)) ? '${compactInterval}m' : compactInterval

var scopes = [
  applicationInsights.id
]
var actions = {
  actionGroups: [
    actionGroup.id
  ]
}

// The Application Insights the app sends its metrics to (app/monitoring.bicep)
resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Who is told: email receivers from alertEmail (none when it is empty)
resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${name}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'calsync'
    enabled: true
    emailReceivers: emailReceivers
  }
}

// A profile is failing: its circuit is open (its provider refuses mailboxes alike), one alert per profile
resource profileFailing 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-profile-failing-${name}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Calendar sync: a connection profile is failing'
    description: 'The profile\'s circuit is open: its calendar provider refuses our mailboxes alike (revoked consent or delegation, expired secret, changed RBAC scope). Jobs of the profile do not call it; CMG keeps what it holds. docs/operations.md, "A profile is failing".'
    severity: 1
    enabled: true
    scopes: scopes
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: '''
customMetrics
| where name == "calsync.circuits.open"
| extend profile = tostring(customDimensions.profile)
| project timestamp, profile, openCircuits = value
'''
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'openCircuits'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            {
              name: 'profile'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

// CMG refuses our credentials: any 401 or 403 from CMG
resource cmgCredentials 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-cmg-credentials-${name}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Calendar sync: CMG refuses our credentials'
    description: 'CMG answered 401 or 403: CMG_APPLICATION / CMG_PASSWORD are not accepted, or the application may not do this. Nothing reaches CMG until it is fixed. docs/operations.md, "CMG refuses our credentials".'
    severity: 1
    enabled: true
    scopes: scopes
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: '''
customMetrics
| where name == "calsync.cmg.credential_refusals"
| project timestamp, refusals = valueSum
'''
          timeAggregation: 'Total'
          metricMeasureColumn: 'refusals'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

// Dead-lettered jobs exist for 15 minutes: the gauge never fell to 0 within the window
resource deadLetters 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-dead-letters-${name}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Calendar sync: dead-lettered jobs for 15 minutes'
    description: 'Jobs gave up after JOB_MAX_ATTEMPTS (or a message could not be read) and are kept in the DeadLetters table. docs/operations.md, "Dead-lettered jobs".'
    severity: 2
    enabled: true
    scopes: scopes
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: '''
customMetrics
| where name == "calsync.dead_letters"
| project timestamp, deadLetters = value
'''
          timeAggregation: 'Minimum'
          metricMeasureColumn: 'deadLetters'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

// More than failingMailboxesPercent of the synced mailboxes (active + failing) are failing
resource failingMailboxes 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-failing-mailboxes-${name}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Calendar sync: more than ${failingMailboxesPercent} % of mailboxes failing'
    description: 'Many mailboxes used up their job attempts: a provider or CMG problem larger than one mailbox. docs/operations.md, "Mailboxes failing".'
    severity: 2
    enabled: true
    scopes: scopes
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          // The newest count of each state, then failing / (active + failing)
          query: '''
customMetrics
| where name == "calsync.mailboxes"
| extend state = tostring(customDimensions.state)
| summarize arg_max(timestamp, value) by state
| summarize timestamp = max(timestamp), failing = sumif(value, state == "failing"), synced = sumif(value, state in ("active", "failing"))
| where synced > 0
| project timestamp, failingPercent = 100.0 * failing / synced
'''
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'failingPercent'
          operator: 'GreaterThan'
          threshold: failingMailboxesPercent
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

// Subscription renewals fail in two of the last three runs of the subscriptions timer (every 10 minutes)
resource subscriptionRenewals 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-subscription-renewals-${name}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Calendar sync: subscription renewals fail'
    description: 'Graph subscriptions or Google channels could not be created or renewed: push lapses for those mailboxes when they expire (polling still runs). docs/operations.md, "Subscription renewals fail".'
    severity: 2
    enabled: true
    scopes: scopes
    evaluationFrequency: 'PT10M'
    windowSize: 'PT10M'
    criteria: {
      allOf: [
        {
          query: '''
customMetrics
| where name == "calsync.subscription.renewals"
| extend provider = tostring(customDimensions.provider), result = tostring(customDimensions.result)
| where result == "failed"
| project timestamp, provider, failures = valueSum
'''
          timeAggregation: 'Total'
          metricMeasureColumn: 'failures'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            {
              name: 'provider'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          failingPeriods: {
            numberOfEvaluationPeriods: 3
            minFailingPeriodsToAlert: 2
          }
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

// One subscription or channel gets more accepted notifications in 5 minutes than any mailbox's own
// changes produce: someone replays a notification they captured. The query keeps only the
// subscriptions over the threshold, so the rule splits into those few and never into one series
// per mailbox; the SDK's overflow row (no subscription) is many mailboxes, not one, and is left out.
resource notificationFlood 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-notification-flood-${name}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Calendar sync: a replay flood of notifications'
    description: 'More than ${notificationFloodThreshold} accepted notifications for one subscription or channel in 5 minutes: its clientState or channel token may have leaked and a captured notification is being replayed. docs/operations.md, "A replay flood".'
    severity: 2
    enabled: true
    scopes: scopes
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: replace(notificationFloodQuery, '{threshold}', string(notificationFloodThreshold))
          timeAggregation: 'Total'
          metricMeasureColumn: 'notifications'
          operator: 'GreaterThan'
          threshold: notificationFloodThreshold
          dimensions: [
            {
              name: 'provider'
              operator: 'Include'
              values: [
                '*'
              ]
            }
            {
              name: 'subscription'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

var notificationFloodQuery = '''
customMetrics
| where name == "calsync.notifications.accepted"
| extend provider = tostring(customDimensions.provider), subscription = tostring(customDimensions.subscription)
| where subscription != ""
| summarize timestamp = max(timestamp), notifications = sum(valueSum) by provider, subscription
| where notifications > {threshold}
| project timestamp, provider, subscription, notifications
'''

// No job has synced a mailbox for two UPDATE_INTERVALs while mailboxes are to be synced; silent until
// the first roster refresh has found mailboxes (onboarding), and while the quiet period
// (SUBSCRIBE_OFF_*) or the two intervals after it last
resource noJobSucceeded 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-no-job-succeeded-${name}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Calendar sync: no job succeeded for two update intervals'
    description: 'No mailbox job ended synced for twice UPDATE_INTERVAL (${updateInterval}): the app, the queue, CMG or every provider is down. docs/operations.md, "No job succeeded".'
    severity: 1
    enabled: true
    scopes: scopes
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    // The query looks back two intervals itself (and for the newest mailbox count): up to two days
    overrideQueryTimeRange: 'P2D'
    criteria: {
      allOf: [
        {
          query: replace(replace(replace(replace(noJobSucceededQuery, '{interval}', updateIntervalKql), '{quietStart}', subscribeOffStart), '{quietEnd}', subscribeOffEnd), '{timeZone}', subscribeOffTimezone)
          timeAggregation: 'Minimum'
          metricMeasureColumn: 'succeeded'
          operator: 'LessThan'
          threshold: 1
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

// `rostered`: a roster refresh has written mailboxes, seen in the mailbox gauge (which the dispatch
// reports once per UPDATE_INTERVAL, 0 for every state until then) within the query's two days; no
// metric at all is an app not yet onboarded, not a failure. Once rostered, an app that stops
// reporting still alerts: its last count of mailboxes to sync stays in the data for two days.
// `toSync`: the newest count of mailboxes to sync. A quiet period is minutes after midnight in its
// time zone. The one row carries `timestamp` = now: the rule aggregates by time bins of
// `timestamp`, as for every query here.
var noJobSucceededQuery = '''
let updateInterval = {interval};
let quietStart = iff("{quietStart}" == "", -1, toint(totimespan(strcat("{quietStart}", ":00")) / 1m));
let quietEnd = iff("{quietEnd}" == "", -1, toint(totimespan(strcat("{quietEnd}", ":00")) / 1m));
let minuteOf = (t: datetime) { let l = datetime_utc_to_local(t, "{timeZone}"); datetime_part("hour", l) * 60 + datetime_part("minute", l) };
let quietAt = (m: long) { iff(quietStart < 0, false, iff(quietStart <= quietEnd, m >= quietStart and m < quietEnd, m >= quietStart or m < quietEnd)) };
let quiet = quietAt(minuteOf(now())) or quietAt(minuteOf(now() - updateInterval)) or quietAt(minuteOf(now() - 2 * updateInterval));
let rostered = toscalar(customMetrics
    | where name == "calsync.mailboxes"
    | summarize countif(value > 0)) > 0;
let toSync = toscalar(customMetrics
    | where name == "calsync.mailboxes"
    | extend state = tostring(customDimensions.state)
    | where state in ("active", "failing")
    | summarize arg_max(timestamp, value) by state
    | summarize iff(count() == 0, -1.0, sum(value)));
customMetrics
| where timestamp > ago(2 * updateInterval)
| where name == "calsync.jobs"
| extend result = tostring(customDimensions.result)
| summarize succeeded = countif(result == "synced" and valueSum > 0)
| where rostered and toSync != 0 and not(quiet)
| project timestamp = now(), succeeded
'''

output actionGroupId string = actionGroup.id
output emailReceiverCount int = length(emailReceivers)
