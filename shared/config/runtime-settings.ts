/**
 * Settings of the running product beyond the mapping: CMG connection (CMG-INTERFACE.md), who is
 * synced and when (MAPPING.md 7–8), push, storage, queue, retries and logging.
 */
import { z } from 'zod';
import { bool, duration, int, list, oneOf, optional, required, text, timeOfDay, timeZone, url, type Setting } from './setting.js';

const EMAIL = z.string().toLowerCase().email();
const MESSAGE_SYSTEM = z.string().regex(/^\d+$/, 'not an integer');

export const CMG_SETTINGS = {
  CMG_BASE_URL: url({ required: true }, 'CMG base URL with protocol, server and virtual path, e.g. https://cmg.example.com/CMG Office.'),
  CMG_APPLICATION: text({ default: 'EXCHANGE', min: 1 }, 'CMG destination (application) name, the Basic auth user.'),
  CMG_PASSWORD: text({ required: true, secret: true, min: 1 }, 'CMG HTTP interface password. Secret.'),
  CMG_MESSAGE_SYSTEMS: required(list('comma', '', 'CMG message system ids, comma-separated, at least one (e.g. 1,3,4).', MESSAGE_SYSTEM)),
  CMG_TIMEOUT_MS: int({ default: 10_000, min: 100, max: 120_000 }, 'Per-request timeout for CMG, in milliseconds.'),
  CMG_MAX_CONCURRENCY: int({ default: 8, min: 1, max: 64 }, 'Concurrent requests to CMG per instance (keep-alive socket pool size).'),
  CMG_MAX_RETRIES: int({ default: 4, min: 0, max: 10 }, 'Retries of a transient CMG failure inside one request before the job backs off.'),
  CMG_CODES_REFRESH: duration('1h', 'How long the CMG code list is cached.'),
  CMG_CA_CERTIFICATE: optional(text({ min: 1 }, 'PEM bundle of the CA certificates (e.g. an internal CA) trusted for CMG besides the public roots. Empty: public roots only.')),
} satisfies Record<string, Setting<unknown>>;

export const SYNC_SETTINGS = {
  UPDATE_INTERVAL: duration('15m', 'Polling safety net: every mailbox is synced at least this often, spread over the interval.', { minMs: 60_000 }),
  ROSTER_PERIOD: duration('30m', 'How often the roster (CMG calendar settings) is refreshed.', { minMs: 60_000 }),
  ROSTER_INITIAL_DELAY: duration('0s', 'Delay before the first roster refresh after an instance starts (then every ROSTER_PERIOD).'),
  TEST_MAIL_ADDRESSES: list('semicolon', '', 'When set, only these addresses are synced (old CMG.mailAddress); semicolon-separated.', EMAIL),
  EXCLUDED_MAIL_ADDRESSES: list('semicolon', '', 'Addresses never synced (old EXCLUDE_FILE); semicolon-separated.', EMAIL),
  MAX_BOXES: optional(int({ min: 1 }, 'At most this many mailboxes are active; the rest are reported. Empty: no limit.')),
  SUBSCRIBE_OFF_START: timeOfDay('Start of the quiet period (hh:mm): no provider requests; syncs, subscription upkeep and lifecycle renewals wait for its end. Empty: none.'),
  SUBSCRIBE_OFF_END: timeOfDay('End of the quiet period (hh:mm); deferred work runs then.'),
  SUBSCRIBE_OFF_TIMEZONE: timeZone('UTC', 'Time zone of SUBSCRIBE_OFF_START / _END.'),
  DEFAULT_TIME_ZONE: timeZone('UTC', 'Time zone for all-day events when a mailbox reports none.'),
  PROVIDER_TIMEOUT_MS: int({ default: 30_000, min: 100, max: 300_000 }, 'Per-request timeout for Graph and Google, in milliseconds.'),
  PROVIDER_MAX_RETRIES: int({ default: 3, min: 0, max: 10 }, 'Retries of a throttled or failed provider request before the job backs off.'),
  JOB_MAX_ATTEMPTS: int({ default: 8, min: 1, max: 50 }, 'Attempts of a mailbox job with transient failures before it is dead-lettered and the mailbox marked failing.'),
  JOB_RETRY_BASE: duration('30s', 'First backoff of a failed mailbox job; doubles per attempt (with jitter).'),
  JOB_RETRY_MAX: duration('30m', 'Longest backoff of a failed mailbox job.'),
  CMG_APPLY_CONCURRENCY: int({ default: 4, min: 1, max: 32 }, 'Concurrent CMG operations within one mailbox job.'),
  CIRCUIT_REFUSALS: int({ default: 5, min: 2, max: 1000 }, 'Mailboxes of one profile refused alike within CIRCUIT_WINDOW that open the profile\'s circuit: its jobs stop calling the provider and CMG keeps what it holds.'),
  CIRCUIT_WINDOW: duration('10m', 'How recent the refusals that open a profile\'s circuit must be.', { minMs: 60_000 }),
  CIRCUIT_PROBE_INTERVAL: duration('10m', 'While a profile\'s circuit is open, one job per this interval calls the provider; its success closes the circuit.', { minMs: 60_000 }),
  INVALID_AFTER: duration('6h', 'A mailbox refused on every attempt for this long, its profile\'s circuit closed, is declared invalid and its activities removed.', { minMs: 60_000 }),
  INVALID_REPROBE: duration('1h', 'First re-probe of a mailbox declared invalid; the wait doubles per failed probe, up to a day.', { minMs: 60_000 }),
} satisfies Record<string, Setting<unknown>>;

export const PUSH_SETTINGS = {
  WEBHOOK_BASE_URL: optional(url({}, 'Public base URL of this app\'s webhooks (e.g. https://app.azurewebsites.net). Empty: push off, polling only.')),
  GRAPH_SUBSCRIPTION_MINUTES: int({ default: 10_080, min: 45, max: 10_080 }, 'Lifetime requested for Graph event subscriptions, in minutes (Graph allows 10080 for events).'),
  GOOGLE_CHANNEL_TTL: duration('7d', 'Lifetime requested for Google push channels.', { minMs: 3_600_000 }),
  SUBSCRIPTION_RENEW_MARGIN: duration('24h', 'Subscriptions and channels expiring within this margin are renewed.'),
  EXCHANGE_POLL_INTERVAL: duration(
    '1m',
    'How often the mailboxes of an exchange profile that Exchange cannot push to (PROFILE_<NAME>_PUSH=false, or no WEBHOOK_BASE_URL) are asked for changes: one SyncFolderItems request per mailbox, a full read only when something changed.',
    { minMs: 60_000 },
  ),
  EXCHANGE_STATUS_FREQUENCY: int(
    { default: 30, min: 1, max: 1440 },
    'Exchange push subscriptions: minutes between the keep-alive notifications Exchange sends when nothing changed; a subscription silent for twice this is created anew.',
  ),
  NOTIFICATION_WINDOW_MS: int({ default: 250, min: 50, max: 60_000 }, 'Notifications for one mailbox within this window, in milliseconds, become one job that runs at its end: shorter reaches CMG sooner, longer saves provider and CMG requests on calendars that change in bursts.'),
} satisfies Record<string, Setting<unknown>>;

export const PLATFORM_SETTINGS = {
  TABLES_CONNECTION_STRING: optional(text({ secret: true, min: 1 }, 'Table Storage connection string (local runs, Azurite). Secret.')),
  TABLES_ENDPOINT: optional(url({}, 'Table Storage endpoint for managed identity, e.g. https://acct.table.core.windows.net.')),
  SERVICE_BUS_QUEUE: text({ default: 'mailbox-sync', min: 1 }, 'Service Bus queue of mailbox jobs (sessions and duplicate detection on).'),
  ServiceBusConnection__fullyQualifiedNamespace: optional(text({ min: 1 }, 'Service Bus namespace host for managed identity (trigger and sender).')),
  ServiceBusConnection: optional(text({ secret: true, min: 1 }, 'Service Bus connection string, when not using managed identity. Secret.')),
  AZURE_CLIENT_ID: optional(text({ min: 1 }, 'Client id of the user-assigned managed identity used for Tables, Service Bus and Key Vault.')),
  LOG_LEVEL: oneOf(['debug', 'info', 'warn', 'error'], 'info', 'Lowest level written to the log.'),
  TELEMETRY: oneOf(
    ['auto', 'azure-monitor', 'console', 'off'],
    'auto',
    'Where metrics and traces go (docs/metrics.md): auto = Application Insights when APPLICATIONINSIGHTS_CONNECTION_STRING is set, else off; console = standard output.',
  ),
  APPLICATIONINSIGHTS_CONNECTION_STRING: optional(text({ min: 1 }, 'Application Insights connection string; ingestion authenticates with the managed identity (AZURE_CLIENT_ID), not with its key.')),
  ADMIN_PAGE: bool(true, 'Serve the admin page at /api/admin.'),
} satisfies Record<string, Setting<unknown>>;
