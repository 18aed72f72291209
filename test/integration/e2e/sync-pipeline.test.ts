import { afterEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../../shared/sync/roster/dispatch-jobs.js';
import { refreshRoster } from '../../../shared/sync/roster/refresh-roster.js';
import type { LocalEnvironment } from '../../../tools/local-env/local-environment.js';
import { cmgActivities, expectedFor, startE2e, syncEveryone } from './e2e-harness.js';

let env: LocalEnvironment | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

describe('sync pipeline, end to end', () => {
  it('when the roster is read and every mailbox synced, then CMG holds exactly the expected activities of every demo user', async () => {
    env = await startE2e();
    await syncEveryone(env);

    for (const person of env.org.people) {
      expect(cmgActivities(env, person.key), `${person.key} ${person.address} (${person.provider})`).toEqual(await expectedFor(env, person.key));
    }
    const mailboxes = await env.deps.store.mailboxes.list({ pageSize: 1000 });
    const states = Object.fromEntries(mailboxes.items.map((m) => [m.key, m.state]));
    expect(states['2001']).toBeUndefined(); // no address, never synced: no row
    expect(states['2003']).toBe('invalid'); // no profile serves partner.org
    expect(mailboxes.items.find((m) => m.key === '2004')).toMatchObject({ state: 'active', multiAddress: true });
  });

  it('when the dispatch timer runs, then every synced mailbox gets one spread job and the interval is dispatched once', async () => {
    env = await startE2e({ settings: { UPDATE_INTERVAL: '1m' } });
    await refreshRoster(env.deps, { full: true });
    const first = await dispatch(env.deps);
    const again = await dispatch(env.deps);
    expect(first).toMatchObject({ status: 'dispatched', enqueued: env.org.people.length + 1 });
    expect(again.status).toBe('not-due');
  });
});
