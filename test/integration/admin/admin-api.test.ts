import functions from '@azure/functions';
import { afterEach, describe, expect, it } from 'vitest';
import { useDeps } from '../../../shared/app/app-context.js';
import { adminPage, connections, deadLetters, invalidMailboxes, mailbox, mailboxes, multiAddresses, preview, rejectedActivities, resync } from '../../../functions/admin.js';
import type { MailboxDetail } from '../../../shared/operations/mailbox-detail.js';
import type { MailboxList } from '../../../shared/operations/mailbox-list.js';
import type { MailboxPreview } from '../../../shared/operations/operator-actions.js';
import { googleEvent, googleEventId } from '../../../tools/demo/seed-emulators.js';
import { mailboxSync } from '../../../functions/mailbox-sync.js';
import { health } from '../../../functions/status.js';
import type { LocalEnvironment } from '../../../tools/local-env/local-environment.js';
import { startEntraEmulator, type EntraEmulator } from '../../../tools/emulators/entra/entra-emulator.js';
import { addGoogleEvents, startE2e, syncEveryone } from '../e2e/e2e-harness.js';

const { HttpRequest, InvocationContext } = functions;
const context = (triggerMetadata: Record<string, unknown> = {}) =>
  new InvocationContext({ invocationId: 'test', functionName: 'admin', triggerMetadata, logHandler: () => undefined });

let env: LocalEnvironment | undefined;
let entra: EntraEmulator | undefined;
/** An operator's token, made by the local Entra ID for each test. */
let operator = '';
afterEach(async () => {
  await env?.close();
  await entra?.close();
  env = undefined;
  entra = undefined;
});

const bearer = (token: string | undefined): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
const get = (path: string, params: Record<string, string> = {}, token: string | undefined = operator) =>
  new HttpRequest({ method: 'GET', url: `http://localhost:7071/api/${path}`, params, headers: bearer(token) });
const post = (path: string, params: Record<string, string> = {}, token: string | undefined = operator) =>
  new HttpRequest({ method: 'POST', url: `http://localhost:7071/api/${path}`, params, headers: bearer(token), body: { string: '' } });

async function started(settings: Record<string, string> = {}): Promise<LocalEnvironment> {
  entra = await startEntraEmulator();
  operator = await entra.token({ roles: ['CalendarSync.Operator'], preferred_username: 'operator@contoso.com' });
  env = await startE2e({ settings: { ...entra.settings, ...settings } });
  await syncEveryone(env);
  useDeps(env.deps);
  return env;
}

describe('admin API', () => {
  it('when the mailbox list is paged, then every mailbox appears once with its status', async () => {
    const e = await started();
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const res = await mailboxes(get(`mailboxes?pageSize=10${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`));
      expect(res.status).toBe(200);
      const body = res.jsonBody as { mailboxes: Array<{ key: string; state: string; activities: number; lastSyncAt?: string }>; next?: string };
      expect(body.mailboxes.length).toBeLessThanOrEqual(10);
      keys.push(...body.mailboxes.map((m) => m.key));
      token = body.next;
    } while (token);
    expect(keys.sort()).toEqual([...e.org.people.map((p) => p.key), '2003', '2004'].sort());
    expect((await health()).jsonBody).toEqual({ status: 'ok' });
  });

  it('when the query is invalid, then the answer is 400 naming the parameter', async () => {
    await started();
    const res = await mailboxes(get('mailboxes?pageSize=0&state=sleeping'));
    expect(res.status).toBe(400);
    expect(String((res.jsonBody as { error: string }).error)).toMatch(/pageSize.*state|state.*pageSize/s);
  });

  it('when the list is filtered by state, profile, address start or a substring, then only those mailboxes come back', async () => {
    const e = await started();
    const list = async (query: string): Promise<MailboxList> => {
      const res = await mailboxes(get(`mailboxes?${query}`));
      expect(res.status).toBe(200);
      return res.jsonBody as MailboxList;
    };
    expect((await list('state=invalid')).mailboxes.map((m) => m.key)).toEqual(['2003']);
    const google = e.org.people.filter((p) => p.provider === 'google');
    const profile = (await e.deps.store.mailboxes.get(google[0]!.key))!.profile!;
    expect((await list(`profile=${profile}&pageSize=1000`)).mailboxes.map((m) => m.key).sort()).toEqual(google.map((p) => p.key).sort());
    // 2003 and 2004 are the other CMG users with a mailbox; 2004 shares Anna's address.
    const everyone = [...e.org.people.map((p) => ({ key: p.key, address: p.address })), { key: '2003', address: 'guest@partner.org' }, { key: '2004', address: e.org.people[0]!.address }];
    const anna = everyone.filter((m) => m.address.startsWith('anna.')).map((m) => m.key);
    expect(anna.length).toBeGreaterThan(2);
    expect((await list('address=ANNA.')).mailboxes.map((m) => m.key).sort()).toEqual(anna.sort());
    // A substring of the key or of the address, any case; the answer says how much it read.
    const found = await list('search=ANDERSSON&pageSize=1000');
    expect(found.mailboxes.map((m) => m.key).sort()).toEqual(everyone.filter((m) => m.address.includes('andersson')).map((m) => m.key).sort());
    expect(found.scan).toEqual({ read: (await list('pageSize=1000')).mailboxes.length, limit: 2000 });
    expect((await list('search=200')).mailboxes.map((m) => m.key).sort()).toEqual(['2003', '2004']);
  });

  it('when the continuation token or a search text is not valid, then 400 naming it', async () => {
    await started();
    const bad = await mailboxes(get('mailboxes?continuationToken=forged'));
    expect(bad.status).toBe(400);
    expect((bad.jsonBody as { error: string }).error).toMatch(/^continuationToken: /);
    const long = await mailboxes(get(`mailboxes?search=${'x'.repeat(255)}`));
    expect(long.status).toBe(400);
    expect((long.jsonBody as { error: string }).error).toMatch(/search/);
  });

  it('when a private appointment is under way, then the detail names it as the reason and the preview shows only its masked text', async () => {
    const e = await started({ MASK_PRIVATE: 'false' });
    const person = e.org.people.find((p) => p.provider === 'google')!;
    const now = e.deps.now().getTime();
    const event = { id: `${person.key}-doctor`, subject: 'Therapy session', location: 'Clinic Secret', start: new Date(now - 1_800_000).toISOString(), end: new Date(now + 1_800_000).toISOString(), private: true };
    e.google.control.putEvent(person.address, googleEvent(person, event));
    await resync(post(`mailboxes/${person.key}/resync`, { key: person.key }));
    await e.queue.whenIdle({ horizonMs: 0 });
    const channel = { provider: 'google' as const, id: 'channel-1', mailboxKey: person.key, secretHash: 'f'.repeat(64), resourceId: 'resource-1', expiresAt: new Date(now + 3_600_000).toISOString(), notificationUrl: 'https://sync.example/api/google-notifications' };
    await e.deps.store.subscriptions.upsert(channel);

    const res = await mailbox(get(`mailboxes/${person.key}`, { key: person.key }));
    expect(res.status).toBe(200);
    const detail = res.jsonBody as MailboxDetail;
    expect(detail.mailbox).toMatchObject({ key: person.key, state: 'active', lastSyncMode: 'full', provider: 'google' });
    expect(detail.current.map((a) => a.sourceEventId)).toContain(googleEventId(event.id));
    expect(detail.subscriptions).toEqual([{ provider: 'google', id: 'channel-1', expiresAt: channel.expiresAt }]);
    expect(detail.activities.length).toBe(detail.mailbox.activities);
    expect(detail.next === undefined || Date.parse(detail.next.start) > now).toBe(true);

    const live = (await preview(get(`mailboxes/${person.key}/preview`, { key: person.key }))).jsonBody as MailboxPreview;
    const cause = live.activities.find((a) => a.externalId === detail.current.find((c) => c.sourceEventId === googleEventId(event.id))!.externalId);
    expect(cause).toMatchObject({ private: true, text: 'Private appointment' });
    expect(JSON.stringify([detail, live])).not.toMatch(/Therapy|Clinic Secret/);
    expect(e.cmg.control.activities(person.key).some((a) => a.activity.text.includes('Therapy'))).toBe(true);
    expect((await mailbox(get('mailboxes/nobody', { key: 'nobody' }))).status).toBe(404);
  });

  it('when reports are asked for, then the invalid and multi-address mailboxes are listed', async () => {
    const e = await started();
    const invalid = (await invalidMailboxes(get('reports/invalid'))).jsonBody as { mailboxes: Array<{ key: string; stateReason: string }> };
    expect(invalid.mailboxes).toEqual([expect.objectContaining({ key: '2003', stateReason: 'no connection profile serves partner.org' })]);
    const multi = (await multiAddresses(get('reports/multi'))).jsonBody as { addresses: unknown[] };
    expect(multi.addresses).toEqual([{ address: e.org.people[0]!.address, mailboxes: ['1001', '2004'] }]);
  });

  it('when a resync is requested, then a full job runs for a known mailbox and an unknown one gets 404', async () => {
    const e = await started();
    const key = e.org.people[1]!.key;
    expect((await e.deps.store.mailboxes.get(key))?.lastSyncMode).toBe('full');
    await e.queue.send({ mailboxKey: key, reason: 'schedule', full: false, enqueuedAt: new Date().toISOString() }, { messageId: 'delta-first' });
    await e.queue.whenIdle({ horizonMs: 0 });
    expect((await e.deps.store.mailboxes.get(key))?.lastSyncMode).toBe('delta');

    expect((await resync(post(`mailboxes/${key}/resync`, { key }))).status).toBe(202);
    await e.queue.whenIdle({ horizonMs: 0 });
    expect((await e.deps.store.mailboxes.get(key))?.lastSyncMode).toBe('full');
    expect((await resync(post('mailboxes/nobody/resync', { key: 'nobody' }))).status).toBe(404);
  });

  it('when a mailbox is previewed with masking off, then the admin view still hides private text', async () => {
    const e = await started({ MASK_PRIVATE: 'false' });
    const person = e.org.people[0]!;
    const res = await preview(get(`mailboxes/${person.key}/preview`, { key: person.key }));
    expect(res.status).toBe(200);
    const body = res.jsonBody as { activities: Array<{ text: string; private: boolean }>; skipped: Array<{ reason: string }>; pending: { upserts: number; deletes: number } };
    expect(body.pending).toEqual({ upserts: 0, deletes: 0 });
    expect(body.activities.filter((a) => a.private).map((a) => a.text)).toEqual(['Private appointment']);
    expect(JSON.stringify(body)).not.toContain('Dentist');
    // Wednesday's window: the cancelled all-hands (Friday) and the free coffee (today) are explained.
    expect(body.skipped.map((s) => s.reason)).toEqual(expect.arrayContaining(['cancelled', 'free']));
    // CMG itself got the real text: masking is off.
    expect(e.cmg.control.activities(person.key).some((a) => a.activity.text === 'Dentist appointment')).toBe(true);
  });

  it('when connections are checked and CMG is down, then CMG is reported failing without its password', async () => {
    const e = await started();
    e.cmg.switches.down = true;
    const res = await connections(get('connections/check'));
    const checks = (res.jsonBody as { checks: Array<{ name: string; ok: boolean; error?: string }> }).checks;
    expect(checks.map((c) => [c.name, c.ok])).toEqual([['CMG', false], ['M365 (graph)', true], ['GWS (google)', true]]);
    expect(JSON.stringify(checks)).not.toContain(e.settings.CMG_PASSWORD);
    e.cmg.switches.down = false;
    expect((await adminPage()).status).toBe(200);
  });

  it('when CMG refused an activity for good, then the rejected-activities report names it with CMG\'s code', async () => {
    const e = await started();
    const person = e.org.people.find((p) => p.provider === 'google')!;
    addGoogleEvents(e, person, 1);
    e.cmg.control.fail('upsertActivity', { status: 413 });
    await resync(post(`mailboxes/${person.key}/resync`, { key: person.key }));
    await e.queue.whenIdle();
    const body = (await rejectedActivities(get('reports/rejected-activities'))).jsonBody as { activities: Array<{ mailbox: string; rejected: string }> };
    expect(body.activities).toEqual([expect.objectContaining({ mailbox: person.key, rejected: 'http_413' })]);
  });

  it('when the queue trigger receives an invalid message, then it settles it once with a dead-letter record the admin API lists, and a valid one syncs', async () => {
    const e = await started();
    await expect(mailboxSync({ mailboxKey: '', reason: 'nope' }, context({ messageId: 'bad', deliveryCount: 1 }))).resolves.toBeUndefined();
    const listed = (await deadLetters(get('reports/dead-letters'))).jsonBody as { deadLetters: Array<{ messageId: string; reason: string; description: string }> };
    expect(listed.deadLetters).toEqual([expect.objectContaining({ messageId: 'bad', reason: 'invalid-message', description: expect.stringContaining('mailboxKey') })]);
    const key = e.org.people[2]!.key;
    await mailboxSync(JSON.stringify({ mailboxKey: key, reason: 'manual', full: true, enqueuedAt: new Date().toISOString() }), context({ messageId: 'good', deliveryCount: 1 }));
    expect((await e.deps.store.mailboxes.get(key))?.lastSyncMode).toBe('full');
  });
});
