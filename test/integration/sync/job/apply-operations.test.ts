import { afterEach, describe, expect, it } from 'vitest';
import { refreshRoster } from '../../../../shared/sync/roster/refresh-roster.js';
import { applyOperations } from '../../../../shared/sync/job/apply-operations.js';
import { planMailbox, type MailboxPlan } from '../../../../shared/sync/job/plan-mailbox.js';
import type { StoredMailbox } from '../../../../shared/store/mailbox-repository.js';
import { demoOrganisation } from '../../../../tools/demo/demo-organisation.js';
import type { LocalEnvironment } from '../../../../tools/local-env/local-environment.js';
import { startE2e, wednesdayClock } from '../../e2e/e2e-harness.js';

let env: LocalEnvironment | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

async function planned(e: LocalEnvironment, mailbox: StoredMailbox): Promise<MailboxPlan> {
  const plan = await planMailbox(e.deps, mailbox, { full: false });
  if (plan.kind !== 'plan') throw new Error(`${plan.kind}: ${plan.reason}`);
  return plan;
}

describe('apply: the plan sent to CMG (sync/job/apply-operations.ts)', () => {
  it('when CMG refuses one activity for good, then the others are applied and recorded, the refusal is recorded with its code, and the next plan does not send it again', async () => {
    env = await startE2e({ org: demoOrganisation({ now: wednesdayClock()(), graphUsers: 1, googleUsers: 0 }) });
    await refreshRoster(env.deps, { full: true });
    const person = env.org.people[0]!;
    const mailbox = (await env.deps.store.mailboxes.get(person.key))!;
    const plan = await planned(env, mailbox);
    const upserts = plan.operations.flatMap((o) => (o.op === 'upsert' ? [o.activity.externalId] : []));
    expect(upserts.length).toBeGreaterThan(1);
    const refusedId = upserts[0]!;
    env.cmg.fault({ kind: 'status', status: 422, method: 'PUT', path: new RegExp(`/activities/${refusedId}$`), times: Infinity });

    const applied = await applyOperations(env.deps, mailbox, plan.operations);

    expect(applied.rejected.map((r) => [r.externalId, r.code])).toEqual([[refusedId, 'http_422']]);
    expect([...applied.upsertedIds].sort()).toEqual(upserts.filter((id) => id !== refusedId).sort());
    expect(env.cmg.control.activities(person.key).map((a) => a.externalId).sort()).toEqual([...applied.upsertedIds].sort());
    const rows = await env.deps.store.activities.listForMailbox(person.key);
    expect(rows.filter((r) => r.rejected !== undefined).map((r) => [r.externalId, r.rejected])).toEqual([[refusedId, 'http_422']]);
    expect(rows).toHaveLength(upserts.length);

    const again = await planned(env, mailbox);
    expect(again.operations).toEqual([]);
  });
});
