/**
 * Everything the product talks to, on this machine: Azurite, the Graph, Google and CMG
 * emulators (and the EWS emulator when the organisation has Exchange mailboxes) seeded with the demo organisation, and the product's own production composition
 * (shared/app/create-deps.ts) pointed at them, with the in-process job queue standing in for
 * Service Bus. The dev host (`npm start`), the end-to-end tests and the benchmarks all start it.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readConfig, type Config } from '../../shared/config/config.js';
import { describeProblems } from '../../shared/config/read-settings.js';
import { createDeps } from '../../shared/app/create-deps.js';
import { silentLogger, type Logger } from '../../shared/observability/logger.js';
import type { Telemetry } from '../../shared/observability/telemetry.js';
import { InProcessJobQueue, type InProcessJobQueueOptions } from '../../shared/queue/in-process-job-queue.js';
import { systemClock } from '../../shared/clock/clock.js';
import { runMailboxJob } from '../../shared/sync/job/run-mailbox-job.js';
import type { SyncDeps } from '../../shared/sync/sync-deps.js';
import { startAzurite } from '../azurite/start-azurite.js';
import { startCmgEmulator, type CmgEmulator } from '../emulators/cmg/cmg-emulator.js';
import { startGoogleEmulator, type RunningGoogleEmulator } from '../emulators/google/google-emulator.js';
import { startGraphEmulator, type RunningGraphEmulator } from '../emulators/graph/graph-emulator.js';
import { startEwsEmulator, type EwsEmulatorOptions, type RunningEwsEmulator } from '../emulators/exchange/ews-emulator.js';
import { DEMO_EXCHANGE_DOMAIN, DEMO_EXCHANGE_ZONE, DEMO_GOOGLE_DOMAIN, DEMO_GRAPH_DOMAIN, demoOrganisation, type DemoOrganisation } from '../demo/demo-organisation.js';
import { seedCmg, seedExchange, seedGoogle, seedGraph } from '../demo/seed-emulators.js';

export interface LocalEnvironmentOptions {
  readonly now?: () => Date;
  /** The demo organisation; by default 24 Graph + 20 Google users around `now`. */
  readonly org?: DemoOrganisation;
  readonly providerLatencyMs?: number;
  readonly cmgLatencyMs?: number;
  /** App settings on top of the embedded defaults (e.g. SYNC_FREE, UPDATE_INTERVAL). */
  readonly settings?: Readonly<Record<string, string>>;
  /** Use this Table Storage (tests share one Azurite) instead of starting one. */
  readonly tablesConnectionString?: string;
  readonly tablePrefix?: string;
  readonly logger?: Logger;
  /** Where the product records metrics and spans (in-memory-telemetry.ts); nowhere by default. */
  readonly telemetry?: Telemetry;
  readonly queue?: InProcessJobQueueOptions;
  /** Emulator ports (0: any free one). */
  readonly ports?: { readonly cmg?: number; readonly graph?: number; readonly google?: number };
  /** Google emulator options beyond the clock (google-emulator.ts). */
  readonly google?: { readonly syncTokenMaxAgeMs?: number; readonly maxPageSize?: number };
  /** EWS emulator options beyond its account (ews-emulator.ts): its push clock, Extended Protection. */
  readonly exchange?: Omit<EwsEmulatorOptions, 'accounts'>;
}

export interface LocalEnvironment {
  readonly org: DemoOrganisation;
  readonly config: Config;
  readonly deps: SyncDeps;
  readonly queue: InProcessJobQueue;
  readonly cmg: CmgEmulator;
  readonly graph: RunningGraphEmulator;
  readonly google: RunningGoogleEmulator;
  /** The EWS emulator, when the organisation has Exchange mailboxes. */
  readonly exchange: RunningEwsEmulator | undefined;
  /** Demo event id → Graph event id. */
  readonly graphEventIds: ReadonlyMap<string, string>;
  /** The app settings the product was configured with (secrets included: local emulators only). */
  readonly settings: Readonly<Record<string, string>>;
  /** Starts consuming `mailbox-sync` jobs with the product's job runner. */
  startWorker(): void;
  close(): Promise<void>;
}

export const GRAPH_PROFILE = 'M365';
export const GOOGLE_PROFILE = 'GWS';
export const EXCHANGE_PROFILE = 'ONPREM';
/** The Exchange service account the emulator knows (local emulators only). */
const EXCHANGE_ACCOUNT = 'FABRIKAM\\svc-calsync';

/** The credentials the product holds and the emulators are seeded to accept (local emulators only). */
export interface LocalCredentials {
  readonly app: { readonly clientId: string; readonly clientSecret: string };
  readonly serviceAccount: { readonly clientEmail: string; readonly privateKeyPem: string; readonly publicKeyPem: string };
}

export function localCredentials(): LocalCredentials {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    app: { clientId: randomUUID(), clientSecret: `local-${randomUUID()}` },
    serviceAccount: {
      clientEmail: 'calendar-sync@demo-project.iam.gserviceaccount.com',
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    },
  };
}

/** Where the product finds the emulators: all it needs of them besides the credentials. */
export interface EmulatorEndpoints {
  readonly cmgBaseUrl: string;
  readonly graphUrl: string;
  readonly graphTenantId: string;
  /** The Graph emulator's certificate (PEM), for the product to trust. */
  readonly graphCertificate: string;
  readonly googleTokenUrl: string;
  readonly googleApiRoot: string;
  /** The EWS emulator's endpoint, certificate and service account, when there is one. */
  readonly exchange?: { readonly url: string; readonly certificate: string; readonly account: string; readonly password: string } | undefined;
}

export interface LocalEmulators {
  readonly cmg: CmgEmulator;
  readonly graph: RunningGraphEmulator;
  readonly google: RunningGoogleEmulator;
  readonly exchange: RunningEwsEmulator | undefined;
  readonly endpoints: EmulatorEndpoints;
  /** Demo event id → Graph event id. */
  readonly graphEventIds: ReadonlyMap<string, string>;
  close(): Promise<void>;
}

/** Starts the CMG, Graph and Google emulators and seeds them with the organisation. */
export async function startLocalEmulators(options: {
  readonly org: DemoOrganisation;
  readonly now: () => Date;
  /** Only the public half of the service account's key is needed here. */
  readonly credentials: { readonly app: LocalCredentials['app']; readonly serviceAccount: Omit<LocalCredentials['serviceAccount'], 'privateKeyPem'> };
  readonly providerLatencyMs?: number;
  readonly cmgLatencyMs?: number;
  readonly ports?: LocalEnvironmentOptions['ports'];
  readonly google?: LocalEnvironmentOptions['google'];
  readonly exchange?: LocalEnvironmentOptions['exchange'];
}): Promise<LocalEmulators> {
  const started: Array<{ close(): Promise<void> }> = [];
  try {
    const cmg = await startCmgEmulator({ latencyMs: options.cmgLatencyMs ?? 0, now: options.now, port: options.ports?.cmg });
    started.push(cmg);
    // Webhooks listen on loopback http here; Graph itself takes https notification URLs only.
    const graph = await startGraphEmulator({ latencyMs: options.providerLatencyMs ?? 0, port: options.ports?.graph, allowLoopbackHttpNotifications: true });
    started.push(graph);
    const google = await startGoogleEmulator({ latencyMs: options.providerLatencyMs ?? 0, port: options.ports?.google, now: () => options.now().getTime(), ...options.google });
    started.push(google);
    let exchange: RunningEwsEmulator | undefined;
    const exchangePassword = `local-${randomUUID()}`;
    if (options.org.people.some((p) => p.provider === 'exchange')) {
      // On the product's clock, as the Google emulator is: its request records and changes carry
      // the same time as the product's (a set clock in tests, chaos and benches), unless a test
      // drives the emulator's own clock (its push waits) through options.exchange.
      exchange = await startEwsEmulator({
        clock: { ...systemClock, now: () => options.now().getTime() },
        ...options.exchange,
        accounts: new Map([[EXCHANGE_ACCOUNT, exchangePassword]]),
      });
      started.push(exchange);
      seedExchange(exchange.control, options.org, EXCHANGE_ACCOUNT);
    }
    seedCmg(cmg.control, options.org);
    const graphEventIds = seedGraph(graph.control, options.org, options.credentials.app);
    seedGoogle(google.control, options.org, options.credentials.serviceAccount);
    return {
      cmg,
      graph,
      google,
      exchange,
      graphEventIds,
      endpoints: {
        cmgBaseUrl: cmg.baseUrl,
        graphUrl: graph.url,
        graphTenantId: graph.control.tenantId,
        graphCertificate: graph.certificate,
        googleTokenUrl: google.control.tokenUrl,
        googleApiRoot: google.control.apiRoot,
        exchange: exchange && { url: exchange.url, certificate: exchange.caCertificate, account: EXCHANGE_ACCOUNT, password: exchangePassword },
      },
      async close() {
        for (const s of started.reverse()) await s.close();
      },
    };
  } catch (error) {
    for (const s of started.reverse()) await s.close().catch(() => undefined);
    throw error;
  }
}

/** The product's production composition pointed at the emulators, with the in-process queue. */
export interface LocalProduct {
  readonly config: Config;
  readonly deps: SyncDeps;
  readonly queue: InProcessJobQueue;
  /** The app settings the product was configured with (secrets included: local emulators only). */
  readonly settings: Readonly<Record<string, string>>;
}

export async function composeLocalProduct(options: {
  /** Only the organisation's mapping settings reach the product. */
  readonly org: Pick<DemoOrganisation, 'settings'>;
  readonly endpoints: EmulatorEndpoints;
  readonly credentials: LocalCredentials;
  readonly tablesConnectionString: string;
  readonly now: () => Date;
  readonly logger: Logger;
  readonly telemetry?: Telemetry | undefined;
  readonly settings?: Readonly<Record<string, string>>;
  readonly queue?: InProcessJobQueueOptions;
  readonly tablePrefix?: string;
}): Promise<LocalProduct> {
  const { endpoints, credentials, now, logger } = options;
  const settings: Record<string, string> = {
    ...options.org.settings,
    CMG_BASE_URL: endpoints.cmgBaseUrl,
    CMG_PASSWORD: 'emulator-password',
    CMG_MESSAGE_SYSTEMS: '1',
    PROFILES: `${GRAPH_PROFILE},${GOOGLE_PROFILE}`,
    [`PROFILE_${GRAPH_PROFILE}_KIND`]: 'graph',
    [`PROFILE_${GRAPH_PROFILE}_DOMAINS`]: DEMO_GRAPH_DOMAIN,
    [`PROFILE_${GRAPH_PROFILE}_TENANT_ID`]: endpoints.graphTenantId,
    [`PROFILE_${GRAPH_PROFILE}_CLIENT_ID`]: credentials.app.clientId,
    [`PROFILE_${GRAPH_PROFILE}_CLIENT_SECRET`]: credentials.app.clientSecret,
    [`PROFILE_${GRAPH_PROFILE}_AUTHORITY_HOST`]: endpoints.graphUrl,
    [`PROFILE_${GRAPH_PROFILE}_GRAPH_ENDPOINT`]: endpoints.graphUrl,
    [`PROFILE_${GOOGLE_PROFILE}_KIND`]: 'google',
    [`PROFILE_${GOOGLE_PROFILE}_DOMAINS`]: DEMO_GOOGLE_DOMAIN,
    [`PROFILE_${GOOGLE_PROFILE}_SERVICE_ACCOUNT_KEY`]: JSON.stringify({
      type: 'service_account',
      client_email: credentials.serviceAccount.clientEmail,
      private_key: credentials.serviceAccount.privateKeyPem,
      private_key_id: randomUUID(),
    }),
    [`PROFILE_${GOOGLE_PROFILE}_TOKEN_URL`]: endpoints.googleTokenUrl,
    [`PROFILE_${GOOGLE_PROFILE}_API_ROOT`]: endpoints.googleApiRoot,
    // The on-premises Exchange: NTLM to the EWS emulator, polled (no push from it to the dev host);
    // EWS does not tell a mailbox's zone, so all-day items are read in the demo mailboxes' own.
    ...(endpoints.exchange
      ? {
          PROFILES: `${GRAPH_PROFILE},${GOOGLE_PROFILE},${EXCHANGE_PROFILE}`,
          [`PROFILE_${EXCHANGE_PROFILE}_KIND`]: 'exchange',
          [`PROFILE_${EXCHANGE_PROFILE}_DOMAINS`]: DEMO_EXCHANGE_DOMAIN,
          [`PROFILE_${EXCHANGE_PROFILE}_EWS_URL`]: endpoints.exchange.url,
          [`PROFILE_${EXCHANGE_PROFILE}_USER_NAME`]: endpoints.exchange.account,
          [`PROFILE_${EXCHANGE_PROFILE}_PASSWORD`]: endpoints.exchange.password,
          [`PROFILE_${EXCHANGE_PROFILE}_CA_CERTIFICATE`]: endpoints.exchange.certificate,
          [`PROFILE_${EXCHANGE_PROFILE}_PUSH`]: 'false',
          DEFAULT_TIME_ZONE: DEMO_EXCHANGE_ZONE,
        }
      : {}),
    TABLES_CONNECTION_STRING: options.tablesConnectionString,
    PROVIDER_TIMEOUT_MS: '5000',
    CMG_TIMEOUT_MS: '5000',
    JOB_RETRY_BASE: '1s',
    JOB_RETRY_MAX: '30s',
    ...options.settings,
  };
  const read = readConfig(settings);
  if (!read.ok) throw new Error(describeProblems(read.problems));
  // The queue keeps the product's time, so a retry scheduled "in a second" is one.
  const queue = new InProcessJobQueue({ logger, clock: { ...systemClock, now: () => now().getTime() }, ...options.queue });
  const deps = await createDeps(read.config, {
    logger,
    queue,
    now,
    graphTrustedCertificates: [endpoints.graphCertificate],
    tablePrefix: options.tablePrefix,
    ...(options.telemetry ? { telemetry: options.telemetry } : {}),
  });
  return { config: read.config, deps, queue, settings };
}

export async function startLocalEnvironment(options: LocalEnvironmentOptions = {}): Promise<LocalEnvironment> {
  const now = options.now ?? (() => new Date());
  const org = options.org ?? demoOrganisation({ now: now() });
  const logger = options.logger ?? silentLogger;
  const started: Array<{ close(): Promise<void> }> = [];
  try {
    let tablesConnectionString = options.tablesConnectionString;
    if (!tablesConnectionString) {
      const azurite = await startAzurite();
      started.push(azurite);
      tablesConnectionString = azurite.connectionString;
    }
    const credentials = localCredentials();
    const emulators = await startLocalEmulators({ org, now, credentials, providerLatencyMs: options.providerLatencyMs, cmgLatencyMs: options.cmgLatencyMs, ports: options.ports, google: options.google, exchange: options.exchange });
    started.push(emulators);
    const product = await composeLocalProduct({
      org,
      endpoints: emulators.endpoints,
      credentials,
      tablesConnectionString,
      now,
      logger,
      telemetry: options.telemetry,
      settings: options.settings,
      queue: options.queue,
      tablePrefix: options.tablePrefix,
    });
    const { deps, queue } = product;
    return {
      org,
      ...product,
      cmg: emulators.cmg,
      graph: emulators.graph,
      google: emulators.google,
      exchange: emulators.exchange,
      graphEventIds: emulators.graphEventIds,
      startWorker: () =>
        queue.start(async (job, delivery) => {
          await runMailboxJob(deps, job, delivery);
        }),
      async close() {
        await queue.stop();
        for (const s of started.reverse()) await s.close();
      },
    };
  } catch (error) {
    for (const s of started.reverse()) await s.close().catch(() => undefined);
    throw error;
  }
}
