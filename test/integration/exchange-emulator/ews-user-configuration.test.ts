import { beforeEach, describe, expect, it } from 'vitest';
import { readRegionalTimeZone } from '../../../shared/providers/exchange/ews-responses.js';
import { createEwsEmulator, type EwsEmulator } from '../../../tools/emulators/exchange/ews-emulator-control.js';
import { M, SERVICE_ACCOUNT, T, call, els, messages, one } from './ews-test-xml.js';

const ANNA = 'anna@contoso.com';
const DELEGATE = 'CONTOSO\\assistant';

/** MS:getuserconfiguration-operation.md's request, on OWA.UserOptions in the root folder. */
function getUserConfiguration(name = 'OWA.UserOptions', folder = 'root', mailbox?: string): string {
  const inMailbox = mailbox === undefined ? '' : `<t:Mailbox><t:EmailAddress>${mailbox}</t:EmailAddress></t:Mailbox>`;
  return (
    `<m:GetUserConfiguration><m:UserConfigurationName Name="${name}"><t:DistinguishedFolderId Id="${folder}">${inMailbox}</t:DistinguishedFolderId></m:UserConfigurationName>` +
    `<m:UserConfigurationProperties>Dictionary</m:UserConfigurationProperties></m:GetUserConfiguration>`
  );
}

describe('EWS emulator: GetUserConfiguration (the regional configuration)', () => {
  let ews: EwsEmulator;
  beforeEach(() => {
    ews = createEwsEmulator();
    ews.control.addMailbox({ address: ANNA, timeZone: 'Asia/Tokyo', impersonators: [SERVICE_ACCOUNT], delegates: [DELEGATE] });
  });

  it('when OWA.UserOptions is asked for, then its dictionary holds the mailbox\'s Windows zone under `timezone`, in the reference page\'s shape', async () => {
    const answer = await call(ews.service, getUserConfiguration(), { impersonate: ANNA });
    expect(answer.status).toBe(200);
    expect(messages(answer).map((m) => [m.cls, m.code])).toEqual([['Success', 'NoError']]);
    const configuration = one(answer.doc, M, 'UserConfiguration');
    expect(one(configuration, T, 'UserConfigurationName').getAttribute('Name')).toBe('OWA.UserOptions');
    const entries = els(configuration, T, 'DictionaryEntry').map((e) => els(e, T, 'Value').map((v) => v.textContent));
    expect(entries).toContainEqual(['timezone', 'Tokyo Standard Time']);
    expect(readRegionalTimeZone(answer.status, answer.text)).toEqual({ windowsZone: 'Tokyo Standard Time' });
  });

  it('when the zone is changed, or set to an id of the test\'s choosing, then the configuration says so', async () => {
    ews.control.setTimeZone(ANNA, 'America/Los_Angeles');
    expect(readRegionalTimeZone(200, (await call(ews.service, getUserConfiguration(), { impersonate: ANNA })).text)).toEqual({ windowsZone: 'Pacific Standard Time' });
    ews.control.setRegionalTimeZone(ANNA, 'Atlantis Standard Time');
    expect(readRegionalTimeZone(200, (await call(ews.service, getUserConfiguration(), { impersonate: ANNA })).text)).toEqual({ windowsZone: 'Atlantis Standard Time' });
  });

  it('when the mailbox has no regional configuration, or another name or folder is asked for, then ErrorItemNotFound', async () => {
    ews.control.addMailbox({ address: 'ben@contoso.com', timeZone: 'Europe/Paris', impersonators: [SERVICE_ACCOUNT], regionalConfiguration: false });
    const codes = async (body: string, mailbox: string) => messages(await call(ews.service, body, { impersonate: mailbox })).map((m) => [m.cls, m.code]);
    expect(await codes(getUserConfiguration(), 'ben@contoso.com')).toEqual([['Error', 'ErrorItemNotFound']]);
    expect(await codes(getUserConfiguration('OWA.Other'), ANNA)).toEqual([['Error', 'ErrorItemNotFound']]);
    expect(await codes(getUserConfiguration('OWA.UserOptions', 'inbox'), ANNA)).toEqual([['Error', 'ErrorItemNotFound']]);
    ews.control.setRegionalTimeZone(ANNA, undefined);
    expect(await codes(getUserConfiguration(), ANNA)).toEqual([['Error', 'ErrorItemNotFound']]);
  });

  it('when a delegate asks for the other mailbox\'s root folder, then ErrorAccessDenied (the calendar is shared, not the mailbox)', async () => {
    const answer = await call(ews.service, getUserConfiguration('OWA.UserOptions', 'root', ANNA), { user: DELEGATE, anchor: ANNA });
    expect(messages(answer).map((m) => [m.cls, m.code])).toEqual([['Error', 'ErrorAccessDenied']]);
  });
});
