/** What CMG holds in a local environment, next to what the oracle (tools/demo/expected-activities.ts) says it should. */
import { calendarWindow } from '../../shared/domain/calendar-window.js';
import { expectedActivities, sortActivities, type ExpectedActivity } from '../demo/expected-activities.js';
import type { LocalEnvironment } from './local-environment.js';

/** What CMG holds for a user, in the oracle's shape. */
export function cmgActivities(env: LocalEnvironment, key: string): ExpectedActivity[] {
  return sortActivities(
    env.cmg.control.activities(key).map(({ activity }) => ({
      code: activity.code,
      text: activity.text,
      forward: activity.forward,
      start: Date.parse(activity.start),
      end: Date.parse(activity.end),
    })),
  );
}

export async function expectedFor(env: LocalEnvironment, key: string): Promise<ExpectedActivity[]> {
  const person = env.org.people.find((p) => p.key === key)!;
  const mailbox = await env.deps.store.mailboxes.get(key);
  const since = mailbox?.automaticRepliesSince ? Date.parse(mailbox.automaticRepliesSince) : undefined;
  return expectedActivities(env.org, person, calendarWindow(env.deps.now(), env.config.mapping), since);
}
