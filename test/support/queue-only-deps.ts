/**
 * For code that only reads the tables and queues jobs (dispatch, the webhooks): SyncDeps whose
 * CMG and providers throw when touched, and a queue that records what dispatch sends.
 */
import { silentLogger } from '../../shared/observability/logger.js';
import { noTelemetry } from '../../shared/observability/telemetry.js';
import type { JobQueue, OutgoingJob } from '../../shared/queue/job-queue.js';
import type { SyncDeps } from '../../shared/sync/sync-deps.js';

/** `who` names the code in the error a call to CMG or a provider throws. */
export function queueOnlyDeps(who: string, parts: Pick<SyncDeps, 'config' | 'store' | 'queue' | 'now'> & Partial<Pick<SyncDeps, 'telemetry'>>): SyncDeps {
  const unused = () => {
    throw new Error(`${who} calls neither CMG nor a provider`);
  };
  return {
    logger: silentLogger,
    telemetry: noTelemetry,
    ...parts,
    cmg: new Proxy({}, { get: unused }) as SyncDeps['cmg'],
    providers: new Proxy({}, { get: unused }) as SyncDeps['providers'],
  };
}

/** Records dispatch's batches; `failNext` makes the next batch fail as an unreachable queue. */
export class BatchRecordingQueue implements JobQueue {
  readonly sent: OutgoingJob[] = [];
  failNext = false;
  async send(): Promise<void> {
    throw new Error('dispatch sends in batches');
  }
  async sendMany(jobs: readonly OutgoingJob[]): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('queue unreachable');
    }
    this.sent.push(...jobs);
  }
}
