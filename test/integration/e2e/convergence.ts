/** Assertions of the invariants: once quiet, CMG holds exactly the expected activities, none created twice. */
import { expect } from 'vitest';
import type { LocalEnvironment } from '../../../tools/local-env/local-environment.js';
import { cmgActivities, expectedFor } from './e2e-harness.js';

/**
 * CMG holds what the oracle expects, and our record agrees with CMG: the Activities table names
 * exactly CMG's activities, and the mailbox's count is theirs.
 */
export async function expectConverged(env: LocalEnvironment, keys: readonly string[] = env.org.people.map((p) => p.key)): Promise<void> {
  for (const key of keys) {
    expect(cmgActivities(env, key), `mailbox ${key}`).toEqual(await expectedFor(env, key));
    const inCmg = env.cmg.control.activities(key).map((a) => a.externalId).sort();
    const recorded = (await env.deps.store.activities.listForMailbox(key)).map((a) => a.externalId).sort();
    expect(recorded, `Activities table of ${key}`).toEqual(inCmg);
    const mailbox = await env.deps.store.mailboxes.get(key);
    if (mailbox) expect(mailbox.activityCount, `activity count of ${key}`).toBe(inCmg.length);
  }
}

/** Every activity was created (201) at most once: retries and replays only ever replaced it. */
export function expectNoActivityCreatedTwice(env: LocalEnvironment): void {
  const created = new Map<string, number>();
  for (const r of env.cmg.record) {
    if (r.method === 'PUT' && r.status === 201) created.set(r.path, (created.get(r.path) ?? 0) + 1);
  }
  const twice = [...created].filter(([, n]) => n > 1);
  expect(twice).toEqual([]);
}
