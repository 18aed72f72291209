/**
 * Everything the product talks to, on this machine: Azurite, the Graph, Google and CMG
 * emulators seeded with the demo organisation, and the product's own production composition
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
import { systemClock } from '../../shared/queue/clock.js';
import { runMailboxJob } from '../../shared/sync/run-mailbox-job.js';
import type { SyncDeps } from '../../shared/sync/sync-deps.js';
import { startAzurite, type RunningAzurite } from '../azurite/start-azurite.js';
import { startCmgEmulator, type CmgEmulator } from '../emulators/cmg/cmg-emulator.js';
import { startGoogleEmulator, type RunningGoogleEmulator } from '../emulators/google/google-emulator.js';
import { startGraphEmulator, type RunningGraphEmulator } from '../emulators/graph/graph-emulator.js';
import { DEMO_GOOGLE_DOMAIN, DEMO_GRAPH_DOMAIN, demoOrganisation, type DemoOrganisation } from '../demo/demo-organisation.js';
import { seedCmg, seedGoogle, seedGraph } from '../demo/seed-emulators.js';

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
}

export interface LocalEnvironment {
  readonly org: DemoOrganisation;
  readonly config: Config;
  readonly deps: SyncDeps;
  readonly queue: InProcessJobQueue;
  readonly cmg: CmgEmulator;
  readonly graph: RunningGraphEmulator;
  readonly google: RunningGoogleEmulator;
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

export async function startLocalEnvironment(options: LocalEnvironmentOptions = {}): Promise<LocalEnvironment> {
  const now = options.now ?? (() => new Date());
  const org = options.org ?? demoOrganisation({ now: now() });
  const logger = options.logger ?? silentLogger;
  const started: Array<{ close(): Promise<void> }> = [];
  try {
    let azurite: RunningAzurite | undefined;
    if (!options.tablesConnectionString) {
      azurite = await startAzurite();
      started.push(azurite);
    }
    const cmg = await startCmgEmulator({ latencyMs: options.cmgLatencyMs ?? 0, now, port: options.ports?.cmg });
    started.push(cmg);
    // Webhooks listen on loopback http here; Graph itself takes https notification URLs only.
    const graph = await startGraphEmulator({ latencyMs: options.providerLatencyMs ?? 0, port: options.ports?.graph, allowLoopbackHttpNotifications: true });
    started.push(graph);
    const google = await startGoogleEmulator({ latencyMs: options.providerLatencyMs ?? 0, port: options.ports?.google });
    started.push(google);

    const app = { clientId: randomUUID(), clientSecret: `local-${randomUUID()}` };
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const serviceAccount = {
      clientEmail: 'calendar-sync@demo-project.iam.gserviceaccount.com',
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
    seedCmg(cmg.control, org);
    const graphEventIds = seedGraph(graph.control, org, app);
    seedGoogle(google.control, org, serviceAccount);

    const settings: Record<string, string> = {
      ...org.settings,
      CMG_BASE_URL: cmg.baseUrl,
      CMG_PASSWORD: 'emulator-password',
      CMG_MESSAGE_SYSTEMS: '1',
      PROFILES: `${GRAPH_PROFILE},${GOOGLE_PROFILE}`,
      [`PROFILE_${GRAPH_PROFILE}_KIND`]: 'graph',
      [`PROFILE_${GRAPH_PROFILE}_DOMAINS`]: DEMO_GRAPH_DOMAIN,
      [`PROFILE_${GRAPH_PROFILE}_TENANT_ID`]: graph.control.tenantId,
      [`PROFILE_${GRAPH_PROFILE}_CLIENT_ID`]: app.clientId,
      [`PROFILE_${GRAPH_PROFILE}_CLIENT_SECRET`]: app.clientSecret,
      [`PROFILE_${GRAPH_PROFILE}_AUTHORITY_HOST`]: graph.url,
      [`PROFILE_${GRAPH_PROFILE}_GRAPH_ENDPOINT`]: graph.url,
      [`PROFILE_${GOOGLE_PROFILE}_KIND`]: 'google',
      [`PROFILE_${GOOGLE_PROFILE}_DOMAINS`]: DEMO_GOOGLE_DOMAIN,
      [`PROFILE_${GOOGLE_PROFILE}_SERVICE_ACCOUNT_KEY`]: JSON.stringify({
        type: 'service_account',
        client_email: serviceAccount.clientEmail,
        private_key: serviceAccount.privateKeyPem,
        private_key_id: randomUUID(),
      }),
      [`PROFILE_${GOOGLE_PROFILE}_TOKEN_URL`]: google.control.tokenUrl,
      [`PROFILE_${GOOGLE_PROFILE}_API_ROOT`]: google.control.apiRoot,
      TABLES_CONNECTION_STRING: options.tablesConnectionString ?? azurite!.connectionString,
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
    const deps = createDeps(read.config, {
      logger,
      queue,
      now,
      graphTrustedCertificates: [graph.certificate],
      tablePrefix: options.tablePrefix,
      ...(options.telemetry ? { telemetry: options.telemetry } : {}),
    });

    return {
      org,
      config: read.config,
      deps,
      queue,
      cmg,
      graph,
      google,
      graphEventIds,
      settings,
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
