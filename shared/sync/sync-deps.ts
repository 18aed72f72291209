/** What the use cases work with: the configuration and one small interface per external system. */
import type { Config } from '../config/config.js';
import type { CmgGateway } from '../cmg/cmg-gateway.js';
import type { Logger } from '../observability/logger.js';
import type { Telemetry } from '../observability/telemetry.js';
import type { JobQueue } from '../queue/job-queue.js';
import type { Store } from '../store/store.js';
import type { ProviderRegistry } from './provider-registry.js';

export interface SyncDeps {
  readonly config: Config;
  readonly store: Store;
  readonly queue: JobQueue;
  readonly cmg: CmgGateway;
  readonly providers: ProviderRegistry;
  readonly now: () => Date;
  readonly logger: Logger;
  /** Metrics and spans (docs/metrics.md). */
  readonly telemetry: Telemetry;
}
