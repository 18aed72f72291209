import { afterEach, describe, expect, it } from 'vitest';
import { readConfig } from '../../../shared/config/config.js';
import { refreshRoster } from '../../../shared/sync/roster/refresh-roster.js';
import { runMailboxJob } from '../../../shared/sync/job/run-mailbox-job.js';
import { aJob } from '../../support/mailbox-job-harness.js';
import type { LocalEnvironment } from '../../../tools/local-env/local-environment.js';
import { googleEvent, googleEventId } from '../../../tools/demo/seed-emulators.js';
import type { DemoAutomaticReplies } from '../../../tools/demo/demo-organisation.js';
import { sortActivities } from '../../../tools/demo/expected-activities.js';
import { addGoogleEvents, cmgActivities, expectedFor, startE2e, syncEveryone } from './e2e-harness.js';
import { expectConverged, expectNoActivityCreatedTwice } from './convergence.js';

let env: LocalEnvironment | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

let sent = 0;
const send = (e: LocalEnvironment, key: string) => e.queue.send(aJob(key, { reason: 'notification' }), { messageId: `test-${key}-${(sent += 1)}` });

describe('changes reach CMG', () => {
  it('when events change in Graph and Google, then the next job brings exactly those changes to CMG, incrementally', async () => {
    env = await startE2e();
    await syncEveryone(env);
    const graphPerson = env.org.people.find((p) => p.provider === 'graph')!;
    const googlePerson = env.org.people.find((p) => p.provider === 'google')!;

    // The demo's own description changes with the calendars, so the oracle follows.
    const org = env.org as unknown as { events: Record<string, Array<Record<string, unknown>>> };
    const lunch = org.events[graphPerson.key]!.find((e) => e.id === `${graphPerson.key}-lunch`)!;
    lunch.subject = 'Lunch with Maria';
    env.graph.control.updateEvent(graphPerson.address, env.graphEventIds.get(`${graphPerson.key}-lunch`)!, { subject: 'Lunch with Maria' });
    const vendor = org.events[graphPerson.key]!.findIndex((e) => e.id === `${graphPerson.key}-vendor`);
    org.events[graphPerson.key]!.splice(vendor, 1);
    env.graph.control.deleteEvent(graphPerson.address, env.graphEventIds.get(`${graphPerson.key}-vendor`)!);
    const call = org.events[googlePerson.key]!.find((e) => e.id === `${googlePerson.key}-quick-sync`)!;
    call.cancelled = true;
    env.google.control.patchEvent(googlePerson.address, googleEventId(`${googlePerson.key}-quick-sync`), { status: "cancelled" });

    env.cmg.clearRecord();
    await send(env, graphPerson.key);
    await send(env, googlePerson.key);
    await env.queue.whenIdle({ horizonMs: 0 });

    await expectConverged(env, [graphPerson.key, googlePerson.key]);
    const writes = env.cmg.record.filter((r) => r.method === 'PUT' || r.method === 'DELETE');
    expect(writes.map((r) => r.method).sort()).toEqual(['DELETE', 'DELETE', 'PUT']);
    expect((await env.deps.store.mailboxes.get(graphPerson.key))?.lastSyncMode).toBe('delta');
    expect((await env.deps.store.mailboxes.get(googlePerson.key))?.lastSyncMode).toBe('delta');
  });

  it('when a new event is created in Google, then it reaches CMG on the next job', async () => {
    env = await startE2e();
    await syncEveryone(env);
    const person = env.org.people.find((p) => p.provider === 'google')!;
    const before = cmgActivities(env, person.key).length;
    const hour = Math.ceil(env.deps.now().getTime() / 3_600_000) * 3_600_000;
    const start = new Date(hour + 3 * 3_600_000).toISOString();
    const end = new Date(hour + 4 * 3_600_000).toISOString();
    const added = { id: `${person.key}-new`, subject: 'Meeting with the board', start, end };
    (env.org.events as Record<string, unknown[]>)[person.key]!.push(added);
    env.google.control.putEvent(person.address, googleEvent(person, added));

    await send(env, person.key);
    await env.queue.whenIdle({ horizonMs: 0 });
    expect(cmgActivities(env, person.key)).toHaveLength(before + 1);
    await expectConverged(env, [person.key]);
  });

  it('when a stranger invites a Google user through a group with a "*" subject, then CMG gets an unanswered invitation: the default code, the user\'s own forwarding, and nothing else changes', async () => {
    env = await startE2e();
    await syncEveryone(env);
    // A user whose default is not to forward: the stranger's "*" must not switch forwarding on.
    const person = env.org.people.find((p) => p.provider === 'google' && !p.forwardByDefault)!;
    const hour = Math.ceil(env.deps.now().getTime() / 3_600_000) * 3_600_000;
    const start = hour + 5 * 3_600_000;
    const end = hour + 6 * 3_600_000;
    env.google.control.putEvent(person.address, {
      id: googleEventId(`${person.key}-group-invitation`),
      summary: '*Board meeting',
      start: { dateTime: new Date(start).toISOString() },
      end: { dateTime: new Date(end).toISOString() },
      organizer: { email: 'stranger@partner.org' },
      attendees: [
        { email: 'stranger@partner.org', organizer: true, responseStatus: 'accepted' },
        { email: 'all-staff@northwind.example', responseStatus: 'needsAction' },
      ],
    });

    env.cmg.clearRecord();
    await send(env, person.key);
    await env.queue.whenIdle({ horizonMs: 0 });

    // The demo's DEFAULT_CODE; the text without the sender's marker (docs/mapping.md, unanswered invitations).
    const invitation = { code: env.org.settings.DEFAULT_CODE!, text: 'Board meeting', forward: false, start, end };
    expect(cmgActivities(env, person.key)).toEqual(sortActivities([...(await expectedFor(env, person.key)), invitation]));
    expect(env.cmg.record.filter((r) => r.method === 'PUT' || r.method === 'DELETE')).toHaveLength(1);
  });

  it('when a delta touches a few events, then the job reads just their rows by key, and the mailbox count follows CMG', async () => {
    env = await startE2e();
    await syncEveryone(env);
    const graphPerson = env.org.people.find((p) => p.provider === 'graph')!;
    const googlePerson = env.org.people.find((p) => p.provider === 'google')!;
    const countOf = async (key: string) => (await env!.deps.store.mailboxes.get(key))!.activityCount;
    const graphBefore = await countOf(graphPerson.key);
    const googleBefore = await countOf(googlePerson.key);
    const org = env.org as unknown as { events: Record<string, Array<Record<string, unknown>>> };
    const vendor = org.events[graphPerson.key]!.findIndex((e) => e.id === `${graphPerson.key}-vendor`);
    org.events[graphPerson.key]!.splice(vendor, 1);
    env.graph.control.deleteEvent(graphPerson.address, env.graphEventIds.get(`${graphPerson.key}-vendor`)!);
    addGoogleEvents(env, googlePerson, 1);
    const reads = countActivityReads(env);

    await send(env, graphPerson.key);
    await send(env, googlePerson.key);
    await env.queue.whenIdle({ horizonMs: 0 });

    expect(reads.lists).toBe(0);
    expect(reads.gets).toBeGreaterThanOrEqual(2);
    expect(await countOf(graphPerson.key)).toBe(graphBefore - 1);
    expect(await countOf(googlePerson.key)).toBe(googleBefore + 1);
    await expectConverged(env, [graphPerson.key, googlePerson.key]);
  });

  it('when a delta touches many events, then the job reads the mailbox record in one query instead', async () => {
    env = await startE2e();
    await syncEveryone(env);
    const person = env.org.people.find((p) => p.provider === 'google')!;
    const before = (await env.deps.store.mailboxes.get(person.key))!.activityCount;
    addGoogleEvents(env, person, 9);
    const reads = countActivityReads(env);

    await send(env, person.key);
    await env.queue.whenIdle({ horizonMs: 0 });

    expect(reads).toEqual({ lists: 1, gets: 0 });
    expect((await env.deps.store.mailboxes.get(person.key))!.activityCount).toBe(before + 9);
    await expectConverged(env, [person.key]);
  });

  it("when a Graph mailbox's automatic replies stay as they were, then a delta leaves their activity alone without reading its row; when they change, then the next delta brings just that to CMG", async () => {
    env = await startE2e();
    await syncEveryone(env);
    const e = env;
    const replies = e.org.automaticReplies as Record<string, DemoAutomaticReplies>;
    const person = e.org.people.find((p) => p.provider === 'graph' && replies[p.key]?.status === 'scheduled')!;
    const reads = countActivityReads(e);
    /** The delta's CMG writes, and the Activities reads it made. */
    const delta = async (): Promise<{ writes: string[]; reads: { lists: number; gets: number } }> => {
      const before = { ...reads };
      e.cmg.clearRecord();
      await send(e, person.key);
      await e.queue.whenIdle({ horizonMs: 0 });
      expect((await e.deps.store.mailboxes.get(person.key))?.lastSyncMode).toBe('delta');
      return {
        writes: e.cmg.record.filter((r) => r.method === 'PUT' || r.method === 'DELETE').map((r) => r.method),
        reads: { lists: reads.lists - before.lists, gets: reads.gets - before.gets },
      };
    };

    expect(await delta()).toEqual({ writes: [], reads: { lists: 0, gets: 0 } });

    delete replies[person.key];
    e.graph.control.setAutomaticReplies(person.address, { status: 'disabled' });
    expect(await delta()).toEqual({ writes: ['DELETE'], reads: { lists: 0, gets: 1 } });
    await expectConverged(e, [person.key]);

    replies[person.key] = { status: 'alwaysEnabled' };
    e.graph.control.setAutomaticReplies(person.address, { status: 'alwaysEnabled' });
    expect(await delta()).toEqual({ writes: ['PUT'], reads: { lists: 0, gets: 1 } });
    await expectConverged(e, [person.key]);

    expect(await delta()).toEqual({ writes: [], reads: { lists: 0, gets: 0 } });
    await expectConverged(e, [person.key]);
  });

  it('when CMG turns calendar sync off for a user or removes the user, then their activities are deleted from CMG', async () => {
    env = await startE2e();
    await syncEveryone(env);
    const [off, removed] = env.org.people.filter((p) => p.provider === 'graph');
    expect(cmgActivities(env, off!.key).length).toBeGreaterThan(0);

    env.cmg.control.changeUser({ userId: off!.key, email: off!.address, calendarSync: false });
    env.cmg.control.changeUser({ userId: removed!.key, email: removed!.address, deleted: true });
    await refreshRoster(env.deps, { full: false });
    await env.queue.whenIdle({ horizonMs: 0 });

    expect(cmgActivities(env, off!.key)).toEqual([]);
    expect(cmgActivities(env, removed!.key)).toEqual([]);
    expect(await env.deps.store.activities.listForMailbox(off!.key)).toEqual([]);
    expect((await env.deps.store.mailboxes.get(off!.key))?.state).toBe('disabled');
    expect(await env.deps.store.mailboxes.get(removed!.key)).toBeUndefined();
  });

  it('when a mapping setting changes, then the next job of every mailbox is a full resync that applies it', async () => {
    env = await startE2e();
    await syncEveryone(env);
    const read = readConfig({ ...env.settings, DEFAULT_CODE: '11' });
    if (!read.ok) throw new Error('settings');
    // The same stores, queue and systems; only the settings differ, as after a redeploy.
    const reconfigured = { ...env.deps, config: read.config };
    const person = env.org.people.find((p) => p.provider === 'graph')!;
    const defaultBefore = cmgActivities(env, person.key).filter((a) => a.code === '30').length;
    expect(defaultBefore).toBeGreaterThan(0);

    const result = await runMailboxJob(reconfigured, aJob(person.key), { messageId: 'config-change', deliveryCount: 1, deadLetter: async () => undefined });
    expect(result).toMatchObject({ status: 'synced', mode: 'full' });
    expect(cmgActivities(env, person.key).filter((a) => a.code === '30')).toEqual([]);
    expect(cmgActivities(env, person.key).filter((a) => a.code === '11').length).toBeGreaterThanOrEqual(defaultBefore);
    expectNoActivityCreatedTwice(env);
  });
});

/** Counts the Activities reads from now on: whole-mailbox lists and point reads. */
function countActivityReads(e: LocalEnvironment): { lists: number; gets: number } {
  const reads = { lists: 0, gets: 0 };
  const activities = e.deps.store.activities;
  const list = activities.listForMailbox.bind(activities);
  const get = activities.get.bind(activities);
  activities.listForMailbox = (key) => {
    reads.lists += 1;
    return list(key);
  };
  activities.get = (key, externalId) => {
    reads.gets += 1;
    return get(key, externalId);
  };
  return reads;
}
