import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningGraphEmulator } from '../../../tools/emulators/graph/graph-emulator.js';
import { CLIENT_ID, at, failure, profileFor, providerFor, startKit, windowAround } from './graph-harness.js';

/** Mail is nadia.holm@…, but she signs in as nh4521@…: the UPN is not the mail address. */
const NADIA = { address: 'nadia.holm@contoso.com', userPrincipalName: 'nh4521@contoso.onmicrosoft.com', aliases: ['nadia@contoso.com'] };
const now = new Date();
const window = windowAround(now);


describe('Graph mailboxes whose address is not the UPN', () => {
  let emulator: RunningGraphEmulator;
  let nadiaId: string;
  const resolving = () => providerFor(emulator, {}, { ...profileFor(emulator), resolveAddresses: true });
  const directoryReads = () => emulator.control.apiRequests().filter((r) => r.path === '/users');

  beforeEach(async () => {
    emulator = await startKit();
    nadiaId = emulator.control.addUser(NADIA).id;
    emulator.control.addEvent(NADIA.address, { subject: 'Planning', start: at(now, 1), end: at(now, 2) });
  });
  afterEach(async () => emulator.close());

  it('when addresses are not resolved, then the mailbox is refused with the cause and the fix', async () => {
    const error = await failure(providerFor(emulator).fetchCalendar({ address: NADIA.address, window }));
    expect(error).toMatchObject({ kind: 'permanent', code: 'address-not-upn' });
    expect(error.message).toContain('404 ErrorInvalidUser');
    expect(error.message).toContain("not the user's UPN");
    expect(error.message).toContain('PROFILE_M365_RESOLVE_ADDRESSES=true');
    expect(error.message).toContain('User.Read.All');
    expect(error.message).toContain('UPN equal to the mail address');
    expect(directoryReads()).toEqual([]);
  });

  it('when addresses are resolved, then the user is found by mail in the directory once and read by object id', async () => {
    const provider = resolving();
    const first = await provider.fetchCalendar({ address: NADIA.address, window });
    expect(first.items).toMatchObject([{ kind: 'event', event: { subject: 'Planning' } }]);
    expect(first.directoryUser).toEqual({ address: NADIA.address, id: nadiaId });
    expect(first.requests).toBe(2);
    expect(directoryReads()).toHaveLength(1);
    expect(emulator.control.apiRequests().filter((r) => r.path.startsWith('/users/')).every((r) => r.path.startsWith(`/users/${nadiaId}/`))).toBe(true);

    // What the caller remembers spares the lookup, also for a new provider (another instance).
    const again = await resolving().fetchCalendar({ address: NADIA.address, directoryUser: first.directoryUser, window, syncToken: first.nextSyncToken });
    expect(again.requests).toBe(1);
    expect(directoryReads()).toHaveLength(1);
  });

  it('when addresses are resolved, then a series\' stubs are completed and every mailbox read names the user by object id', async () => {
    const series = emulator.control.addEvent(NADIA.address, { subject: 'Stand-up', start: at(now, 3), end: at(now, 3.25), recurrence: { type: 'daily', count: 3 } });
    const provider = resolving();
    const result = await provider.fetchCalendar({ address: NADIA.address, window });
    const subjects = (r: typeof result) => r.items.flatMap((i) => (i.kind === 'event' ? [i.event.subject] : []));
    expect(subjects(result).filter((s) => s === 'Stand-up')).toHaveLength(3);

    // A renamed series is listed again through its instances, by object id as well.
    emulator.control.updateEvent(NADIA.address, series, { subject: 'Daily sync' });
    const delta = await provider.fetchCalendar({ address: NADIA.address, directoryUser: result.directoryUser, window, syncToken: result.nextSyncToken });
    expect(subjects(delta).filter((s) => s === 'Daily sync')).toHaveLength(3);
    const mailboxReads = emulator.control.apiRequests().filter((r) => r.path.startsWith('/users/'));
    expect(mailboxReads.some((r) => r.path === `/users/${nadiaId}/events/${series}/instances`)).toBe(true);
    expect(mailboxReads.every((r) => r.path.startsWith(`/users/${nadiaId}/`))).toBe(true);
  });

  it('when an alias is the address CMG knows, then the proxy addresses find the user', async () => {
    const result = await resolving().fetchCalendar({ address: 'nadia@contoso.com', window });
    expect(result.directoryUser?.id).toBe(nadiaId);
  });

  it('when the remembered id answers 404, then the address is looked up again and the mailbox read as the user found', async () => {
    const stale = { address: NADIA.address, id: '0d2c4a8e-9f57-4b8c-a1d0-000000000000' };
    const result = await resolving().fetchCalendar({ address: NADIA.address, directoryUser: stale, window });
    expect(result.directoryUser).toEqual({ address: NADIA.address, id: nadiaId });
    expect(directoryReads()).toHaveLength(1);
  });

  it('when the remembered id was found for another address, then it is not used', async () => {
    const other = emulator.control.addUser({ address: 'grady@contoso.com' }).id;
    const result = await resolving().fetchCalendar({ address: NADIA.address, directoryUser: { address: 'grady@contoso.com', id: other }, window });
    expect(result.directoryUser?.id).toBe(nadiaId);
    expect(result.items).toHaveLength(1);
  });

  it('when no directory user has the address, then the mailbox is refused permanently', async () => {
    const error = await failure(resolving().fetchCalendar({ address: 'nobody@contoso.com', window }));
    expect(error).toMatchObject({ kind: 'permanent', code: 'address-not-found' });
  });

  it('when the app lacks User.Read.All, then resolving is a configuration error that names the permission', async () => {
    emulator.control.setAppPermissions(CLIENT_ID, ['Calendars.Read', 'MailboxSettings.Read']);
    const error = await failure(resolving().fetchCalendar({ address: NADIA.address, window }));
    expect(error).toMatchObject({ kind: 'configuration', code: 'graph-permission-missing' });
    expect(error.message).toContain('PROFILE_M365_RESOLVE_ADDRESSES needs the User.Read.All application permission');
  });
});
