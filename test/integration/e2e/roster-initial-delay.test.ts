import { afterEach, describe, expect, it } from 'vitest';
import { refreshRosterIfDue } from '../../../shared/sync/roster/refresh-roster.js';
import type { LocalEnvironment } from '../../../tools/local-env/local-environment.js';
import { startE2e } from './e2e-harness.js';

let env: LocalEnvironment | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const MINUTE = 60_000;

describe('ROSTER_INITIAL_DELAY', () => {
  it('when the instance started less than the delay ago, then the roster is not refreshed; once the delay has passed, it is', async () => {
    env = await startE2e({ settings: { ROSTER_INITIAL_DELAY: '10m' } });
    const now = env.deps.now().getTime();
    env.cmg.clearRecord();

    expect(await refreshRosterIfDue(env.deps, new Date(now - 9 * MINUTE))).toBeUndefined();
    expect(env.cmg.record).toEqual([]);
    expect(await env.deps.store.state.get('roster', 'ranAt')).toBeUndefined();

    const report = await refreshRosterIfDue(env.deps, new Date(now - 10 * MINUTE));
    expect(report).toMatchObject({ full: true });
    expect(env.cmg.record.map((r) => r.path)).toEqual([expect.stringMatching(/calendar-settings$/)]);
  });
});
