/**
 * Exchange Server end to end: the product composed from settings with an exchange profile
 * beside the demo's Graph and Google ones, its production transport signing in with NTLMv2 and
 * channel binding (Extended Protection: Require) to the EWS emulator, the roster from the CMG
 * emulator, jobs through the in-process queue, and CMG's activities read back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { demoOrganisation } from '../../../tools/demo/demo-organisation.js';
import type { RunningEwsEmulator } from '../../../tools/emulators/exchange/ews-emulator.js';
import type { LocalEnvironment } from '../../../tools/local-env/local-environment.js';
import { aJob } from '../../support/mailbox-job-harness.js';
import { cmgActivities, startE2e, syncEveryone, wednesdayClock } from './e2e-harness.js';
import { EXCHANGE_ACCOUNT as ACCOUNT, ONPREM_DOMAIN as DOMAIN, startOnPremE2e } from './exchange-e2e-harness.js';
import { expectConverged, expectNoActivityCreatedTwice } from './convergence.js';

const ZONE = 'Europe/Paris';
const HOUR = 3_600_000;

let env: LocalEnvironment | undefined;
let ews: RunningEwsEmulator | undefined;
afterEach(async () => {
  await env?.close();
  await ews?.close();
  env = undefined;
  ews = undefined;
});

/** The ONPREM profile on its own EWS emulator (startOnPremE2e), with CMG users ex-anna and ex-bob in its domain. */
async function start(extra: Record<string, string> = {}): Promise<{ env: LocalEnvironment; ews: RunningEwsEmulator }> {
  ({ env, ews } = await startOnPremE2e({ DEFAULT_TIME_ZONE: ZONE, ...extra }));
  for (const key of ['ex-anna', 'ex-bob']) {
    env.cmg.control.changeUser({ userId: key, email: `${key.slice(3)}@${DOMAIN}`, calendarSync: true, language: 'en', forwardByDefault: false, messageSystem: 1 });
  }
  return { env, ews };
}

const texts = (e: LocalEnvironment, key: string) => cmgActivities(e, key).map((a) => `${a.code} ${a.text}`);

describe('Exchange Server end to end', { timeout: 120_000 }, () => {
  it('when a mailbox is synced, changed and synced again, then CMG holds its meetings, series, all-day and automatic replies as they are now; a mailbox outside the impersonation scope is refused, not wiped', async () => {
    const { env: e, ews: x } = await start();
    const tomorrow = Math.floor(e.deps.now().getTime() / (24 * HOUR)) * 24 * HOUR + 24 * HOUR;
    x.control.addMailbox({ address: `anna@${DOMAIN}`, timeZone: ZONE, impersonators: [ACCOUNT] });
    x.control.addMailbox({ address: `bob@${DOMAIN}`, timeZone: ZONE });
    const review = x.control.createItem(`anna@${DOMAIN}`, { subject: 'Budget review', start: new Date(tomorrow + 9 * HOUR).toISOString(), end: new Date(tomorrow + 10 * HOUR).toISOString() });
    const standUp = x.control.createItem(`anna@${DOMAIN}`, {
      subject: 'Stand-up',
      start: new Date(tomorrow + 7 * HOUR).toISOString(),
      end: new Date(tomorrow + 7.25 * HOUR).toISOString(),
      recurrence: { pattern: { type: 'daily', interval: 1 }, range: { type: 'numbered', count: 5 } },
    });
    x.control.createItem(`anna@${DOMAIN}`, {
      subject: 'Holiday',
      categories: ['Vacation'],
      isAllDayEvent: true,
      start: new Date(tomorrow + 2 * 24 * HOUR - HOUR).toISOString(),
      end: new Date(tomorrow + 3 * 24 * HOUR - HOUR).toISOString(),
    });
    x.control.createItem(`bob@${DOMAIN}`, { subject: 'Never read', start: new Date(tomorrow + 9 * HOUR).toISOString(), end: new Date(tomorrow + 10 * HOUR).toISOString() });
    // Last year's calendar: more items than one SyncFolderItems reports (512), none in the window
    for (let i = 0; i < 600; i += 1) {
      const start = tomorrow - 365 * 24 * HOUR + i * HOUR;
      x.control.createItem(`anna@${DOMAIN}`, { subject: `Old ${i}`, start: new Date(start).toISOString(), end: new Date(start + HOUR / 2).toISOString() });
    }

    const initialSyncs = x.control.requestCount({ operation: 'SyncFolderItems', mailbox: `anna@${DOMAIN}` });
    await syncEveryone(e);
    // From nothing, the folder's 600-odd items take two SyncFolderItems
    expect(x.control.requestCount({ operation: 'SyncFolderItems', mailbox: `anna@${DOMAIN}` }) - initialSyncs).toBe(2);

    const first = texts(e, 'ex-anna');
    expect(first.filter((t) => t.includes('Stand-up'))).toHaveLength(5);
    expect(first.filter((t) => t.includes('Budget review'))).toHaveLength(1);
    expect(first.filter((t) => t.startsWith('20 '))).toHaveLength(1); // the Vacation category's code
    const anna = await e.deps.store.mailboxes.get('ex-anna');
    expect(anna).toMatchObject({ state: 'active', profile: 'ONPREM' });
    // Bob: outside the impersonation scope, refused; nothing of his is in CMG, and he is not declared gone
    expect(cmgActivities(e, 'ex-bob')).toEqual([]);
    expect((await e.deps.store.mailboxes.get('ex-bob'))?.state).not.toBe('invalid');

    // The meeting moves, one stand-up is cancelled, automatic replies go on
    x.control.updateItem(`anna@${DOMAIN}`, review.itemId, { subject: 'Budget review (moved)', start: new Date(tomorrow + 11 * HOUR).toISOString(), end: new Date(tomorrow + 12 * HOUR).toISOString() });
    const third = x.control.occurrences(`anna@${DOMAIN}`, standUp.itemId, new Date(tomorrow).toISOString(), new Date(tomorrow + 7 * 24 * HOUR).toISOString())[2]!;
    x.control.deleteOccurrence(`anna@${DOMAIN}`, standUp.itemId, third.originalStart);
    x.control.setOof(`anna@${DOMAIN}`, { state: 'Enabled' });
    const before = x.control.requestCount({ mailbox: `anna@${DOMAIN}` });
    await e.queue.send(aJob('ex-anna', { reason: 'notification' }), { messageId: 'exchange-change-1' });
    await e.queue.whenIdle({ horizonMs: 0 });

    const second = texts(e, 'ex-anna');
    expect(second.filter((t) => t.includes('Stand-up'))).toHaveLength(4);
    expect(second.some((t) => t.includes('Budget review (moved)'))).toBe(true);
    expect(second.some((t) => t.includes('Budget review') && !t.includes('moved'))).toBe(false);
    expect(second.filter((t) => t.startsWith('13 '))).toHaveLength(1); // the automatic replies, OOF_CODE
    const moved = cmgActivities(e, 'ex-anna').find((a) => a.text.includes('(moved)'))!;
    expect(moved.start).toBe(tomorrow + 11 * HOUR);
    // A change: SyncFolderItems, the window, the automatic replies
    expect(x.control.requestCount({ mailbox: `anna@${DOMAIN}` }) - before).toBe(3);

    // A quiet poll: one SyncFolderItems, nothing written to CMG
    const quietBefore = x.control.requestCount({ mailbox: `anna@${DOMAIN}` });
    e.cmg.clearRecord();
    await e.queue.send(aJob('ex-anna', { reason: 'schedule' }), { messageId: 'exchange-poll-1' });
    await e.queue.whenIdle({ horizonMs: 0 });
    expect(x.control.requestCount({ mailbox: `anna@${DOMAIN}` }) - quietBefore).toBe(1);
    expect(e.cmg.record.filter((r) => r.method === 'PUT' || r.method === 'DELETE')).toEqual([]);

    // A full sync asked for (as on a rolled window): SyncFolderItems once, from the stored state (not twice, from nothing), and the whole window
    const fullBefore = x.control.requestCount({ operation: 'SyncFolderItems', mailbox: `anna@${DOMAIN}` });
    await e.queue.send(aJob('ex-anna', { reason: 'manual', full: true }), { messageId: 'exchange-full-1' });
    await e.queue.whenIdle({ horizonMs: 0 });
    expect(x.control.requestCount({ operation: 'SyncFolderItems', mailbox: `anna@${DOMAIN}` }) - fullBefore).toBe(1);
    expect(await e.deps.store.mailboxes.get('ex-anna')).toMatchObject({ lastSyncMode: 'full', state: 'active' });
    expect(texts(e, 'ex-anna')).toEqual(second);
  });

  it('when a mailbox no longer exists in Exchange, then that is evidence: the mailbox is invalid after one job and its activities leave CMG', async () => {
    const { env: e, ews: x } = await start();
    const tomorrow = Math.floor(e.deps.now().getTime() / (24 * HOUR)) * 24 * HOUR + 24 * HOUR;
    x.control.addMailbox({ address: `anna@${DOMAIN}`, timeZone: ZONE, impersonators: [ACCOUNT] });
    x.control.addMailbox({ address: `bob@${DOMAIN}`, timeZone: ZONE, impersonators: [ACCOUNT] });
    x.control.createItem(`anna@${DOMAIN}`, { subject: 'Budget review', start: new Date(tomorrow + 9 * HOUR).toISOString(), end: new Date(tomorrow + 10 * HOUR).toISOString() });
    await syncEveryone(e);
    expect(cmgActivities(e, 'ex-anna')).toHaveLength(1);

    x.control.removeMailbox(`anna@${DOMAIN}`);
    await e.queue.send(aJob('ex-anna', { reason: 'notification' }), { messageId: 'exchange-gone-1' });
    await e.queue.whenIdle({ horizonMs: 0 });

    expect(await e.deps.store.mailboxes.get('ex-anna')).toMatchObject({ state: 'invalid' });
    expect(cmgActivities(e, 'ex-anna')).toEqual([]);
    expect((await e.deps.store.mailboxes.get('ex-bob'))?.state).toBe('active');
  });

  it('when the profile reads as a delegate, then the calendar reaches CMG and the automatic replies, which Exchange shows the owner only, are left alone', async () => {
    const { env: e, ews: x } = await start({ PROFILE_ONPREM_ACCESS: 'delegate' });
    const tomorrow = Math.floor(e.deps.now().getTime() / (24 * HOUR)) * 24 * HOUR + 24 * HOUR;
    x.control.addMailbox({ address: `anna@${DOMAIN}`, timeZone: ZONE, delegates: [ACCOUNT] });
    x.control.addMailbox({ address: `bob@${DOMAIN}`, timeZone: ZONE, delegates: [ACCOUNT] });
    x.control.createItem(`anna@${DOMAIN}`, { subject: 'Budget review', start: new Date(tomorrow + 9 * HOUR).toISOString(), end: new Date(tomorrow + 10 * HOUR).toISOString() });
    x.control.setOof(`anna@${DOMAIN}`, { state: 'Enabled' });
    await syncEveryone(e);

    expect(texts(e, 'ex-anna')).toEqual([expect.stringContaining('Budget review')]);
    expect(await e.deps.store.mailboxes.get('ex-anna')).toMatchObject({ state: 'active', profile: 'ONPREM' });
    expect(x.control.requestCount({ operation: 'GetUserOofSettings', mailbox: `anna@${DOMAIN}` })).toBe(1);
  });

  it('when the demo organisation has Exchange mailboxes, then each converges on the oracle, the same as its Graph and Google people, and the one outside the impersonation scope is refused', async () => {
    const clock = wednesdayClock();
    env = await startE2e({ now: clock, org: demoOrganisation({ now: clock(), graphUsers: 2, googleUsers: 1, exchangeUsers: 5 }) });
    await syncEveryone(env);
    const denied = env.org.impersonationDenied ?? [];
    expect(denied).toHaveLength(1);
    const synced = env.org.people.filter((p) => !denied.includes(p.key)).map((p) => p.key);
    expect(env.org.people.filter((p) => p.provider === 'exchange' && synced.includes(p.key))).toHaveLength(4);
    await expectConverged(env, synced);
    expectNoActivityCreatedTwice(env);
    expect(cmgActivities(env, denied[0]!)).toEqual([]);
    expect((await env.deps.store.mailboxes.get(denied[0]!))?.state).not.toBe('invalid');
    // Something of each kind reached CMG from Exchange: the series, an all-day, the automatic replies
    const exchangeCodes = env.org.people.filter((p) => p.provider === 'exchange' && synced.includes(p.key)).flatMap((p) => cmgActivities(env!, p.key).map((a) => a.code));
    expect(new Set(exchangeCodes)).toEqual(new Set(['30', '20', '13', '12', '14', '11']));
  });
});
