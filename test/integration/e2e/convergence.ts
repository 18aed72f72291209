/** Assertions of the invariants: once quiet, CMG holds exactly the expected activities, none created twice. */
import { expect } from 'vitest';
import type { LocalEnvironment } from '../../../tools/local-env/local-environment.js';
import { cmgActivities, expectedFor } from './e2e-harness.js';

export async function expectConverged(env: LocalEnvironment, keys: readonly string[] = env.org.people.map((p) => p.key)): Promise<void> {
  for (const key of keys) {
    expect(cmgActivities(env, key), `mailbox ${key}`).toEqual(await expectedFor(env, key));
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
