/** Starts the local environment on the suite's Azurite with tables of its own, changes calendars, and reads CMG's state back. */
import { inject } from 'vitest';
import { startLocalEnvironment, type LocalEnvironment, type LocalEnvironmentOptions } from '../../../tools/local-env/local-environment.js';
import { uniqueTablePrefix } from '../../support/test-store.js';
import { googleEvent } from '../../../tools/demo/seed-emulators.js';
export { cmgActivities, expectedFor } from '../../../tools/local-env/oracle.js';

/**
 * A Wednesday morning that then runs at the real pace: the demo week, and so every assertion,
 * is the same whatever day the suite runs, while backoff and timeouts still take real time.
 */
export function wednesdayClock(): () => Date {
  const origin = Date.now();
  const fixed = Date.parse('2026-11-25T08:00:00Z');
  return () => new Date(fixed + (Date.now() - origin));
}

export async function startE2e(options: LocalEnvironmentOptions = {}): Promise<LocalEnvironment> {
  return startLocalEnvironment({ tablesConnectionString: inject('tablesConnectionString'), tablePrefix: uniqueTablePrefix(), now: wednesdayClock(), ...options });
}

/** Roster, then every synced mailbox's first job, then quiet. */
export async function syncEveryone(env: LocalEnvironment): Promise<void> {
  const { refreshRoster } = await import('../../../shared/sync/roster/refresh-roster.js');
  await refreshRoster(env.deps, { full: true });
  env.startWorker();
  await env.queue.whenIdle({ horizonMs: 0 });
}

/** Hour-long meetings from two hours ahead, one after the other, in Google and in the oracle. */
export function addGoogleEvents(e: LocalEnvironment, person: LocalEnvironment['org']['people'][number], count: number): void {
  const hour = Math.ceil(e.deps.now().getTime() / 3_600_000) * 3_600_000;
  for (let i = 0; i < count; i += 1) {
    const added = {
      id: `${person.key}-added-${i}`,
      subject: `Added meeting ${i}`,
      start: new Date(hour + (2 + i) * 3_600_000).toISOString(),
      end: new Date(hour + (3 + i) * 3_600_000).toISOString(),
    };
    (e.org.events as Record<string, unknown[]>)[person.key]!.push(added);
    e.google.control.putEvent(person.address, googleEvent(person, added));
  }
}
