import { afterEach, describe, expect, it } from 'vitest';
import { refreshRoster } from '../../../../shared/sync/roster/refresh-roster.js';
import { planMailbox } from '../../../../shared/sync/job/plan-mailbox.js';
import { demoOrganisation } from '../../../../tools/demo/demo-organisation.js';
import type { LocalEnvironment } from '../../../../tools/local-env/local-environment.js';
import { expectedFor, startE2e, wednesdayClock } from '../../e2e/e2e-harness.js';

let env: LocalEnvironment | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

/** Two people, one per provider, on the suite's Azurite; the roster read, nothing synced. */
async function twoPeople(): Promise<LocalEnvironment> {
  const started = await startE2e({ org: demoOrganisation({ now: wednesdayClock()(), graphUsers: 1, googleUsers: 1 }) });
  await refreshRoster(started.deps, { full: true });
  return started;
}

describe('plan: choose, fetch, map, diff (sync/job/plan-mailbox.ts)', () => {
  it('when a mailbox has no token, then the plan is a full one with one upsert per expected activity, and nothing reaches CMG', async () => {
    env = await twoPeople();
    for (const person of env.org.people) {
      const mailbox = (await env.deps.store.mailboxes.get(person.key))!;

      const plan = await planMailbox(env.deps, mailbox, { full: false });

      if (plan.kind !== 'plan') throw new Error(`${person.key}: ${plan.kind} ${plan.reason}`);
      expect(plan.fetched.mode).toBe('full');
      expect(plan.operations.every((o) => o.op === 'upsert')).toBe(true);
      expect(plan.operations).toHaveLength((await expectedFor(env, person.key)).length);
      expect(env.cmg.control.activities(person.key)).toEqual([]);
    }
  });

  it('when every profile serving the domain says the user does not exist, then the plan is that evidence, not a refusal', async () => {
    env = await twoPeople();
    const person = env.org.people.find((p) => p.provider === 'graph')!;
    const mailbox = (await env.deps.store.mailboxes.get(person.key))!;
    const stranger = { ...mailbox, address: `nobody@${mailbox.domain}` };

    const plan = await planMailbox(env.deps, stranger, { full: false });

    expect(plan.kind).toBe('unavailable');
  });
});
