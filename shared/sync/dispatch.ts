/**
 * The polling safety net (timer `dispatch`): once per UPDATE_INTERVAL, one scheduled
 * `mailbox-sync` job per synced mailbox, spread over the interval by a stable hash of the
 * mailbox (calendar spread), none inside the quiet period. The timer fires often; a State
 * checkpoint (with its ETag) makes each interval dispatch exactly once across instances.
 */
import type { OutgoingJob } from '../queue/job-queue.js';
import { scheduleMessageId } from '../queue/message-id.js';
import { isConcurrencyConflict } from '../store/table-errors.js';
import { intervalStart, isQuiet, spreadOffsetMs } from './pacing.js';
import type { SyncDeps } from './sync-deps.js';

export type DispatchResult =
  | { readonly status: 'not-due'; readonly interval: string }
  | { readonly status: 'dispatched'; readonly interval: string; readonly enqueued: number; readonly quiet: number };

const SEND_CHUNK = 500;
const SYNCED_STATES = new Set(['active', 'failing']);

export async function dispatch(deps: SyncDeps): Promise<DispatchResult> {
  const now = deps.now().getTime();
  const intervalMs = deps.config.sync.updateIntervalMs;
  const start = intervalStart(now, intervalMs);
  const interval = new Date(start).toISOString();

  const last = await deps.store.state.get('dispatch', 'interval');
  if (last && last.value >= interval) return { status: 'not-due', interval };
  try {
    await deps.store.state.set('dispatch', 'interval', interval, last?.etag);
  } catch (error) {
    if (isConcurrencyConflict(error)) return { status: 'not-due', interval };
    throw error;
  }

  let enqueued = 0;
  let quiet = 0;
  let batch: OutgoingJob[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    await deps.queue.sendMany(batch);
    enqueued += batch.length;
    batch = [];
  };
  for await (const mailbox of deps.store.mailboxes.listAll()) {
    if (!SYNCED_STATES.has(mailbox.state)) continue;
    const at = Math.max(now, start + spreadOffsetMs(mailbox.key, intervalMs));
    if (isQuiet(at, deps.config.sync.subscribeOff)) {
      quiet += 1;
      continue;
    }
    batch.push({
      job: { mailboxKey: mailbox.key, reason: 'schedule', full: false, enqueuedAt: new Date(now).toISOString() },
      messageId: scheduleMessageId(mailbox.key, new Date(start)),
      scheduledAt: new Date(at),
    });
    if (batch.length >= SEND_CHUNK) await flush();
  }
  await flush();
  deps.logger.info('dispatch.done', { interval, enqueued, quiet });
  return { status: 'dispatched', interval, enqueued, quiet };
}
