import { describe, expect, it } from 'vitest';
import {
  isEwsFailure,
  readCalendarView,
  readResponseMessages,
  readSendNotification,
  readSubscribe,
  readSyncFolderItems,
  readUnsubscribe,
  readRegionalTimeZone,
  readUserOofSettings,
  serverVersion,
  UNREADABLE_RESPONSE,
} from '../../../../shared/providers/exchange/ews-responses.js';
import {
  CALENDAR_VIEW_RESPONSE,
  OOF_NOT_MAILBOX_OWNER,
  OOF_SETTINGS_RESPONSE,
  PUSH_MODIFIED,
  PUSH_STATUS,
  SERVER_BUSY_FAULT,
  SUBSCRIBE_DELEGATE_REFUSED,
  SUBSCRIBE_SUCCESS,
  SYNC_FOLDER_ITEMS_INVALID_STATE,
  SYNC_FOLDER_ITEMS_SUCCESS,
  UNSUBSCRIBE_NOT_FOUND,
  UNSUBSCRIBE_SUCCESS,
  USER_OPTIONS_NOT_FOUND,
  USER_OPTIONS_RESPONSE,
} from './ews-examples.js';

const M = 'http://schemas.microsoft.com/exchange/services/2006/messages';
const T = 'http://schemas.microsoft.com/exchange/services/2006/types';
const S = 'http://schemas.xmlsoap.org/soap/envelope/';

/** An answer in the shape Exchange 2016+ writes: `s:`, `m:` and `t:` declared on the response element. */
function answer(operation: string, messages: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${S}"><s:Header><h:ServerVersionInfo MajorVersion="15" MinorVersion="2" MajorBuildNumber="1544" MinorBuildNumber="4" Version="V2017_07_11" xmlns:h="${T}" xmlns="${T}"/></s:Header><s:Body><m:${operation}Response xmlns:m="${M}" xmlns:t="${T}"><m:ResponseMessages>${messages}</m:ResponseMessages></m:${operation}Response></s:Body></s:Envelope>`;
}

describe('readSyncFolderItems', () => {
  it('when given Microsoft’s successful response, then its sync state, last-in-range flag and the created item', () => {
    expect(readSyncFolderItems(200, SYNC_FOLDER_ITEMS_SUCCESS)).toEqual({ syncState: 'H4sIAAAAA=', includesLastItemInRange: true, changes: [{ change: 'create', itemId: 'AQApAHRwA==' }] });
  });

  it('when given Microsoft’s ErrorInvalidSyncStateData response, then a failure with that code', () => {
    expect(readSyncFolderItems(200, SYNC_FOLDER_ITEMS_INVALID_STATE)).toEqual({
      kind: 'ews-failure',
      responseCode: 'ErrorInvalidSyncStateData',
      message: 'Synchronization state data is corrupt or otherwise invalid.',
      httpStatus: 200,
    });
  });

  it('when ids only come back for every kind of change, then each is read, and more changes waiting show as not last in range', () => {
    const body = answer(
      'SyncFolderItems',
      `<m:SyncFolderItemsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:SyncState>H4sIAAAAB=</m:SyncState><m:IncludesLastItemInRange>false</m:IncludesLastItemInRange><m:Changes>` +
        `<t:Create><t:CalendarItem><t:ItemId Id="AAMkA1" ChangeKey="DwAA"/></t:CalendarItem></t:Create>` +
        `<t:Update><t:CalendarItem><t:ItemId Id="AAMkA2" ChangeKey="DwAB"/></t:CalendarItem></t:Update>` +
        `<t:Delete><t:ItemId Id="AAMkA3"/></t:Delete>` +
        `<t:ReadFlagChange><t:ItemId Id="AAMkA4"/><t:IsRead>true</t:IsRead></t:ReadFlagChange>` +
        `</m:Changes></m:SyncFolderItemsResponseMessage>`,
    );
    expect(readSyncFolderItems(200, body)).toEqual({
      syncState: 'H4sIAAAAB=',
      includesLastItemInRange: false,
      changes: [
        { change: 'create', itemId: 'AAMkA1' },
        { change: 'update', itemId: 'AAMkA2' },
        { change: 'delete', itemId: 'AAMkA3' },
        { change: 'readFlag', itemId: 'AAMkA4' },
      ],
    });
  });

  it('when a success has no sync state, then the answer is unreadable, not an empty state', () => {
    const body = answer('SyncFolderItems', `<m:SyncFolderItemsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange></m:SyncFolderItemsResponseMessage>`);
    expect(readSyncFolderItems(200, body)).toMatchObject({ kind: 'ews-failure', responseCode: UNREADABLE_RESPONSE, message: expect.stringContaining('syncState') });
  });
});

describe('readCalendarView', () => {
  it('when given Microsoft’s CalendarView response (s:, m:, t: and an h: header), then its five items, the total and that the view was cut short', () => {
    const result = readCalendarView(200, CALENDAR_VIEW_RESPONSE);
    if (isEwsFailure(result)) throw new Error(result.message);
    expect(result.totalItemsInView).toBe(33);
    expect(result.includesLastItemInRange).toBe(false);
    expect(result.items.map((i) => i.subject)).toEqual(['Contoso devs team meeting', 'Daily status meeting', 'Lunch with sales team', 'Tennis at the club', 'Online training webcast']);
    expect(result.items[0]).toEqual({ itemId: 'AAMk', changeKey: 'DwAA', subject: 'Contoso devs team meeting', start: '2013-08-21T19:30:00Z', end: '2013-08-21T20:00:00Z', isAllDayEvent: false, isCancelled: false, categories: [] });
  });

  it('when an item carries every field the mapping asks for, then each is read as Exchange wrote it', () => {
    const body = answer(
      'FindItem',
      `<m:FindItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:RootFolder TotalItemsInView="1" IncludesLastItemInRange="true"><t:Items><t:CalendarItem>` +
        `<t:ItemId Id="AAMkAGE1" ChangeKey="DwAAABYA"/><t:Subject>Tom &amp; Jerry</t:Subject><t:Sensitivity>Private</t:Sensitivity>` +
        `<t:Categories><t:String>Travel</t:String><t:String>Red category</t:String></t:Categories>` +
        `<t:Start>2026-04-07T08:00:00Z</t:Start><t:End>2026-04-07T09:00:00Z</t:End><t:IsAllDayEvent>false</t:IsAllDayEvent>` +
        `<t:LegacyFreeBusyStatus>Tentative</t:LegacyFreeBusyStatus><t:Location>Room 1</t:Location><t:IsCancelled>true</t:IsCancelled>` +
        `<t:IsOnlineMeeting>true</t:IsOnlineMeeting><t:MyResponseType>NoResponseReceived</t:MyResponseType>` +
        `<t:Organizer><t:Mailbox><t:Name>Dan Park</t:Name><t:EmailAddress>dpark@example.com</t:EmailAddress><t:RoutingType>SMTP</t:RoutingType></t:Mailbox></t:Organizer>` +
        `<t:UID>040000008200E00074C5B7101A82E0080000000000</t:UID><t:RecurrenceId>2026-04-07T08:00:00Z</t:RecurrenceId><t:CalendarItemType>Exception</t:CalendarItemType>` +
        `</t:CalendarItem></t:Items></m:RootFolder></m:FindItemResponseMessage>`,
    );
    expect(readCalendarView(200, body)).toEqual({
      totalItemsInView: 1,
      includesLastItemInRange: true,
      items: [
        {
          itemId: 'AAMkAGE1',
          changeKey: 'DwAAABYA',
          subject: 'Tom & Jerry',
          sensitivity: 'Private',
          categories: ['Travel', 'Red category'],
          start: '2026-04-07T08:00:00Z',
          end: '2026-04-07T09:00:00Z',
          isAllDayEvent: false,
          legacyFreeBusyStatus: 'Tentative',
          location: 'Room 1',
          isCancelled: true,
          isOnlineMeeting: true,
          myResponseType: 'NoResponseReceived',
          organizer: 'dpark@example.com',
          uid: '040000008200E00074C5B7101A82E0080000000000',
          recurrenceId: '2026-04-07T08:00:00Z',
          calendarItemType: 'Exception',
        },
      ],
    });
  });

  it('when an item has no Start, then it is still returned (the normaliser reports it), not dropped', () => {
    const body = answer('FindItem', `<m:FindItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:RootFolder TotalItemsInView="1" IncludesLastItemInRange="true"><t:Items><t:CalendarItem><t:ItemId Id="X1"/></t:CalendarItem></t:Items></m:RootFolder></m:FindItemResponseMessage>`);
    expect(readCalendarView(200, body)).toMatchObject({ items: [{ itemId: 'X1', start: '', end: '' }] });
  });

  it('when a boolean is not xs:boolean, then the answer is unreadable and names the field, not its text', () => {
    const body = answer('FindItem', `<m:FindItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:RootFolder IncludesLastItemInRange="true"><t:Items><t:CalendarItem><t:ItemId Id="X1"/><t:Subject>Secret</t:Subject><t:IsAllDayEvent>yes</t:IsAllDayEvent></t:CalendarItem></t:Items></m:RootFolder></m:FindItemResponseMessage>`);
    const result = readCalendarView(200, body);
    expect(result).toMatchObject({ kind: 'ews-failure', responseCode: UNREADABLE_RESPONSE, message: expect.stringContaining('items.0.isAllDayEvent') });
    expect(JSON.stringify(result)).not.toContain('Secret');
  });

  it.each([
    ['ErrorExceededFindCountLimit', 'The number of items to return exceeds the limit.'],
    ['ErrorCalendarViewRangeTooBig', 'The time range of the calendar view is too large.'],
  ])('when FindItem answers %s, then a failure with that code', (code, text) => {
    const body = answer('FindItem', `<m:FindItemResponseMessage ResponseClass="Error"><m:MessageText>${text}</m:MessageText><m:ResponseCode>${code}</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey></m:FindItemResponseMessage>`);
    expect(readCalendarView(200, body)).toEqual({ kind: 'ews-failure', responseCode: code, message: text, httpStatus: 200 });
  });
});

describe('failures', () => {
  it('when Exchange is busy (exchangelib’s captured fault, HTTP 500), then ErrorServerBusy with its BackOffMilliseconds', () => {
    expect(readCalendarView(500, SERVER_BUSY_FAULT)).toEqual({
      kind: 'ews-failure',
      responseCode: 'ErrorServerBusy',
      message: 'The server cannot service this request right now. Try again later.',
      backOffMs: 297749,
      httpStatus: 500,
    });
  });

  it('when the busy answer is a response message with its own MessageXml, then the back-off is read there too', () => {
    const body = answer(
      'FindItem',
      `<m:FindItemResponseMessage ResponseClass="Error"><m:MessageText>The server cannot service this request right now. Try again later.</m:MessageText><m:ResponseCode>ErrorServerBusy</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey><m:MessageXml><t:Value Name="BackOffMilliseconds">30000</t:Value></m:MessageXml></m:FindItemResponseMessage>`,
    );
    expect(readCalendarView(200, body)).toMatchObject({ responseCode: 'ErrorServerBusy', backOffMs: 30000 });
  });

  it.each([
    ['ErrorImpersonateUserDenied', 'The account does not have permission to impersonate the requested user.'],
    ['ErrorNonExistentMailbox', 'No mailbox with such guid.'],
    ['ErrorAccessDenied', 'Access is denied. Check credentials and try again.'],
  ])('when a fault carries %s in its detail, then that code, whatever the faultcode says', (code, text) => {
    const fault = `<s:Envelope xmlns:s="${S}"><s:Body><s:Fault><faultcode xmlns:a="${T}">a:${code}</faultcode><faultstring xml:lang="en-US">${text}</faultstring><detail><e:ResponseCode xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">${code}</e:ResponseCode><e:Message xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">${text}</e:Message></detail></s:Fault></s:Body></s:Envelope>`;
    expect(readSyncFolderItems(500, fault)).toEqual({ kind: 'ews-failure', responseCode: code, message: text, httpStatus: 500 });
  });

  it('when a fault has no ResponseCode (Microsoft’s "not mailbox owner" example), then the faultcode’s local name and the faultstring', () => {
    const result = readUserOofSettings(500, OOF_NOT_MAILBOX_OWNER);
    expect(result).toMatchObject({ kind: 'ews-failure', responseCode: 'Client', httpStatus: 500, message: expect.stringContaining('User is not mailbox owner') });
    expect(isEwsFailure(result) && result.message.length).toBeLessThanOrEqual(300);
  });

  it.each([
    ['an IIS error page', 503, '<html><body><h1>Service Unavailable</h1></body></html>', /not a SOAP 1.1 envelope/],
    ['plain text', 502, 'Bad Gateway', /not well-formed XML|without a root/],
    ['an empty body', 500, '', /not well-formed XML|without a root/],
    ['another operation’s answer', 200, UNSUBSCRIBE_SUCCESS, /no FindItemResponse/],
    ['a SOAP 1.2 envelope', 200, '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>', /not a SOAP 1.1 envelope/],
  ])('when the answer is %s, then UnreadableResponse with the HTTP status', (_name, status, body, why) => {
    const result = readCalendarView(status, body);
    expect(result).toMatchObject({ kind: 'ews-failure', responseCode: UNREADABLE_RESPONSE, httpStatus: status });
    expect(isEwsFailure(result) && result.message).toMatch(why);
  });

  it('when one answer holds a success and an ErrorItemNotFound (Microsoft’s partial GetItem example), then each message keeps its own class and code', () => {
    const body = `<s:Envelope xmlns:s="${S}"><s:Body>
<m:GetItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
                        xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
  <m:ResponseMessages>
    <m:GetItemResponseMessage ResponseClass="Success">
      <m:ResponseCode>NoError</m:ResponseCode>
      <m:Items>
        <t:Message>
          <t:ItemId Id="Er5cAAA="
                    ChangeKey="CQAAABYAAAD32nSTjepyT63rYH17n9THAAAhE0/O" />
          <t:Subject>Business plans</t:Subject>
        </t:Message>
      </m:Items>
    </m:GetItemResponseMessage>
    <m:GetItemResponseMessage ResponseClass="Error">
      <m:MessageText>The specified object was not found in the store.</m:MessageText>
      <m:ResponseCode>ErrorItemNotFound</m:ResponseCode>
      <m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>
      <m:Items />
    </m:GetItemResponseMessage>
  </m:ResponseMessages>
</m:GetItemResponse></s:Body></s:Envelope>`;
    const messages = readResponseMessages(200, body, 'GetItem');
    if (isEwsFailure(messages)) throw new Error(messages.message);
    expect(messages.map(({ responseClass, responseCode, messageText }) => ({ responseClass, responseCode, messageText }))).toEqual([
      { responseClass: 'Success', responseCode: 'NoError', messageText: '' },
      { responseClass: 'Error', responseCode: 'ErrorItemNotFound', messageText: 'The specified object was not found in the store.' },
    ]);
    // A single-mailbox operation that gets more than one message refuses to guess which is meant.
    expect(readCalendarView(200, body.replaceAll('GetItem', 'FindItem'))).toMatchObject({ responseCode: UNREADABLE_RESPONSE, message: expect.stringContaining('2 FindItemResponseMessages') });
  });
});

describe('readUserOofSettings', () => {
  it('when given Microsoft’s response (default namespaces, ResponseMessage beside OofSettings), then the state and its duration', () => {
    expect(readUserOofSettings(200, OOF_SETTINGS_RESPONSE)).toEqual({ oofState: 'Disabled', startTime: '2006-11-03T23:00:00', endTime: '2006-11-04T23:00:00' });
  });

  it('when the response has no OofSettings, then it is unreadable', () => {
    const body = OOF_SETTINGS_RESPONSE.replace(/<OofSettings[\s\S]*<\/OofSettings>/, '');
    expect(readUserOofSettings(200, body)).toMatchObject({ responseCode: UNREADABLE_RESPONSE, message: expect.stringContaining('oofState') });
  });
});

describe('readRegionalTimeZone', () => {
  it('when given the OWA.UserOptions dictionary, then the Windows zone id under `timezone`, the other entries ignored', () => {
    expect(readRegionalTimeZone(200, USER_OPTIONS_RESPONSE)).toEqual({ windowsZone: 'Tokyo Standard Time' });
  });

  it('when the dictionary holds no time zone, then none, which is no failure', () => {
    const body = USER_OPTIONS_RESPONSE.replace('<t:Value>timezone</t:Value>', '<t:Value>timeformat</t:Value>');
    expect(readRegionalTimeZone(200, body)).toEqual({ windowsZone: undefined });
    expect(readRegionalTimeZone(200, USER_OPTIONS_RESPONSE.replace(/<t:Dictionary>[\s\S]*<\/t:Dictionary>/, ''))).toEqual({ windowsZone: undefined });
  });

  it('when the configuration does not exist, then ErrorItemNotFound as a failure', () => {
    expect(readRegionalTimeZone(200, USER_OPTIONS_NOT_FOUND)).toMatchObject({ kind: 'ews-failure', responseCode: 'ErrorItemNotFound', httpStatus: 200 });
  });

  it('when the answer carries no UserConfiguration, then it is unreadable', () => {
    const body = USER_OPTIONS_RESPONSE.replace(/<m:UserConfiguration>[\s\S]*<\/m:UserConfiguration>/, '');
    expect(readRegionalTimeZone(200, body)).toMatchObject({ responseCode: UNREADABLE_RESPONSE });
  });
});

describe('readSubscribe and readUnsubscribe', () => {
  it('when given Microsoft’s Subscribe response, then the subscription id and watermark', () => {
    expect(readSubscribe(200, SUBSCRIBE_SUCCESS)).toEqual({ subscriptionId: '39ea5d0f-f062-455e-a1e9-89c0304390f4', watermark: 'AAAAAHgGAAAAAAAAAQ==' });
  });

  it('when given Microsoft’s delegate-access refusal, then ErrorSubscriptionDelegateAccessNotSupported', () => {
    expect(readSubscribe(200, SUBSCRIBE_DELEGATE_REFUSED)).toMatchObject({ responseCode: 'ErrorSubscriptionDelegateAccessNotSupported', message: 'Subscriptions are not supported for delegate user access.' });
  });

  it('when given Microsoft’s Unsubscribe responses, then success, or ErrorSubscriptionNotFound', () => {
    expect(readUnsubscribe(200, UNSUBSCRIBE_SUCCESS)).toEqual({ unsubscribed: true });
    expect(readUnsubscribe(200, UNSUBSCRIBE_NOT_FOUND)).toMatchObject({ responseCode: 'ErrorSubscriptionNotFound' });
  });
});

describe('readSendNotification', () => {
  it('when a ModifiedEvent on a folder arrives (WorkMail’s sample), then the subscription, watermarks and the folder id', () => {
    expect(readSendNotification(PUSH_MODIFIED)).toEqual({
      subscriptionId: 'hKJETtoAdi9PPW0tZDQ4MThmMDoVYB',
      previousWatermark: 'ygwAAAAAAAA=',
      moreEvents: false,
      events: [{ type: 'modified', watermark: 'ywwAAAAAAAA=', folderId: 'AAB2L089bS1kNDgxOGYwOGE5OTQ0=' }],
    });
  });

  it('when a keep-alive arrives, then one status event with its watermark', () => {
    expect(readSendNotification(PUSH_STATUS)).toMatchObject({ events: [{ type: 'status', watermark: 'AAAAAAAAAAA=' }] });
  });

  it('when item events of every kind arrive with more waiting, then each with its item id, in order, and moreEvents', () => {
    const events = [
      ['CreatedEvent', 'created'],
      ['ModifiedEvent', 'modified'],
      ['DeletedEvent', 'deleted'],
      ['MovedEvent', 'moved'],
      ['CopiedEvent', 'copied'],
      ['NewMailEvent', 'newMail'],
      ['FreeBusyChangedEvent', 'freeBusyChanged'],
    ] as const;
    const xml = events.map(([name], i) => `<t:${name}><t:Watermark>W${i}</t:Watermark><t:TimeStamp>2026-03-30T07:00:0${i}Z</t:TimeStamp><t:ItemId Id="I${i}" ChangeKey="C"/><t:ParentFolderId Id="F"/></t:${name}>`).join('');
    const body = `<soap:Envelope xmlns:soap="${S}"><soap:Body><n1:SendNotification xmlns:n1="${M}"><n1:ResponseMessages><n1:SendNotificationResponseMessage ResponseClass="Success"><n1:ResponseCode>NoError</n1:ResponseCode><n1:Notification xmlns:t="${T}"><t:SubscriptionId>S1</t:SubscriptionId><t:PreviousWatermark>W</t:PreviousWatermark><t:MoreEvents>true</t:MoreEvents>${xml}</n1:Notification></n1:SendNotificationResponseMessage></n1:ResponseMessages></n1:SendNotification></soap:Body></soap:Envelope>`;
    expect(readSendNotification(body)).toEqual({
      subscriptionId: 'S1',
      previousWatermark: 'W',
      moreEvents: true,
      events: events.map(([, type], i) => ({ type, watermark: `W${i}`, itemId: `I${i}` })),
    });
  });

  it.each([
    ['not XML', 'hello', /not well-formed|without a root/],
    ['no subscription id', PUSH_STATUS.replace(/<t:SubscriptionId>.*<\/t:SubscriptionId>/, ''), /subscriptionId/],
    ['an event without a watermark', PUSH_STATUS.replace(/<t:Watermark>.*<\/t:Watermark>/, ''), /events\.0\.watermark/],
    ['a SOAP fault', SERVER_BUSY_FAULT, /cannot service/],
    ['an error message', PUSH_STATUS.replace('<m:ResponseCode>NoError', '<m:ResponseCode>ErrorMissedNotificationEvents'), /ErrorMissedNotificationEvents/],
  ])('when the POST holds %s, then invalid with a reason', (_name, body, why) => {
    const result = readSendNotification(body);
    expect(result).toMatchObject({ kind: 'invalid' });
    expect('detail' in result && result.detail).toMatch(why);
  });
});

describe('serverVersion', () => {
  it.each([
    ['Exchange 2007’s t: header', SYNC_FOLDER_ITEMS_SUCCESS, '8.0.628.0'],
    ['Exchange 2013’s h: header with a default namespace', CALENDAR_VIEW_RESPONSE, '15.0.731.10 (V2_3)'],
    ['a fault without a header', SERVER_BUSY_FAULT, undefined],
    ['not XML', 'nope', undefined],
  ])('when given %s, then %s', (_name, body, expected) => {
    expect(serverVersion(body)).toBe(expected);
  });
});
