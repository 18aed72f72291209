/**
 * The composition root: production dependencies from the configuration. The dev host passes
 * overrides (in-process queue, trusted emulator certificates); everything else is what runs
 * in Azure.
 */
import type { Config } from '../config/config.js';
import type { ExchangeProfile } from '../config/profile-settings.js';
import { createCmgClient } from '../cmg/cmg-client.js';
import { configurationError } from '../errors/app-error.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { startTelemetry } from '../observability/start-telemetry.js';
import type { Telemetry } from '../observability/telemetry.js';
import type { CalendarProvider } from '../providers/calendar-provider.js';
import { createExchangeCalendarProvider } from '../providers/exchange/exchange-calendar-provider.js';
import { createEwsTransport } from '../providers/exchange/ews-transport.js';
import { createGoogleCalendarProvider } from '../providers/google/google-calendar-provider.js';
import { createGraphProvider } from '../providers/graph/graph-provider.js';
import { measuredProvider } from '../providers/measured-provider.js';
import type { JobQueue } from '../queue/job-queue.js';
import { openServiceBusJobQueue } from '../queue/open-service-bus-job-queue.js';
import type { Store } from '../store/store.js';
import { createTableStore } from '../store/table-store.js';
import { withSubscriptionCache } from '../store/cached-subscription-repository.js';
import { createProviderRegistry } from '../sync/provider-registry.js';
import type { SyncDeps } from '../sync/sync-deps.js';

export interface DepsOverrides {
  readonly logger?: Logger;
  /** Tests and the bench read what is recorded through in-memory exporters. */
  readonly telemetry?: Telemetry;
  readonly queue?: JobQueue;
  readonly now?: () => Date;
  /** Extra CA certificates (PEM) trusted for Graph: the loopback emulator's. */
  readonly graphTrustedCertificates?: readonly string[];
  /** Table names prefix (tests: each test its own tables). */
  readonly tablePrefix?: string;
}

export async function createDeps(config: Config, overrides: DepsOverrides = {}): Promise<SyncDeps> {
  const logger = overrides.logger ?? createLogger({ level: config.platform.logLevel });
  const now = overrides.now ?? (() => new Date());
  const env = process.env;
  const providerOptions = { timeoutMs: config.sync.providerTimeoutMs, maxRetries: config.sync.providerMaxRetries, logger };
  const telemetry = overrides.telemetry ?? (await startTelemetry(config.platform.telemetry, config.platform.managedIdentityClientId));
  const providers = createProviderRegistry(config.profiles, (profile) =>
    measuredProvider(
      profile.kind === 'graph'
        ? createGraphProvider(profile, {
            ...providerOptions,
            trustedCertificates: overrides.graphTrustedCertificates,
            proxyUrl: env.HTTPS_PROXY ?? env.https_proxy,
            noProxy: env.NO_PROXY ?? env.no_proxy,
          })
        : profile.kind === 'google'
          ? createGoogleCalendarProvider(profile, providerOptions)
          : exchangeProvider(profile, config, logger, now),
      telemetry,
    ),
  );
  return {
    config,
    logger,
    telemetry,
    now,
    store: withWebhookCache(createTableStore(config.platform.tables, { tablePrefix: overrides.tablePrefix, managedIdentityClientId: config.platform.managedIdentityClientId })),
    queue: overrides.queue ?? serviceBusQueue(config),
    cmg: createCmgClient(config.cmg, { logger, telemetry }),
    providers,
  };
}

/**
 * Exchange Server: one transport per profile (its connection limit is the profile's, below the
 * account's EWSMaxConcurrency); proxy and NO_PROXY from the environment, as for CMG. EWS does not
 * tell a mailbox's time zone, so all-day items are read in DEFAULT_TIME_ZONE; the automatic
 * replies are read again on quiet polls once per UPDATE_INTERVAL.
 */
function exchangeProvider(profile: ExchangeProfile, config: Config, logger: Logger, now: () => Date): CalendarProvider {
  const transport = createEwsTransport({
    profileName: profile.name,
    url: profile.ewsUrl,
    credentials: { method: profile.authentication, userName: profile.userName, password: profile.password },
    timeoutMs: profile.timeoutMs ?? config.sync.providerTimeoutMs,
    caCertificates: profile.caCertificates,
    maxConnections: profile.maxConnections,
  });
  return createExchangeCalendarProvider(profile, {
    transport,
    timeZone: config.sync.defaultTimeZone,
    maxRetries: config.sync.providerMaxRetries,
    automaticRepliesEveryMs: config.sync.updateIntervalMs,
    statusFrequencyMinutes: config.push.exchangeStatusFrequencyMinutes,
    logger,
    // The product's clock: when the automatic replies are due again is the sync's schedule, not the wall's.
    now: () => now().getTime(),
  });
}

function serviceBusQueue(config: Config): JobQueue {
  const sb = config.platform.serviceBus;
  if (!('connectionString' in sb) && !('fullyQualifiedNamespace' in sb)) {
    throw configurationError('ServiceBusConnection__fullyQualifiedNamespace is not set, nor is ServiceBusConnection: the functions cannot send mailbox-sync jobs');
  }
  return openServiceBusJobQueue(sb, { managedIdentityClientId: config.platform.managedIdentityClientId });
}

/** Webhooks read a subscription per notification: those reads go through a short cache. */
function withWebhookCache(store: Store): Store {
  return { ...store, subscriptions: withSubscriptionCache(store.subscriptions) };
}
