/**
 * Google as the field sees it (issue 27), through the production composition: series deleted
 * under their own id with months of cancelled occurrences, re-timed and split series, cancelled
 * entries that keep their details, sync tokens that expire or belong to another query, ragged
 * pages and both kinds of quota. Each change is settled by the job that sees it, and CMG ends
 * equal to the oracle.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGoogleCalendarProvider } from '../../../shared/providers/google/google-calendar-provider.js';
import type { GoogleProfile } from '../../../shared/config/profile-settings.js';
import type { LocalEnvironment } from '../../../tools/local-env/local-environment.js';
import type { DemoEvent } from '../../../tools/demo/demo-organisation.js';
import { googleEvent, googleEventId } from '../../../tools/demo/seed-emulators.js';
import { aJob } from '../../support/mailbox-job-harness.js';
import { expectConverged, expectNoActivityCreatedTwice } from './convergence.js';
import { addGoogleEvents, startE2e, syncEveryone, wednesdayClock } from './e2e-harness.js';

let env: LocalEnvironment | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Fast backoff so a recovery fits a test; the rules are the production ones.
const FAST = { JOB_RETRY_BASE: '200ms', JOB_RETRY_MAX: '1s', CMG_MAX_RETRIES: '1', PROVIDER_MAX_RETRIES: '1', JOB_MAX_ATTEMPTS: '30' };
let sent = 0;

type Person = LocalEnvironment['org']['people'][number];
/** The oracle's events, changed as the calendars are. */
type Editable = { -readonly [K in keyof DemoEvent]: DemoEvent[K] };
type Org = { events: Record<string, Editable[]> };

/**
 * The first Google user, in Berlin: her daily stand-up at 09:00 local starts today at 08:00 UTC,
 * just before the suite's clock, so that occurrence lies in the window but before any change.
 */
function berliner(e: LocalEnvironment): { person: Person; seriesId: string; standUp: Editable; events: Editable[] } {
  const person = e.org.people.find((p) => p.provider === 'google' && p.timeZone === 'Europe/Berlin')!;
  const events = (e.org as unknown as Org).events[person.key]!;
  const standUp = events.find((event) => event.id === `${person.key}-standup`)!;
  return { person, seriesId: googleEventId(standUp.id), standUp, events };
}

/** One notification job for the mailbox, then quiet. */
async function notify(e: LocalEnvironment, key: string): Promise<void> {
  e.cmg.clearRecord();
  await e.queue.send(aJob(key, { reason: 'notification' }), { messageId: `google-${key}-${(sent += 1)}` });
  await e.queue.whenIdle({ horizonMs: 0 });
}

const cmgIds = (e: LocalEnvironment, key: string): string[] => e.cmg.control.activities(key).map((a) => a.externalId).sort();
const withText = (e: LocalEnvironment, key: string, text: string) => e.cmg.control.activities(key).filter((a) => a.activity.text === text);
const deletes = (e: LocalEnvironment) => e.cmg.record.filter((r) => r.method === 'DELETE');

/** Settled by the job that saw the change: an incremental one, our record equal to CMG, nothing created twice. */
async function expectSettledByDelta(e: LocalEnvironment, key: string): Promise<void> {
  const mailbox = await e.deps.store.mailboxes.get(key);
  expect(mailbox).toMatchObject({ lastSyncMode: 'delta', failures: 0 });
  await expectConverged(e, [key]);
  expectNoActivityCreatedTwice(e);
}

describe('Google series as Google changes them', () => {
  it('when a series is deleted, then Google names it under its own id and the job deletes every occurrence, the one before the deletion included', async () => {
    env = await startE2e();
    await syncEveryone(env);
    const { person, seriesId, events } = berliner(env);
    const old = withText(env, person.key, 'Daily stand-up');
    // Today's 09:00 occurrence is already past: Google sends no cancelled entry of its own for it.
    const today = old.find((a) => Date.parse(a.activity.start) < env!.deps.now().getTime());
    expect(today).toBeDefined();
    const others = cmgIds(env, person.key).filter((id) => !old.some((a) => a.externalId === id));
    events.splice(events.findIndex((event) => event.id.endsWith('-standup')), 1);

    env.google.control.deleteEvent(person.address, seriesId);
    await notify(env, person.key);

    expect(cmgIds(env, person.key)).toEqual(others);
    expect(deletes(env)).toHaveLength(old.length);
    await expectSettledByDelta(env, person.key);
  });

  it('when a long series is deleted, then the six months of cancelled occurrences Google sends and the series under its own id are taken in one delta job, and only the series goes', async () => {
    env = await startE2e();
    const { person, events } = berliner(env);
    // Daily since yesterday 07:00 UTC: two occurrences in the window before the deletion, which
    // Google covers by the series' id alone, then months of them after it.
    const start = Math.floor(env.deps.now().getTime() / HOUR) * HOUR - 25 * HOUR;
    const longSeries: DemoEvent = { id: `${person.key}-daily-review`, subject: 'Daily review', start: new Date(start).toISOString(), end: new Date(start + HOUR / 2).toISOString(), recurrence: { type: 'daily', count: 300 } };
    events.push(longSeries);
    env.google.control.putEvent(person.address, googleEvent(person, longSeries));
    await syncEveryone(env);
    const held = withText(env, person.key, 'Daily review');
    expect(held.filter((a) => Date.parse(a.activity.start) < env!.deps.now().getTime())).toHaveLength(2);
    expect(held.length).toBeGreaterThanOrEqual(14);
    const others = cmgIds(env, person.key).filter((id) => !held.some((a) => a.externalId === id));
    events.pop();

    env.google.clearRecord();
    env.google.control.deleteEvent(person.address, googleEventId(longSeries.id));
    await notify(env, person.key);

    expect(cmgIds(env, person.key)).toEqual(others);
    expect(deletes(env)).toHaveLength(held.length);
    // One listing of about 183 cancelled occurrences and the series itself: one page, no full sync.
    expect(env.google.record.filter((r) => r.path.endsWith('/events'))).toHaveLength(1);
    await expectSettledByDelta(env, person.key);
  });

  it('when a whole series moves by an hour, then its occurrences get new ids, the old ones go, and the job settles it', async () => {
    env = await startE2e();
    await syncEveryone(env);
    const { person, standUp } = berliner(env);
    const old = withText(env, person.key, 'Daily stand-up');
    const others = cmgIds(env, person.key).filter((id) => !old.some((a) => a.externalId === id));

    standUp.start = new Date(Date.parse(standUp.start) + HOUR).toISOString();
    standUp.end = new Date(Date.parse(standUp.end) + HOUR).toISOString();
    env.google.control.putEvent(person.address, googleEvent(person, standUp));
    await notify(env, person.key);

    const moved = withText(env, person.key, 'Daily stand-up');
    expect(moved.map((a) => Date.parse(a.activity.start)).sort()).toEqual(old.map((a) => Date.parse(a.activity.start) + HOUR).sort());
    for (const a of old) expect(cmgIds(env, person.key)).not.toContain(a.externalId);
    expect(cmgIds(env, person.key).filter((id) => !moved.some((a) => a.externalId === id))).toEqual(others);
    await expectSettledByDelta(env, person.key);
  });

  it('when a series is changed "this and following" from its third occurrence, then the first two stay, the rest move to the new series, and the job settles it', async () => {
    env = await startE2e();
    await syncEveryone(env);
    const { person, seriesId, standUp, events } = berliner(env);
    const old = withText(env, person.key, 'Daily stand-up').sort((a, b) => Date.parse(a.activity.start) - Date.parse(b.activity.start));
    expect(old).toHaveLength(5);
    const third = new Date(Date.parse(old[2]!.activity.start)).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

    // The oracle: two occurrences of the old series, three of the new one an hour later.
    standUp.recurrence = { type: 'daily', count: 2 };
    const following: DemoEvent = { ...standUp, id: `${person.key}-standup-following`, start: new Date(Date.parse(old[2]!.activity.start) + HOUR).toISOString(), end: new Date(Date.parse(old[2]!.activity.end) + HOUR).toISOString(), recurrence: { type: 'daily', count: 3 } };
    events.push(following);
    const newSeries = env.google.control.splitSeries(person.address, seriesId, `${seriesId}_${third}`, {
      start: { dateTime: following.start, timeZone: person.timeZone },
      end: { dateTime: following.end, timeZone: person.timeZone },
    });
    expect(newSeries).toMatch(new RegExp(`^${seriesId}_R\\d{8}T\\d{6}$`));
    await notify(env, person.key);

    const now = withText(env, person.key, 'Daily stand-up').map((a) => a.externalId);
    expect(now).toEqual(expect.arrayContaining(old.slice(0, 2).map((a) => a.externalId)));
    for (const a of old.slice(2)) expect(now).not.toContain(a.externalId);
    const ofNewSeries = (await env.deps.store.activities.listForMailbox(person.key)).filter((a) => a.seriesId === newSeries);
    expect(ofNewSeries.map((a) => a.externalId).sort()).toEqual(now.filter((id) => !old.slice(0, 2).some((a) => a.externalId === id)).sort());
    expect(ofNewSeries).toHaveLength(3);
    expect(deletes(env)).toHaveLength(3);
    await expectSettledByDelta(env, person.key);
  });
});

describe('Google cancelled entries that keep their details', () => {
  it("when someone else's invitation is deleted, then its cancelled entry with summary, start and end removes the activity, and a later full sync that still lists it creates nothing", async () => {
    env = await startE2e();
    await syncEveryone(env);
    const { person } = berliner(env);
    const start = Math.ceil(env.deps.now().getTime() / HOUR) * HOUR + 3 * HOUR;
    const invitation = {
      id: googleEventId(`${person.key}-partner-call`),
      summary: 'Partner call',
      start: { dateTime: new Date(start).toISOString() },
      end: { dateTime: new Date(start + HOUR).toISOString() },
      attendees: [
        { email: person.address, responseStatus: 'accepted' as const },
        { email: 'host@partner.org', responseStatus: 'accepted' as const },
      ],
    };
    // Someone else organises it (the emulator's default for an invitation): the host.
    expect(env.google.control.putEvent(person.address, invitation).organizer).toEqual({ email: 'host@partner.org' });
    await notify(env, person.key);
    expect(withText(env, person.key, 'Partner call')).toHaveLength(1);

    env.google.control.deleteEvent(person.address, invitation.id);
    await notify(env, person.key);
    expect(withText(env, person.key, 'Partner call')).toEqual([]);
    await expectSettledByDelta(env, person.key);

    // A full sync: Google still lists it, cancelled, with its summary and times.
    await env.queue.send(aJob(person.key, { full: true }), { messageId: `google-full-${(sent += 1)}` });
    await env.queue.whenIdle({ horizonMs: 0 });
    expect(withText(env, person.key, 'Partner call')).toEqual([]);
    expect((await env.deps.store.mailboxes.get(person.key))?.lastSyncMode).toBe('full');
    await expectConverged(env, [person.key]);
  });

  it('when a series deleted days ago is still listed by a full sync, far outside the window, then nothing is created for it', async () => {
    let offset = 0;
    const clock = wednesdayClock();
    env = await startE2e({ now: () => new Date(clock().getTime() + offset) });
    await syncEveryone(env);
    const { person, seriesId, events } = berliner(env);
    events.splice(events.findIndex((event) => event.id.endsWith('-standup')), 1);
    env.google.control.deleteEvent(person.address, seriesId);
    await notify(env, person.key);
    expect(withText(env, person.key, 'Daily stand-up')).toEqual([]);

    // Two days on, the window has rolled: every job is a full sync, and the deleted series, whose
    // five days are now past, still comes back with its start and end.
    offset = 2 * DAY;
    await notify(env, person.key);
    expect((await env.deps.store.mailboxes.get(person.key))?.lastSyncMode).toBe('full');
    expect(withText(env, person.key, 'Daily stand-up')).toEqual([]);
    await expectConverged(env, [person.key]);
  });
});

describe('Google sync tokens and pages', () => {
  it('when the sync token has outlived its age, then Google answers 410 and the same job syncs in full', async () => {
    let offset = 0;
    const clock = wednesdayClock();
    env = await startE2e({ now: () => new Date(clock().getTime() + offset), google: { syncTokenMaxAgeMs: 10 * 60_000 } });
    await syncEveryone(env);
    const { person } = berliner(env);
    addGoogleEvents(env, person, 1);

    offset = 15 * 60_000;
    env.google.clearRecord();
    await notify(env, person.key);

    expect(env.google.record.filter((r) => r.status === 410)).toHaveLength(1);
    expect(await env.deps.store.mailboxes.get(person.key)).toMatchObject({ state: 'active', lastSyncMode: 'full', failures: 0 });
    await expectConverged(env, [person.key]);
  });

  it('when the stored sync token was issued for another query, then Google refuses it and the same job syncs in full', async () => {
    env = await startE2e();
    await syncEveryone(env);
    const { person } = berliner(env);
    const profile = env.config.profiles.find((p): p is GoogleProfile => p.kind === 'google')!;
    // A token from a listing with another page size (an older version of the product, say).
    const other = await createGoogleCalendarProvider(profile, { timeoutMs: 5_000, maxRetries: 0, pageSize: 100 }).fetchCalendar({
      address: person.address,
      window: (await env.deps.store.mailboxes.get(person.key))!.window!,
    });
    const { etag, ...row } = (await env.deps.store.mailboxes.get(person.key))!;
    await env.deps.store.mailboxes.update({ ...row, syncToken: other.nextSyncToken }, etag);
    addGoogleEvents(env, person, 1);

    env.google.clearRecord();
    await notify(env, person.key);

    expect(env.google.record.filter((r) => r.status === 400)).toHaveLength(1);
    expect(await env.deps.store.mailboxes.get(person.key)).toMatchObject({ state: 'active', lastSyncMode: 'full', failures: 0 });
    await expectConverged(env, [person.key]);
  });

  it('when Google serves short and empty pages before the last, then every page is read and everyone converges, in full and in deltas', async () => {
    env = await startE2e({ google: { maxPageSize: 3 } });
    await syncEveryone(env);
    const pages = env.google.record.filter((r) => r.path.endsWith('/events'));
    // More listings than mailboxes: pages were followed past the empty ones.
    expect(pages.filter((r) => new URLSearchParams(r.query).has('pageToken')).length).toBeGreaterThan(0);
    await expectConverged(env);

    const { person } = berliner(env);
    addGoogleEvents(env, person, 7);
    await notify(env, person.key);
    await expectSettledByDelta(env, person.key);
  });
});

describe('Google quotas', () => {
  it("when Google throttles with the quota metric's own words ('Queries per minute per user'), then the request is tried again and the job succeeds", async () => {
    env = await startE2e();
    await syncEveryone(env);
    const { person } = berliner(env);
    addGoogleEvents(env, person, 1);
    env.google.control.throttle({ status: 403, wording: 'quota-metric', times: 1 });

    env.google.clearRecord();
    await notify(env, person.key);

    expect(env.google.record.map((r) => r.status).filter((s) => s !== 200)).toEqual([403]);
    await expectSettledByDelta(env, person.key);
  });

  it('when the day\'s quota is used up (403 rateLimitExceeded, "Queries per day"), then jobs fail without deleting anything, back off, and converge once the quota is back', async () => {
    env = await startE2e({ settings: FAST });
    await syncEveryone(env);
    const { person } = berliner(env);
    const before = cmgIds(env, person.key);
    addGoogleEvents(env, person, 1);
    const until = env.google.control.exhaustDailyQuota({ until: env.deps.now().getTime() + 3_000 });

    env.google.clearRecord();
    env.cmg.clearRecord();
    await env.queue.send(aJob(person.key, { reason: 'notification' }), { messageId: `google-quota-${(sent += 1)}` });
    await new Promise((r) => setTimeout(r, 1_000));
    const during = await env.deps.store.mailboxes.get(person.key);
    expect(during?.failures).toBeGreaterThan(0);
    expect(during?.lastError).toContain('quota exhausted');
    expect(cmgIds(env, person.key)).toEqual(before);
    // Not retried in-call as throttling is: one request per job attempt.
    const refused = env.google.record.filter((r) => r.status === 403);
    expect(refused.length).toBe(env.google.record.filter((r) => r.path.endsWith('/events')).length);

    await env.queue.whenIdle();
    expect(env.deps.now().getTime()).toBeGreaterThanOrEqual(until);
    expect(deletes(env)).toEqual([]);
    expect(await env.deps.store.mailboxes.get(person.key)).toMatchObject({ state: 'active', failures: 0 });
    await expectConverged(env, [person.key]);
  });
});
