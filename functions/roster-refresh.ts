/**
 * Timer: refreshes the roster from CMG when ROSTER_PERIOD has passed (it fires every minute; the
 * period is a setting), the first time ROSTER_INITIAL_DELAY after the instance started.
 */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { getDeps } from '../shared/app/app-context.js';
import { refreshRosterIfDue } from '../shared/sync/roster/refresh-roster.js';

/** When this instance loaded the function: ROSTER_INITIAL_DELAY counts from here. */
const startedAt = new Date();

export async function rosterRefresh(_timer: Timer, context: InvocationContext): Promise<void> {
  const report = await refreshRosterIfDue(await getDeps(), startedAt);
  if (report) context.log(`roster refreshed: ${report.changedUsers} changed users, ${report.written} mailboxes written, ${report.enqueued} jobs`);
}

app.timer('roster-refresh', { schedule: '0 * * * * *', runOnStartup: false, handler: rosterRefresh });
