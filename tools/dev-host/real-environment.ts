/**
 * The dev host against real systems: the settings of local.settings.json (Graph, Google, CMG as
 * named there), Table Storage from TABLES_CONNECTION_STRING or a local Azurite when it says
 * UseDevelopmentStorage=true, and the in-process queue standing in for Service Bus.
 */
import { readConfig } from '../../shared/config/config.js';
import { describeProblems } from '../../shared/config/read-settings.js';
import { createDeps } from '../../shared/app/create-deps.js';
import type { Logger } from '../../shared/observability/logger.js';
import { InProcessJobQueue } from '../../shared/queue/in-process-job-queue.js';
import type { SyncDeps } from '../../shared/sync/sync-deps.js';
import { startAzurite } from '../azurite/start-azurite.js';

export interface RealEnvironment {
  readonly deps: SyncDeps;
  readonly queue: InProcessJobQueue;
  close(): Promise<void>;
}

export async function startRealEnvironment(values: Record<string, string>, logger: Logger, say: (stage: string, text: string) => void): Promise<RealEnvironment> {
  const settings = { ...values };
  const tables = settings.TABLES_CONNECTION_STRING ?? '';
  const azurite = tables === '' || tables === 'UseDevelopmentStorage=true' ? await startAzurite() : undefined;
  if (azurite) {
    settings.TABLES_CONNECTION_STRING = azurite.connectionString;
    say('azurite', `tables at ${azurite.tableEndpoint} (in memory)`);
  }
  const read = readConfig(settings);
  if (!read.ok) {
    await azurite?.close();
    throw new Error(`local.settings.json: ${describeProblems(read.problems)}`);
  }
  say('cmg', `${read.config.cmg.baseUrl} as ${read.config.cmg.application}`);
  for (const p of read.config.profiles) say('profile', `${p.name} (${p.kind}) for ${p.domains.join(', ')}`);
  const queue = new InProcessJobQueue({ logger });
  const deps = await createDeps(read.config, { logger, queue });
  return {
    deps,
    queue,
    async close() {
      await queue.stop();
      await azurite?.close();
    },
  };
}
