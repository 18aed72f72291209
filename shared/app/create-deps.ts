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
  const env = process.env;
  const providerOptions = { timeoutMs: config.sync.providerTimeoutMs, maxRetries: config.sync.providerMaxRetries, logger };
  const telemetry = overrides.telemetry ?? (await startTelemetry(config.platform.telemetry, config.platform.managedIdentityClientId));
  // Until the EWS provider is wired in (issue 26), an exchange profile stops start-up, named,
  // rather than failing every job of its mailboxes (providers are built on first use).
  for (const profile of config.profiles) if (profile.kind === 'exchange') noExchangeProvider(profile);
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
          : noExchangeProvider(profile),
      telemetry,
    ),
  );
  return {
    config,
    logger,
    telemetry,
    now: overrides.now ?? (() => new Date()),
    store: withWebhookCache(createTableStore(config.platform.tables, { tablePrefix: overrides.tablePrefix, managedIdentityClientId: config.platform.managedIdentityClientId })),
    queue: overrides.queue ?? serviceBusQueue(config),
    cmg: createCmgClient(config.cmg, { logger, telemetry }),
    providers,
  };
}

function noExchangeProvider(profile: ExchangeProfile): never {
  throw configurationError(`PROFILE_${profile.name.toUpperCase()}_KIND is exchange, and this build has no Exchange provider yet`);
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
