/** Timer: keeps a live Graph subscription or Google channel for every synced mailbox (push). */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { getDeps } from '../shared/app/app-context.js';
import { maintainSubscriptions } from '../shared/sync/push/maintain-subscriptions.js';

export async function subscriptionsTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  const report = await maintainSubscriptions(await getDeps());
  if (report.status === 'push-off') context.log('push is off (WEBHOOK_BASE_URL not set): polling alone keeps calendars in step');
  else if (report.status === 'quiet') context.log(`subscriptions: quiet period, put off until ${report.until}`);
  else context.log(`subscriptions: ${report.created} created, ${report.renewed} renewed, ${report.deleted} deleted, ${report.failed} failed`);
}

app.timer('subscriptions', { schedule: '0 */10 * * * *', runOnStartup: true, handler: subscriptionsTimer });
