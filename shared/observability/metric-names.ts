/**
 * Every metric the app records, in one place: its name, kind, unit, attributes and meaning.
 * Alert rules (infra/), the operations runbook and docs/metrics.md (rendered from this module by
 * `npm run metrics:doc`; a test compares them) all name metrics as they are written here.
 *
 * Attribute values are few and fixed (a job result, an HTTP status, a profile name): never a
 * mailbox address, a subject or anything else private, and never anything unbounded. The one
 * attribute with a value per mailbox, `subscription` of calsync.notifications.accepted, is bounded
 * by the mailboxes synced: see there.
 */

export type MetricKind = 'counter' | 'histogram' | 'gauge';

export interface MetricSpec {
  readonly name: string;
  readonly kind: MetricKind;
  /** UCUM unit as OpenTelemetry writes it: `ms`, or a `{thing}` annotation for counts. */
  readonly unit: string;
  /** Attribute name → the values it takes. */
  readonly attributes: Readonly<Record<string, string>>;
  /** One line: what a value means. */
  readonly meaning: string;
}

export const METRIC_PREFIX = 'calsync.';

export const METRICS = {
  jobs: {
    name: 'calsync.jobs',
    kind: 'counter',
    unit: '{job}',
    attributes: {
      result:
        'how the job ended: `synced`, `cleared`, `invalid`, `refused`, `held`, `disabled`, `deferred`, `lifecycle`, `unknown-mailbox`, `retry-scheduled`, `dead-lettered`, `configuration-error`',
      reason: 'why it was enqueued: `schedule`, `notification`, `lifecycle`, `manual`, `retry`; `invalid-message` for an unreadable message',
    },
    meaning: 'Mailbox jobs run to their end, one per delivery of a `mailbox-sync` message.',
  },
  providerDuration: {
    name: 'calsync.provider.duration',
    kind: 'histogram',
    unit: 'ms',
    attributes: {
      provider: '`graph`, `google` or `exchange`',
      operation: '`fetchCalendar`, `checkConnection`, `subscribe`, `renew` or `unsubscribe`',
      outcome: '`ok`, or the error code the call failed with (e.g. `graph-throttled`)',
    },
    meaning: 'Time one calendar provider call took, its retries and token requests included.',
  },
  cmgDuration: {
    name: 'calsync.cmg.duration',
    kind: 'histogram',
    unit: 'ms',
    attributes: {
      operation: '`check`, `codes`, `calendarSettings`, `upsertActivity`, `deleteActivity` or `listActivities`',
      method: '`GET`, `PUT` or `DELETE`',
      status: 'the HTTP status CMG answered (`200`, `404`, `503` …), or `timeout` / `network` when no answer came',
    },
    meaning: 'Time one HTTP request to CMG took; each retry is a request of its own.',
  },
  cmgCredentialRefusals: {
    name: 'calsync.cmg.credential_refusals',
    kind: 'counter',
    unit: '{response}',
    attributes: {
      status: '`401` (CMG does not accept the application and password) or `403` (the application may not do this)',
    },
    meaning: 'CMG answers that refused our credentials; any at all means CMG_APPLICATION / CMG_PASSWORD need attention.',
  },
  notificationLag: {
    name: 'calsync.notification.lag',
    kind: 'histogram',
    unit: 'ms',
    attributes: {
      provider: '`graph`, `google` or `exchange`',
    },
    meaning: 'From receiving a change notification to the end of the job that brought CMG in step with it.',
  },
  mailboxes: {
    name: 'calsync.mailboxes',
    kind: 'gauge',
    unit: '{mailbox}',
    attributes: {
      state: '`active`, `invalid`, `excluded`, `disabled`, `over-limit` or `failing`',
    },
    meaning: 'Mailboxes in each state, as counted by the last dispatch (once per UPDATE_INTERVAL).',
  },
  openCircuits: {
    name: 'calsync.circuits.open',
    kind: 'gauge',
    unit: '{circuit}',
    attributes: {
      profile: 'the connection profile name (`PROFILE_<NAME>`)',
    },
    meaning: '1 while the profile\'s circuit is open (its provider refuses mailboxes alike), 0 while closed.',
  },
  deadLetters: {
    name: 'calsync.dead_letters',
    kind: 'gauge',
    unit: '{message}',
    attributes: {},
    meaning: 'Dead-lettered jobs still open: their mailbox is failing or has not synced since (unreadable messages: for a day). Counted by the dispatch.',
  },
  subscriptionRenewals: {
    name: 'calsync.subscription.renewals',
    kind: 'counter',
    unit: '{subscription}',
    attributes: {
      provider: '`graph`, `google` or `exchange`',
      result:
        '`renewed` (extended in place), `replaced` (a new one took the place of an expiring one, or of one whose secrets an operator replaced), `created` (a mailbox had none) or `failed` (any of these failed)',
    },
    meaning: 'Push subscriptions (Graph) and channels (Google) kept alive by the subscriptions timer and Graph lifecycle events, or given new secrets by an operator, or not.',
  },
  adminTokensRejected: {
    name: 'calsync.admin.tokens.rejected',
    kind: 'counter',
    unit: '{request}',
    attributes: {
      problem: '`invalid` (the token proves nothing: 401) or `unavailable` (the tenant\'s signing keys could not be read: 503)',
    },
    meaning: 'Admin API requests whose bearer token was refused. Every one is counted here; the log has at most one `admin.token-rejected` line a minute, saying how many it left out.',
  },
  webhookRequests: {
    name: 'calsync.webhook.requests',
    kind: 'counter',
    unit: '{request}',
    attributes: {
      endpoint: '`graph-notifications`, `graph-lifecycle`, `google-notifications` or `ews-notifications`',
      status: 'the HTTP status answered (`200`, `202`, `400`, `403`, `500` …)',
    },
    meaning: 'Webhook requests from Graph, Google and Exchange, by the answer they got.',
  },
  /*
   * Per subscription, and still bounded: only a notification whose secret matched is counted, so
   * every value is an id from our own Subscriptions table (one per synced mailbox, two for a
   * moment while one replaces the other), never one a caller made up. Counters are exported as
   * deltas (the Azure Monitor exporter asks for them), so an export holds a row only for the
   * subscriptions notified in its interval: never more rows than requests, each of which already
   * writes a log line. Past 2000 subscriptions notified within one export interval on one
   * instance the OpenTelemetry SDK folds the rest into one row marked `otel.metric.overflow`
   * and naming no subscription, which the alert leaves out. In Application Insights these rows are log data (customMetrics); the
   * metrics store's limit of series does not apply, as the deployment does not turn on
   * "alerting on custom metric dimensions".
   */
  notificationsAccepted: {
    name: 'calsync.notifications.accepted',
    kind: 'counter',
    unit: '{notification}',
    attributes: {
      provider: '`graph`, `google` or `exchange`',
      subscription: 'the Graph subscription id, Google channel id or our id of an Exchange subscription that the notification named; only ids of our own Subscriptions table get here',
      kind: '`change` (a change notification), `lifecycle` (a Graph lifecycle event) or `keep-alive` (an Exchange status notification)',
    },
    meaning:
      'Notifications whose clientState, channel token or callback secret matched, per subscription or channel. A replay flood (someone resending a notification they captured) shows as one subscription far above every other.',
  },
} as const satisfies Record<string, MetricSpec>;

export type MetricKey = keyof typeof METRICS;
