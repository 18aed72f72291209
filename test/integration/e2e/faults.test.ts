import { afterEach, describe, expect, it } from 'vitest';
import { aJob } from '../../support/mailbox-job-harness.js';
import type { Mailbox } from '../../../shared/domain/mailbox.js';
import type { LocalEnvironment } from '../../../tools/local-env/local-environment.js';
import { addGoogleEvents, startE2e, syncEveryone, wednesdayClock } from './e2e-harness.js';
import { demoOrganisation } from '../../../tools/demo/demo-organisation.js';
import { expectConverged, expectNoActivityCreatedTwice } from './convergence.js';

let env: LocalEnvironment | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

// Fast backoff so recovery fits a test; the rules are the production ones.
const FAST = { JOB_RETRY_BASE: '200ms', JOB_RETRY_MAX: '2s', CMG_MAX_RETRIES: '1', PROVIDER_MAX_RETRIES: '1', JOB_MAX_ATTEMPTS: '20' };

async function rosterOnly(e: LocalEnvironment): Promise<void> {
  const { refreshRoster } = await import('../../../shared/sync/roster/refresh-roster.js');
  await refreshRoster(e.deps, { full: true });
}

describe('faults: once quiet, CMG holds exactly the expected activities', () => {
  it('when CMG is down for a while, then jobs back off and retry, and nothing is lost or doubled', async () => {
    env = await startE2e({ settings: FAST });
    await rosterOnly(env);
    env.cmg.switches.down = true;
    env.startWorker();
    await new Promise((r) => setTimeout(r, 1500));
    const retries = (await env.deps.store.mailboxes.list({ pageSize: 1000 })).items.filter((m) => m.failures > 0);
    expect(retries.length).toBeGreaterThan(0);

    env.cmg.switches.down = false;
    await env.queue.whenIdle();

    await expectConverged(env);
    expectNoActivityCreatedTwice(env);
    expect(env.queue.deadLettered()).toEqual([]);
    const after = (await env.deps.store.mailboxes.list({ pageSize: 1000 })).items;
    expect(after.filter((m) => m.state === 'active' && m.failures > 0)).toEqual([]);
  });

  it('when Graph answers 429 with Retry-After, then the waits are honoured and every mailbox still converges', async () => {
    // Without the demo's shared-address user, whose requests are identical to its twin's.
    const demo = demoOrganisation({ now: wednesdayClock()() });
    env = await startE2e({ settings: FAST, org: { ...demo, otherCmgUsers: demo.otherCmgUsers.filter((u) => u.email !== demo.people[0]!.address) } });
    const throttle = env.graph.fault({ kind: 'status', status: 429, retryAfter: '1', times: 6, path: /calendarView|\$batch/ });
    await syncEveryone(env);
    expect(throttle.times).toBe(0);
    const throttled = env.graph.record.filter((r) => r.status === 429);
    expect(throttled).toHaveLength(6);
    // Each 429 said "wait a second": the same request (a $batch is told apart by its body) came no sooner.
    for (const t of throttled) {
      const next = env.graph.record.find((r) => r.at > t.at && r.path === t.path && r.query === t.query && r.body === t.body);
      if (next) expect(next.at - t.at).toBeGreaterThanOrEqual(950);
    }
    await expectConverged(env);
  });

  it('when the job crashes after CMG acknowledged but before the token is saved, then the retry converges without duplicates', async () => {
    env = await startE2e({ settings: FAST });
    await rosterOnly(env);
    const mailboxes = env.deps.store.mailboxes;
    const update = mailboxes.update.bind(mailboxes);
    let crashes = 0;
    mailboxes.update = async (mailbox: Mailbox, etag: string) => {
      if (mailbox.syncToken && crashes < 5) {
        crashes += 1;
        throw new Error('simulated crash before the token is saved');
      }
      return update(mailbox, etag);
    };
    env.startWorker();
    await env.queue.whenIdle();
    expect(crashes).toBe(5);

    await expectConverged(env);
    expectNoActivityCreatedTwice(env);
    const stored = await env.deps.store.activities.listForMailbox(env.org.people[0]!.key);
    expect(stored.length).toBe(env.cmg.control.activities(env.org.people[0]!.key).length);
  });

  it('when the acknowledgements cannot be recorded after CMG took them, then the retry sends them again and converges without duplicates', async () => {
    env = await startE2e({ settings: FAST });
    await rosterOnly(env);
    const activities = env.deps.store.activities;
    const writeAll = activities.writeAll.bind(activities);
    let failures = 0;
    activities.writeAll = async (mailboxKey, writes) => {
      if (writes.put.length > 0 && failures < 5) {
        failures += 1;
        throw new Error('simulated loss of the Activities table');
      }
      return writeAll(mailboxKey, writes);
    };
    env.startWorker();
    await env.queue.whenIdle();
    expect(failures).toBe(5);

    await expectConverged(env);
    expectNoActivityCreatedTwice(env);
    for (const person of env.org.people) {
      const stored = await activities.listForMailbox(person.key);
      expect(stored.length).toBe(env.cmg.control.activities(person.key).length);
    }
  });

  it('when a delta job fails after CMG acknowledged a new event but before the mailbox is saved, then the retry counts the record again', async () => {
    env = await startE2e({ settings: FAST });
    const person = await newEventThenCrashBeforeSave(env);

    await env.queue.send(aJob(person.key), { messageId: 'after-change' });
    await env.queue.whenIdle();

    expect(env.cmg.record.filter((r) => r.method === 'PUT' && r.status === 201)).toHaveLength(1);
    await expectConverged(env, [person.key]);
  });

  it('when a delta job dies before it can even record the failure, then its retry counts the record again', async () => {
    env = await startE2e({ settings: FAST });
    const person = await newEventThenCrashBeforeSave(env);
    // The failure handler's own read fails too: a retry is scheduled through the queue alone.
    const mailboxes = env.deps.store.mailboxes;
    const get = mailboxes.get.bind(mailboxes);
    let reads = 0;
    mailboxes.get = async (key: string) => {
      reads += 1;
      if (reads === 2) throw new Error('simulated loss of the store');
      return get(key);
    };

    await env.queue.send(aJob(person.key), { messageId: 'after-change' });
    await env.queue.whenIdle();

    expect(reads).toBeGreaterThanOrEqual(3);
    await expectConverged(env, [person.key]);
  });

  it('when jobs are duplicated and arrive out of order around a change, then CMG ends with the latest state once', async () => {
    env = await startE2e({ settings: FAST });
    await syncEveryone(env);
    const person = env.org.people.find((p) => p.provider === 'graph')!;
    const org = env.org as unknown as { events: Record<string, Array<Record<string, unknown>>> };
    org.events[person.key]!.find((e) => e.id === `${person.key}-lunch`)!.subject = 'Lunch with Sara';
    env.graph.control.updateEvent(person.address, env.graphEventIds.get(`${person.key}-lunch`)!, { subject: 'Lunch with Sara' });

    // A full job, two delta jobs and a stale retry, each under its own id, out of order.
    await Promise.all([
      env.queue.send(aJob(person.key), { messageId: 'dup-1' }),
      env.queue.send(aJob(person.key, { full: true, reason: 'retry' }), { messageId: 'stale-retry' }),
      env.queue.send(aJob(person.key), { messageId: 'dup-2' }),
      env.queue.send(aJob(person.key, { full: true }), { messageId: 'full-1' }),
    ]);
    await env.queue.whenIdle();

    await expectConverged(env, [person.key]);
    expectNoActivityCreatedTwice(env);
    const lunchPuts = env.cmg.record.filter((r) => r.method === 'PUT' && r.body.includes('Lunch with Sara'));
    expect(lunchPuts).toHaveLength(1);
  });
});

/**
 * Everyone synced; then a new meeting in a Google calendar, and the next job's save of that
 * mailbox after its delta fails once, as if the process died just before it.
 */
async function newEventThenCrashBeforeSave(e: LocalEnvironment): Promise<LocalEnvironment['org']['people'][number]> {
  await syncEveryone(e);
  const person = e.org.people.find((p) => p.provider === 'google')!;
  addGoogleEvents(e, person, 1);
  e.cmg.clearRecord();
  const mailboxes = e.deps.store.mailboxes;
  const update = mailboxes.update.bind(mailboxes);
  let crashed = false;
  mailboxes.update = async (mailbox: Mailbox, etag: string) => {
    if (!crashed && mailbox.key === person.key && mailbox.lastSyncMode === 'delta') {
      crashed = true;
      throw new Error('simulated crash before the mailbox is saved');
    }
    return update(mailbox, etag);
  };
  return person;
}
