import type { Element } from '@xmldom/xmldom';
import { beforeEach, describe, expect, it } from 'vitest';
import { createEwsEmulator, type EwsEmulator } from '../../../tools/emulators/exchange/ews-emulator-control.js';
import { M, SERVICE_ACCOUNT, SOAP, T, calendarItems, calendarView, call, els, faultCode, getUserOofSettings, messages, one, syncFolderItems, textOf, type Answer } from './ews-test-xml.js';

const ANNA = 'anna@contoso.com';
const BEN = 'ben@contoso.com';
const DELEGATE = 'CONTOSO\\assistant';

/** [Create|Update|Delete, ItemId] of each change, in order. */
const changes = (answer: Answer): Array<[string, string]> =>
  Array.from(one(answer.doc, M, 'Changes').childNodes)
    .filter((n): n is Element => n.nodeType === 1)
    .map((el) => [el.localName ?? '', one(el, T, 'ItemId').getAttribute('Id') ?? '']);

describe('EWS emulator: SyncFolderItems', () => {
  let ews: EwsEmulator;
  beforeEach(() => {
    ews = createEwsEmulator();
    ews.control.addMailbox({ address: ANNA, timeZone: 'Europe/Paris', impersonators: [SERVICE_ACCOUNT] });
  });
  const sync = (state: string | undefined, max = 512) => call(ews.service, syncFolderItems(state, max), { impersonate: ANNA });

  it('when a series and a single item exist, then the first sync reports two Creates (masters, not occurrences), IdOnly', async () => {
    const { itemId: series } = ews.control.createItem(ANNA, { subject: 'Daily', start: '2026-06-01T07:00:00Z', end: '2026-06-01T07:15:00Z', recurrence: { pattern: { type: 'daily', interval: 1 }, range: { type: 'numbered', count: 10 } } });
    const { itemId: single } = ews.control.createItem(ANNA, { subject: 'Lunch', start: '2026-06-02T11:00:00Z', end: '2026-06-02T12:00:00Z' });

    const answer = await sync(undefined);

    expect(messages(answer).map((m) => m.code)).toEqual(['NoError']);
    expect(changes(answer)).toEqual([['Create', series], ['Create', single]]);
    expect(textOf(answer.doc, M, 'IncludesLastItemInRange')).toBe('true');
    // IdOnly: the item carries its id and nothing else.
    expect(els(one(answer.doc, M, 'Changes'), T, 'Subject')).toHaveLength(0);
  });

  it('when an occurrence is moved, another deleted, an item created and deleted, then the next sync reports one Update of the master and nothing for the short-lived item', async () => {
    const { itemId: series } = ews.control.createItem(ANNA, { subject: 'Daily', start: '2026-06-01T07:00:00Z', end: '2026-06-01T07:15:00Z', recurrence: { pattern: { type: 'daily', interval: 1 }, range: { type: 'noEnd' } } });
    const { itemId: gone } = ews.control.createItem(ANNA, { subject: 'Old', start: '2026-06-02T11:00:00Z', end: '2026-06-02T12:00:00Z' });
    const state = textOf((await sync(undefined)).doc, M, 'SyncState')!;
    ews.control.updateOccurrence(ANNA, series, '2026-06-03T07:00:00Z', { start: '2026-06-03T09:00:00Z', end: '2026-06-03T09:15:00Z' });
    ews.control.deleteOccurrence(ANNA, series, '2026-06-04T07:00:00Z');
    const brief = ews.control.createItem(ANNA, { subject: 'Brief', start: '2026-06-05T11:00:00Z', end: '2026-06-05T12:00:00Z' });
    ews.control.deleteItem(ANNA, brief.itemId);
    ews.control.deleteItem(ANNA, gone);

    const answer = await sync(state);

    expect(changes(answer)).toEqual([['Update', series], ['Delete', gone]]);
  });

  it('when 600 items changed, then at most 512 come per call with IncludesLastItemInRange false, and the next call brings the other 88', async () => {
    for (let i = 0; i < 600; i++) ews.control.createItem(ANNA, { subject: `Item ${i}`, start: '2026-06-01T07:00:00Z', end: '2026-06-01T08:00:00Z' });

    const first = await sync(undefined, 512);
    const second = await sync(textOf(first.doc, M, 'SyncState'), 512);
    const small = await sync(undefined, 100);

    expect(changes(first)).toHaveLength(512);
    expect(textOf(first.doc, M, 'IncludesLastItemInRange')).toBe('false');
    expect(changes(second)).toHaveLength(88);
    expect(textOf(second.doc, M, 'IncludesLastItemInRange')).toBe('true');
    expect(new Set([...changes(first), ...changes(second)].map((c) => c[1])).size).toBe(600);
    expect(changes(small)).toHaveLength(100);
  });

  it('when MaxChangesReturned is above 512, then the schema refuses the request with an HTTP 500 fault', async () => {
    const answer = await sync(undefined, 513);
    expect(answer.status).toBe(500);
    expect(faultCode(answer)).toBe('ErrorSchemaValidation');
  });

  it('when the state was never issued, was invalidated, or the switch is on, then ErrorInvalidSyncStateData with an empty SyncState; without a state it starts over', async () => {
    ews.control.createItem(ANNA, { subject: 'Lunch', start: '2026-06-02T11:00:00Z', end: '2026-06-02T12:00:00Z' });
    const issued = textOf((await sync(undefined)).doc, M, 'SyncState')!;

    const forged = await sync('H4sIAAAAAAAEAO29B2AcSZYnonPmVDmfDr1mmm');
    const switched = ews.control.addFault({ kind: 'ErrorInvalidSyncStateData', mailbox: ANNA, times: 1 });
    const bySwitch = await sync(issued);
    expect(ews.control.invalidateSyncStates(ANNA)).toBeGreaterThanOrEqual(1);
    const invalidated = await sync(issued);
    const fresh = await sync(undefined);

    for (const refused of [forged, bySwitch, invalidated]) {
      expect(refused.status).toBe(200);
      expect(messages(refused).map((m) => [m.cls, m.code])).toEqual([['Error', 'ErrorInvalidSyncStateData']]);
      expect(textOf(refused.doc, M, 'SyncState')).toBe('');
    }
    expect(switched.served).toBe(1);
    expect(changes(fresh)).toHaveLength(1);
  });
});

describe('EWS emulator: access, automatic replies and request headers', () => {
  let ews: EwsEmulator;
  beforeEach(() => {
    ews = createEwsEmulator();
    ews.control.addMailbox({ address: ANNA, timeZone: 'Europe/Paris', impersonators: [SERVICE_ACCOUNT], delegates: [DELEGATE] });
    ews.control.addMailbox({ address: BEN, timeZone: 'Europe/London', impersonators: [] });
    ews.control.createItem(ANNA, { subject: 'Anna busy', start: '2026-06-02T11:00:00Z', end: '2026-06-02T12:00:00Z' });
    ews.control.createItem(BEN, { subject: 'Ben busy', start: '2026-06-02T11:00:00Z', end: '2026-06-02T12:00:00Z', legacyFreeBusyStatus: 'WorkingElsewhere' });
  });
  const window = ['2026-06-01T00:00:00Z', '2026-06-10T00:00:00Z'] as const;

  it('when the service account impersonates a mailbox it holds no right over, then HTTP 500 ErrorImpersonateUserDenied; an unknown one, ErrorNonExistentMailbox', async () => {
    const denied = await call(ews.service, calendarView(...window), { impersonate: BEN });
    const unknown = await call(ews.service, calendarView(...window), { impersonate: 'nobody@contoso.com' });

    expect([denied.status, faultCode(denied)]).toEqual([500, 'ErrorImpersonateUserDenied']);
    expect([unknown.status, faultCode(unknown)]).toEqual([500, 'ErrorNonExistentMailbox']);
    expect(els(denied.doc, SOAP, 'Fault')).toHaveLength(1);
  });

  it('when a delegate reads two calendars, one granted and one not, then one answer holds a Success and an ErrorAccessDenied', async () => {
    const answer = await call(ews.service, calendarView(...window, { mailboxes: [ANNA, BEN] }), { user: DELEGATE, anchor: ANNA });

    expect(answer.status).toBe(200);
    expect(messages(answer).map((m) => [m.cls, m.code])).toEqual([['Success', 'NoError'], ['Error', 'ErrorAccessDenied']]);
    expect(calendarItems(messages(answer)[0]!.el).map((i) => i.Subject)).toEqual(['Anna busy']);
  });

  it('when a delegate names a mailbox that does not exist, then ErrorNonExistentMailbox in the response message', async () => {
    const answer = await call(ews.service, calendarView(...window, { mailboxes: ['ghost@contoso.com'] }), { user: DELEGATE, anchor: 'ghost@contoso.com' });
    expect([answer.status, messages(answer)[0]!.code]).toEqual([200, 'ErrorNonExistentMailbox']);
  });

  it('when automatic replies are Scheduled, then GetUserOofSettings returns OofState, ExternalAudience, Duration and both replies', async () => {
    ews.control.setOof(ANNA, { state: 'Scheduled', externalAudience: 'Known', start: '2026-07-01T06:00:00Z', end: '2026-07-15T18:00:00Z', internalReply: 'Away', externalReply: 'Away, back 16 July' });

    const answer = await call(ews.service, getUserOofSettings(ANNA), { impersonate: ANNA });

    expect(answer.status).toBe(200);
    expect(textOf(answer.doc, M, 'ResponseCode')).toBe('NoError');
    const settings = one(answer.doc, T, 'OofSettings');
    expect([textOf(settings, T, 'OofState'), textOf(settings, T, 'ExternalAudience'), textOf(settings, T, 'StartTime'), textOf(settings, T, 'EndTime')]).toEqual(['Scheduled', 'Known', '2026-07-01T06:00:00', '2026-07-15T18:00:00']);
    expect(textOf(one(settings, T, 'ExternalReply'), T, 'Message')).toBe('Away, back 16 July');
  });

  it('when a delegate asks for the automatic replies, then the "User is not mailbox owner" fault', async () => {
    const answer = await call(ews.service, getUserOofSettings(ANNA), { user: DELEGATE, anchor: ANNA });
    expect(answer.status).toBe(500);
    expect(answer.text).toMatch(/<faultstring>[^<]*User is not mailbox owner/);
    expect(textOf(answer.doc, M, 'ErrorCode')).toBe('-2146233088');
  });

  it('when RequestServerVersion is unknown, then a fault; when absent, the Exchange2007 schema has no WorkingElsewhere', async () => {
    ews.control.grantImpersonation(SERVICE_ACCOUNT, BEN);
    const unknown = await call(ews.service, calendarView(...window), { impersonate: BEN, version: 'Exchange2099' });
    const old = await call(ews.service, calendarView(...window), { impersonate: BEN, version: null });
    const current = await call(ews.service, calendarView(...window), { impersonate: BEN });

    expect([unknown.status, faultCode(unknown)]).toEqual([500, 'ErrorInvalidServerVersion']);
    expect(calendarItems(old.doc)[0]!.LegacyFreeBusyStatus).toBe('Busy');
    expect(calendarItems(current.doc)[0]!.LegacyFreeBusyStatus).toBe('WorkingElsewhere');
  });

  it('when requests come with and without X-AnchorMailbox, then the record counts them per operation and mailbox', async () => {
    await call(ews.service, calendarView(...window), { impersonate: ANNA });
    await call(ews.service, calendarView(...window), { impersonate: ANNA, anchor: null });
    await call(ews.service, syncFolderItems(undefined, 10), { impersonate: ANNA, anchor: null });

    expect(ews.control.requestCount({ operation: 'FindItem', mailbox: ANNA })).toBe(2);
    expect(ews.control.requestCount({ operation: 'SyncFolderItems', mailbox: ANNA })).toBe(1);
    expect(ews.control.anchorMailboxMissing(ANNA)).toBe(2);
    expect(ews.control.requests()[0]).toMatchObject({ impersonated: true, serverVersion: 'Exchange2013_SP1', anchorMailbox: ANNA, responseCodes: ['NoError'] });
  });

  it('when the emulator requires X-AnchorMailbox, then an impersonated request without it gets 503', async () => {
    const strict = createEwsEmulator({ requireAnchorMailbox: true });
    strict.control.addMailbox({ address: ANNA, impersonators: [SERVICE_ACCOUNT] });
    expect((await call(strict.service, calendarView(...window), { impersonate: ANNA, anchor: null })).status).toBe(503);
    expect((await call(strict.service, calendarView(...window), { impersonate: ANNA })).status).toBe(200);
  });
});
