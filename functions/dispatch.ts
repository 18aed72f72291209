/**
 * Timer: the polling safety net, one spread job per synced mailbox per UPDATE_INTERVAL, and the
 * polls of Exchange mailboxes without push every EXCHANGE_POLL_INTERVAL (it fires every minute).
 */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { getDeps } from '../shared/app/app-context.js';
import { dispatch } from '../shared/sync/roster/dispatch-jobs.js';

export async function dispatchTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  const result = await dispatch(await getDeps());
  if (result.status === 'dispatched') context.log(`dispatched ${result.enqueued} jobs for ${result.interval}`);
  if (result.exchangePolls.status === 'polled') context.log(`polled ${result.exchangePolls.enqueued} Exchange mailboxes for ${result.exchangePolls.interval}`);
}

app.timer('dispatch', { schedule: '30 * * * * *', handler: dispatchTimer });
