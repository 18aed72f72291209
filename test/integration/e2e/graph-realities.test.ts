import { afterEach, describe, expect, it } from 'vitest';
import { aJob } from '../../support/mailbox-job-harness.js';
import type { LocalEnvironment } from '../../../tools/local-env/local-environment.js';
import { DEMO_GRAPH_DOMAIN } from '../../../tools/demo/demo-organisation.js';
import { startE2e, syncEveryone } from './e2e-harness.js';
import { expectConverged } from './convergence.js';

let env: LocalEnvironment | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

/** A CMG user whose mail address is not her UPN in Entra ID. */
const NADIA = { key: 'u-nadia', address: `nadia.holm@${DEMO_GRAPH_DOMAIN}`, userPrincipalName: 'nh4521@contoso.onmicrosoft.com' };

/** Adds Nadia to Graph (one meeting in two hours) and to CMG's roster; returns her object id. */
function addNadia(e: LocalEnvironment): string {
  const { id } = e.graph.control.addUser({ address: NADIA.address, userPrincipalName: NADIA.userPrincipalName });
  const hour = Math.ceil(e.deps.now().getTime() / 3_600_000) * 3_600_000;
  e.graph.control.addEvent(NADIA.address, { subject: 'Budget review', start: new Date(hour + 2 * 3_600_000).toISOString(), end: new Date(hour + 3 * 3_600_000).toISOString() });
  e.cmg.control.changeUser({ userId: NADIA.key, email: NADIA.address, calendarSync: true, language: 'en', forwardByDefault: false, messageSystem: 1 });
  return id;
}

describe('Graph realities through the production composition', () => {
  it('when a mailbox address is not the UPN and the profile resolves addresses, then it is found in the directory, synced, and its object id remembered', async () => {
    env = await startE2e({ settings: { PROFILE_M365_RESOLVE_ADDRESSES: 'true' } });
    const nadiaId = addNadia(env);
    await syncEveryone(env);

    expect(env.cmg.control.activities(NADIA.key).map((a) => a.activity.text)).toEqual(['Budget review']);
    const mailbox = await env.deps.store.mailboxes.get(NADIA.key);
    expect(mailbox).toMatchObject({ state: 'active', directoryId: nadiaId, directoryIdAddress: NADIA.address });
    await expectConverged(env);

    // The next job reads by the remembered id: no directory request.
    env.graph.clearRecord();
    await env.queue.send(aJob(NADIA.key, { reason: 'notification' }), { messageId: 'nadia-again' });
    await env.queue.whenIdle({ horizonMs: 0 });
    expect(env.graph.control.apiRequests().filter((r) => r.path === '/users')).toEqual([]);
    expect((await env.deps.store.mailboxes.get(NADIA.key))?.lastSyncMode).toBe('delta');
  });

  it('when a mailbox address is not the UPN and the profile does not resolve addresses, then it is reported invalid with the cause and the fix', async () => {
    env = await startE2e();
    addNadia(env);
    await syncEveryone(env);

    const mailbox = await env.deps.store.mailboxes.get(NADIA.key);
    expect(mailbox?.state).toBe('invalid');
    expect(mailbox?.stateReason).toContain("not the user's UPN");
    expect(mailbox?.stateReason).toContain('PROFILE_M365_RESOLVE_ADDRESSES=true');
    expect(mailbox?.stateReason).toContain('UPN equal to the mail address');
    expect(env.cmg.control.activities(NADIA.key)).toEqual([]);
    await expectConverged(env);
  });

  it('when Graph answers 400 to the stored delta tokens, then every job runs a full sync and no mailbox becomes invalid', async () => {
    env = await startE2e();
    await syncEveryone(env);
    const graphKeys = env.org.people.filter((p) => p.provider === 'graph').map((p) => p.key);
    for (const key of graphKeys) {
      const mailbox = (await env.deps.store.mailboxes.get(key))!;
      const { etag, ...row } = mailbox;
      // What Graph no longer accepts: it answers 400 "The delta token is malformed."
      await env.deps.store.mailboxes.update({ ...row, syncToken: mailbox.syncToken!.replace(/\$deltatoken=.*/, '$deltatoken=bm90LWEtdG9rZW4') }, etag);
    }
    env.graph.clearRecord();
    for (const key of graphKeys) await env.queue.send(aJob(key, { reason: 'notification' }), { messageId: `bad-token-${key}` });
    await env.queue.whenIdle({ horizonMs: 0 });

    expect(env.graph.record.some((r) => r.path === '/v1.0/$batch')).toBe(true);
    for (const key of graphKeys) {
      const mailbox = await env.deps.store.mailboxes.get(key);
      expect(mailbox, key).toMatchObject({ state: 'active', lastSyncMode: 'full', failures: 0 });
    }
    await expectConverged(env);
  });
});
