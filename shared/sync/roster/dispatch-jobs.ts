/**
 * The polling safety net (timer `dispatch`): once per UPDATE_INTERVAL, one scheduled
 * `mailbox-sync` job per synced mailbox, spread over the interval by a stable hash of the
 * mailbox (calendar spread), none inside the quiet period, none for a mailbox whose backoff
 * (`retryAt`) has not ended. An invalid mailbox whose re-probe is due gets one too.
 *
 * The same walk counts the mailboxes by state and the open dead letters (roster-gauges.ts).
 *
 * The timer fires often; the State checkpoint is written only after every job was sent, so an
 * error midway leaves the interval to the next run, which sends again: the jobs' message ids
 * (`schedule:{key}:{interval}`) make Service Bus drop what the first run already sent, and two
 * instances racing on one interval collapse the same way.
 */
import type { OutgoingJob } from '../../queue/job-queue.js';
import type { MailboxSummary } from '../../store/mailbox-repository.js';
import { scheduleMessageId } from '../../queue/message-id.js';
import { isConcurrencyConflict } from '../../store/concurrency-conflict.js';
import { intervalStart } from '../../domain/pacing.js';
import { intervalJob, type IntervalSlot } from './interval-job.js';
import { DEAD_LETTERS_READ, rosterGauges } from './roster-gauges.js';
import { isSynced } from '../../domain/mailbox.js';
import type { SyncDeps } from '../sync-deps.js';
import { dispatchExchangePolls, type ExchangePollResult } from './exchange-polls.js';

export type DispatchResult = (
  | { readonly status: 'not-due'; readonly interval: string }
  | { readonly status: 'dispatched'; readonly interval: string; readonly enqueued: number; readonly quiet: number; readonly backingOff: number }
) & { readonly exchangePolls: ExchangePollResult };

const SEND_CHUNK = 500;

export async function dispatch(deps: SyncDeps): Promise<DispatchResult> {
  // Its own cadence and checkpoint: due every EXCHANGE_POLL_INTERVAL, whatever this interval says.
  const exchangePolls = await dispatchExchangePolls(deps);
  const now = deps.now().getTime();
  const intervalMs = deps.config.sync.updateIntervalMs;
  const start = intervalStart(now, intervalMs);
  const interval = new Date(start).toISOString();

  const last = await deps.store.state.get('dispatch', 'interval');
  if (last && last.value >= interval) return { status: 'not-due', interval, exchangePolls };

  let enqueued = 0;
  let quiet = 0;
  let batch: OutgoingJob[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    await deps.queue.sendMany(batch);
    enqueued += batch.length;
    batch = [];
  };
  let backingOff = 0;
  const slot: IntervalSlot = { now, start, intervalMs, quiet: deps.config.sync.subscribeOff, messageId: scheduleMessageId };
  const gauges = rosterGauges(await deps.store.deadLetters.list(DEAD_LETTERS_READ), now);
  for await (const mailbox of deps.store.mailboxes.listSummaries()) {
    gauges.add(mailbox);
    if (!isSynced(mailbox.state) && !reprobeDue(mailbox)) continue;
    const planned = intervalJob(mailbox, slot);
    if (planned.kind === 'backing-off') backingOff += 1;
    else if (planned.kind === 'quiet') quiet += 1;
    else batch.push(planned.job);
    if (batch.length >= SEND_CHUNK) await flush();
  }
  await flush();
  try {
    await deps.store.state.set('dispatch', 'interval', interval, last?.etag);
  } catch (error) {
    // Another instance dispatched this interval too: its messages and ours had the same ids.
    if (!isConcurrencyConflict(error)) throw error;
  }
  gauges.report(deps.telemetry);
  deps.logger.info('dispatch.done', { interval, enqueued, quiet, backingOff });
  return { status: 'dispatched', interval, enqueued, quiet, backingOff, exchangePolls };
}

/** An invalid mailbox the sync job set aside (not the roster) is probed again once its backoff ends. */
function reprobeDue(mailbox: MailboxSummary): boolean {
  return mailbox.state === 'invalid' && mailbox.retryAt !== undefined;
}
