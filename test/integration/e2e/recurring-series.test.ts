/**
 * Recurring series as Graph sends them (stubs in calendarView/delta, no `@removed` for the
 * occurrences a change takes away), through the production composition: each change is
 * settled by the notification job's delta, never by a full sync.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { externalIdFor } from '../../../shared/domain/external-id.js';
import type { LocalEnvironment } from '../../../tools/local-env/local-environment.js';
import { aJob } from '../../support/mailbox-job-harness.js';
import { expectConverged, expectNoActivityCreatedTwice } from './convergence.js';
import { startE2e, syncEveryone } from './e2e-harness.js';

let env: LocalEnvironment | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const HOUR = 3_600_000;
let sent = 0;

type Org = { events: Record<string, Array<Record<string, unknown>>> };

/** The first Graph person, their daily stand-up series' id, and what CMG holds for them. */
async function standUpOf(e: LocalEnvironment) {
  await syncEveryone(e);
  const person = e.org.people.find((p) => p.provider === 'graph')!;
  const seriesId = e.graphEventIds.get(`${person.key}-standup`)!;
  const standUp = (e.org as unknown as Org).events[person.key]!.find((event) => event.id === `${person.key}-standup`)!;
  return { person, seriesId, standUp };
}

/** Sends one notification job for the mailbox and waits until the queue is quiet. */
async function notify(e: LocalEnvironment, key: string): Promise<void> {
  e.cmg.clearRecord();
  await e.queue.send(aJob(key, { reason: 'notification' }), { messageId: `series-${key}-${(sent += 1)}` });
  await e.queue.whenIdle({ horizonMs: 0 });
}

const cmgIds = (e: LocalEnvironment, key: string): string[] => e.cmg.control.activities(key).map((a) => a.externalId).sort();
const standUps = (e: LocalEnvironment, key: string, text: string) => e.cmg.control.activities(key).filter((a) => a.activity.text === text);

/** The job that settled it was incremental, and our record agrees with CMG. */
async function expectSettledByDelta(e: LocalEnvironment, key: string): Promise<void> {
  const mailbox = await e.deps.store.mailboxes.get(key);
  expect(mailbox?.lastSyncMode).toBe('delta');
  const recorded = (await e.deps.store.activities.listForMailbox(key)).map((a) => a.externalId).sort();
  expect(recorded).toEqual(cmgIds(e, key));
  expect(mailbox?.activityCount).toBe(recorded.length);
  expectNoActivityCreatedTwice(e);
}

describe('recurring series reach CMG through the notification job', () => {
  it('when one occurrence of a daily series is cancelled, then exactly that activity goes', async () => {
    env = await startE2e();
    const { person, seriesId } = await standUpOf(env);
    const inWindow = standUps(env, person.key, 'Daily stand-up');
    expect(inWindow.length).toBeGreaterThanOrEqual(3);
    const occurrence = env.graph.control.occurrences(person.address, seriesId).find((o) => externalIdFor('graph', person.key, o.id) === inWindow[1]!.externalId)!;
    const before = cmgIds(env, person.key);

    env.graph.control.cancelOccurrence(person.address, seriesId, occurrence.id);
    await notify(env, person.key);

    expect(cmgIds(env, person.key)).toEqual(before.filter((id) => id !== inWindow[1]!.externalId));
    expect(env.cmg.record.filter((r) => r.method === 'DELETE')).toHaveLength(1);
    await expectSettledByDelta(env, person.key);
  });

  it('when a whole series moves by an hour, then CMG holds exactly the new occurrences and no old id is left', async () => {
    env = await startE2e();
    const { person, seriesId, standUp } = await standUpOf(env);
    const old = standUps(env, person.key, 'Daily stand-up');
    const others = cmgIds(env, person.key).filter((id) => !old.some((a) => a.externalId === id));

    standUp.start = new Date(Date.parse(standUp.start as string) + HOUR).toISOString();
    standUp.end = new Date(Date.parse(standUp.end as string) + HOUR).toISOString();
    env.graph.control.updateEvent(person.address, seriesId, { start: standUp.start as string, end: standUp.end as string });
    await notify(env, person.key);

    const moved = standUps(env, person.key, 'Daily stand-up');
    expect(moved.map((a) => Date.parse(a.activity.start)).sort()).toEqual(old.map((a) => Date.parse(a.activity.start) + HOUR).sort());
    for (const a of old) expect(cmgIds(env, person.key)).not.toContain(a.externalId);
    expect(cmgIds(env, person.key).filter((id) => !moved.some((a) => a.externalId === id))).toEqual(others);
    await expectConverged(env, [person.key]);
    await expectSettledByDelta(env, person.key);
  });

  it('when a series is renamed, then every one of its activities changes', async () => {
    env = await startE2e();
    const { person, seriesId, standUp } = await standUpOf(env);
    const old = standUps(env, person.key, 'Daily stand-up');

    standUp.subject = 'Team stand-up';
    env.graph.control.updateEvent(person.address, seriesId, { subject: 'Team stand-up' });
    await notify(env, person.key);

    expect(standUps(env, person.key, 'Daily stand-up')).toEqual([]);
    expect(standUps(env, person.key, 'Team stand-up').map((a) => a.externalId).sort()).toEqual(old.map((a) => a.externalId).sort());
    expect(env.cmg.record.filter((r) => r.method === 'PUT')).toHaveLength(old.length);
    await expectConverged(env, [person.key]);
    await expectSettledByDelta(env, person.key);
  });

  it('when a series is deleted, then every one of its activities goes', async () => {
    env = await startE2e();
    const { person, seriesId } = await standUpOf(env);
    const old = standUps(env, person.key, 'Daily stand-up');
    expect(old.length).toBeGreaterThan(0);
    const others = cmgIds(env, person.key).filter((id) => !old.some((a) => a.externalId === id));
    const org = env.org as unknown as Org;
    org.events[person.key] = org.events[person.key]!.filter((event) => event.id !== `${person.key}-standup`);

    env.graph.control.deleteEvent(person.address, seriesId);
    await notify(env, person.key);

    expect(cmgIds(env, person.key)).toEqual(others);
    expect(env.cmg.record.filter((r) => r.method === 'DELETE')).toHaveLength(old.length);
    await expectConverged(env, [person.key]);
    await expectSettledByDelta(env, person.key);
  });
});
