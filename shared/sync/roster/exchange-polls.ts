/**
 * Polling for Exchange mailboxes that Exchange cannot push to (a profile with PUSH=false, or push
 * off altogether): every EXCHANGE_POLL_INTERVAL each synced mailbox of such a profile gets a job,
 * spread over the interval like the scheduled ones. A poll of a quiet calendar is one
 * SyncFolderItems request, the cheapest EWS call there is. Skipped in the quiet period and for a
 * mailbox in backoff, as dispatch-jobs.ts does; a State checkpoint and the message ids
 * (`poll:{key}:{interval}`) make a repeated or racing run send nothing twice.
 */
import type { OutgoingJob } from '../../queue/job-queue.js';
import { pollMessageId } from '../../queue/message-id.js';
import { isConcurrencyConflict } from '../../store/concurrency-conflict.js';
import { intervalStart } from '../../domain/pacing.js';
import { intervalJob, type IntervalSlot } from './interval-job.js';
import { isSynced } from '../../domain/mailbox.js';
import type { SyncDeps } from '../sync-deps.js';

export type ExchangePollResult =
  | { readonly status: 'none' | 'not-due' }
  | { readonly status: 'polled'; readonly interval: string; readonly enqueued: number; readonly quiet: number; readonly backingOff: number };

/** Profiles whose mailboxes are polled. */
export function pollingProfiles(deps: Pick<SyncDeps, 'config'>): string[] {
  const pushOff = deps.config.push.webhookBaseUrl === undefined;
  return deps.config.profiles.filter((p) => p.kind === 'exchange' && (pushOff || !p.push)).map((p) => p.name);
}

const PAGE = 1000;

export async function dispatchExchangePolls(deps: SyncDeps): Promise<ExchangePollResult> {
  const profiles = pollingProfiles(deps);
  if (profiles.length === 0) return { status: 'none' };
  const now = deps.now().getTime();
  const intervalMs = deps.config.push.exchangePollIntervalMs;
  const start = intervalStart(now, intervalMs);
  const interval = new Date(start).toISOString();
  const last = await deps.store.state.get('dispatch', 'exchange-poll');
  if (last && last.value >= interval) return { status: 'not-due' };

  let enqueued = 0;
  let quiet = 0;
  let backingOff = 0;
  const slot: IntervalSlot = { now, start, intervalMs, quiet: deps.config.sync.subscribeOff, messageId: pollMessageId };
  for (const profile of profiles) {
    let cursor: string | undefined;
    do {
      // Only this profile's rows are read: the table filters on the profile.
      const page = await deps.store.mailboxes.query({ profile, pageSize: PAGE, scanLimit: PAGE, cursor });
      const batch: OutgoingJob[] = [];
      for (const mailbox of page.items) {
        if (!isSynced(mailbox.state)) continue;
        const planned = intervalJob(mailbox, slot);
        if (planned.kind === 'backing-off') backingOff += 1;
        else if (planned.kind === 'quiet') quiet += 1;
        else batch.push(planned.job);
      }
      if (batch.length > 0) await deps.queue.sendMany(batch);
      enqueued += batch.length;
      cursor = page.cursor;
    } while (cursor !== undefined);
  }
  try {
    await deps.store.state.set('dispatch', 'exchange-poll', interval, last?.etag);
  } catch (error) {
    // Another instance polled this interval too: its messages and ours had the same ids.
    if (!isConcurrencyConflict(error)) throw error;
  }
  deps.logger.info('dispatch.exchange-polled', { interval, enqueued, quiet, backingOff });
  return { status: 'polled', interval, enqueued, quiet, backingOff };
}
