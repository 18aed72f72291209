import { describe, expect, it } from 'vitest';
import {
  CALENDAR_VIEW_FIELDS,
  calendarViewRequest,
  getUserConfigurationRequest,
  getUserOofSettingsRequest,
  sendNotificationResult,
  subscribePushRequest,
  syncFolderItemsRequest,
  unsubscribeRequest,
  type EwsTarget,
} from '../../../../shared/providers/exchange/ews-requests.js';
import { child, childText, MESSAGES_NS, path, readXml, SOAP_NS, TYPES_NS, type XmlElement } from '../../../../shared/providers/exchange/ews-xml.js';

const IMPERSONATED: EwsTarget = { mailbox: 'sam@example.com', access: 'impersonation' };
const DELEGATED: EwsTarget = { mailbox: 'sam@example.com', access: 'delegate' };

function parse(text: string): XmlElement {
  const read = readXml(text);
  if (!read.ok) throw new Error(read.problem);
  expect(read.root).toMatchObject({ ns: SOAP_NS, local: 'Envelope' });
  return read.root;
}

/** The one operation element in the Body. */
function operation(envelope: XmlElement): XmlElement {
  const body = child(envelope, SOAP_NS, 'Body');
  expect(body?.children).toHaveLength(1);
  return body!.children[0]!;
}

const names = (element: XmlElement | undefined) => (element?.children ?? []).map((c) => `${c.ns === MESSAGES_NS ? 'm' : c.ns === TYPES_NS ? 't' : c.ns}:${c.local}`);

describe('every envelope', () => {
  const requests: Array<[string, (target: EwsTarget) => string]> = [
    ['SyncFolderItems', (t) => syncFolderItemsRequest(t, undefined, 512)],
    ['FindItem', (t) => calendarViewRequest(t, '2026-03-29T00:00:00Z', '2026-04-14T00:00:00Z', 1000)],
    ['GetUserOofSettingsRequest', (t) => getUserOofSettingsRequest(t)],
    ['GetUserConfiguration', (t) => getUserConfigurationRequest(t)],
    ['Subscribe', (t) => subscribePushRequest(t, 'https://sync.example.com/api/ews-notifications?s=abc', 30)],
    ['Unsubscribe', (t) => unsubscribeRequest(t, 'sub-1')],
  ];

  it.each(requests)('when %s is built impersonating, then RequestServerVersion Exchange2013_SP1 and ExchangeImpersonation/ConnectingSID/PrimarySmtpAddress', (name, build) => {
    const envelope = parse(build(IMPERSONATED));
    const header = child(envelope, SOAP_NS, 'Header');
    expect(child(header, TYPES_NS, 'RequestServerVersion')?.attributes.Version).toBe('Exchange2013_SP1');
    expect(path(header, [TYPES_NS, 'ExchangeImpersonation'], [TYPES_NS, 'ConnectingSID'], [TYPES_NS, 'PrimarySmtpAddress'])?.text).toBe('sam@example.com');
    expect(operation(envelope)).toMatchObject({ ns: MESSAGES_NS, local: name });
  });

  it.each(requests)('when %s is built as a delegate, then no impersonation header', (_name, build) => {
    const header = child(parse(build(DELEGATED)), SOAP_NS, 'Header');
    expect(child(header, TYPES_NS, 'RequestServerVersion')?.attributes.Version).toBe('Exchange2013_SP1');
    expect(child(header, TYPES_NS, 'ExchangeImpersonation')).toBeUndefined();
  });

  it('when the mailbox and the ids hold markup characters, then they are escaped and read back unchanged', () => {
    const odd: EwsTarget = { mailbox: `o'brien&<x>"@example.com`, access: 'delegate' };
    const sync = operation(parse(syncFolderItemsRequest(odd, 'H4sI<&>', 10)));
    expect(childText(sync, MESSAGES_NS, 'SyncState')).toBe('H4sI<&>');
    expect(path(sync, [MESSAGES_NS, 'SyncFolderId'], [TYPES_NS, 'DistinguishedFolderId'], [TYPES_NS, 'Mailbox'], [TYPES_NS, 'EmailAddress'])?.text).toBe(odd.mailbox);
    const header = child(parse(unsubscribeRequest({ ...odd, access: 'impersonation' }, 'a&b')), SOAP_NS, 'Header');
    expect(path(header, [TYPES_NS, 'ExchangeImpersonation'], [TYPES_NS, 'ConnectingSID'], [TYPES_NS, 'PrimarySmtpAddress'])?.text).toBe(odd.mailbox);
  });
});

describe('SyncFolderItems', () => {
  it('when built, then ItemShape IdOnly, the calendar, the sync state, MaxChangesReturned — in the schema’s order', () => {
    const op = operation(parse(syncFolderItemsRequest(IMPERSONATED, 'H4sIAAAAA=', 512)));
    expect(names(op)).toEqual(['m:ItemShape', 'm:SyncFolderId', 'm:SyncState', 'm:MaxChangesReturned']);
    expect(path(op, [MESSAGES_NS, 'ItemShape'], [TYPES_NS, 'BaseShape'])?.text).toBe('IdOnly');
    const folder = path(op, [MESSAGES_NS, 'SyncFolderId'], [TYPES_NS, 'DistinguishedFolderId']);
    expect(folder?.attributes.Id).toBe('calendar');
    expect(folder?.children).toEqual([]);
    expect(childText(op, MESSAGES_NS, 'MaxChangesReturned')).toBe('512');
  });

  it('when there is no sync state yet (first sync), then no SyncState element', () => {
    expect(names(operation(parse(syncFolderItemsRequest(IMPERSONATED, undefined, 100))))).toEqual(['m:ItemShape', 'm:SyncFolderId', 'm:MaxChangesReturned']);
  });

  it('when delegate, then the calendar folder names the mailbox', () => {
    const op = operation(parse(syncFolderItemsRequest(DELEGATED, undefined, 1)));
    expect(path(op, [MESSAGES_NS, 'SyncFolderId'], [TYPES_NS, 'DistinguishedFolderId'], [TYPES_NS, 'Mailbox'], [TYPES_NS, 'EmailAddress'])?.text).toBe('sam@example.com');
  });

  it.each([0, 513, 1.5, Number.NaN])('when maxChanges is %s, then refused (Exchange returns at most 512)', (max) => {
    expect(() => syncFolderItemsRequest(IMPERSONATED, undefined, max)).toThrow(RangeError);
  });
});

describe('FindItem with a CalendarView', () => {
  it('when built, then ItemShape (IdOnly plus the mapped properties), CalendarView, ParentFolderIds — in order', () => {
    const op = operation(parse(calendarViewRequest(DELEGATED, '2026-03-29T00:00:00Z', '2026-04-14T00:00:00Z', 1000)));
    expect(op.attributes.Traversal).toBe('Shallow');
    expect(names(op)).toEqual(['m:ItemShape', 'm:CalendarView', 'm:ParentFolderIds']);
    const shape = child(op, MESSAGES_NS, 'ItemShape');
    expect(childText(shape, TYPES_NS, 'BaseShape')).toBe('IdOnly');
    expect(child(shape, TYPES_NS, 'AdditionalProperties')?.children.map((c) => c.attributes.FieldURI)).toEqual([...CALENDAR_VIEW_FIELDS]);
    expect(child(op, MESSAGES_NS, 'CalendarView')?.attributes).toEqual({ MaxEntriesReturned: '1000', StartDate: '2026-03-29T00:00:00Z', EndDate: '2026-04-14T00:00:00Z' });
    expect(path(op, [MESSAGES_NS, 'ParentFolderIds'], [TYPES_NS, 'DistinguishedFolderId'], [TYPES_NS, 'Mailbox'], [TYPES_NS, 'EmailAddress'])?.text).toBe('sam@example.com');
  });

  it('when the properties are listed, then every one the mapping reads is there', () => {
    expect([...CALENDAR_VIEW_FIELDS].sort()).toEqual(
      [
        'item:Subject', 'item:Sensitivity', 'item:Categories', 'calendar:Start', 'calendar:End', 'calendar:IsAllDayEvent', 'calendar:LegacyFreeBusyStatus',
        'calendar:Location', 'calendar:IsCancelled', 'calendar:IsOnlineMeeting', 'calendar:MyResponseType', 'calendar:Organizer', 'calendar:UID',
        'calendar:RecurrenceId', 'calendar:CalendarItemType',
      ].sort(),
    );
  });

  it.each([
    ['a start without an offset', '2026-03-29T00:00:00', '2026-04-14T00:00:00Z', 10],
    ['an end before the start', '2026-04-14T00:00:00Z', '2026-03-29T00:00:00Z', 10],
    ['no entries', '2026-03-29T00:00:00Z', '2026-04-14T00:00:00Z', 0],
    ['a date that is not one', '2026-02-30T00:00:00Z', '2026-04-14T00:00:00Z', 10],
    ['markup after a date', '2026-03-29T00:00:00Z"/><x', '2026-04-14T00:00:00Z', 10],
  ])('when given %s, then refused', (_name, start, end, max) => {
    expect(() => calendarViewRequest(IMPERSONATED, start, end, max)).toThrow(RangeError);
  });
});

describe('GetUserOofSettings', () => {
  it('when built, then the mailbox by Mailbox/Address in the types namespace', () => {
    const op = operation(parse(getUserOofSettingsRequest(IMPERSONATED)));
    expect(op).toMatchObject({ ns: MESSAGES_NS, local: 'GetUserOofSettingsRequest' });
    expect(path(op, [TYPES_NS, 'Mailbox'], [TYPES_NS, 'Address'])?.text).toBe('sam@example.com');
  });
});

describe('GetUserConfiguration (the regional configuration)', () => {
  it('when built impersonating, then OWA.UserOptions on the root folder, dictionary only, in the order the reference gives', () => {
    const op = operation(parse(getUserConfigurationRequest(IMPERSONATED)));
    expect(op).toMatchObject({ ns: MESSAGES_NS, local: 'GetUserConfiguration' });
    expect(names(op)).toEqual(['m:UserConfigurationName', 'm:UserConfigurationProperties']);
    const name = child(op, MESSAGES_NS, 'UserConfigurationName');
    expect(name?.attributes.Name).toBe('OWA.UserOptions');
    expect(names(name)).toEqual(['t:DistinguishedFolderId']);
    expect(child(name, TYPES_NS, 'DistinguishedFolderId')?.attributes.Id).toBe('root');
    expect(child(child(name, TYPES_NS, 'DistinguishedFolderId'), TYPES_NS, 'Mailbox')).toBeUndefined();
    expect(childText(op, MESSAGES_NS, 'UserConfigurationProperties')).toBe('Dictionary');
  });

  it('when built as a delegate, then the root folder names the other mailbox', () => {
    const op = operation(parse(getUserConfigurationRequest(DELEGATED)));
    const root = path(op, [MESSAGES_NS, 'UserConfigurationName'], [TYPES_NS, 'DistinguishedFolderId']);
    expect(root?.attributes.Id).toBe('root');
    expect(path(root, [TYPES_NS, 'Mailbox'], [TYPES_NS, 'EmailAddress'])?.text).toBe('sam@example.com');
  });
});

describe('Subscribe (push) and Unsubscribe', () => {
  it('when built with a watermark, then FolderIds, EventTypes, Watermark, StatusFrequency, URL — in order, on the calendar', () => {
    const url = 'https://sync.example.com/api/ews-notifications?profile=onprem&secret=a&b';
    const op = operation(parse(subscribePushRequest(DELEGATED, url, 30, 'AAAAAHgGAAAAAAAAAQ==')));
    const request = child(op, MESSAGES_NS, 'PushSubscriptionRequest');
    expect(names(request)).toEqual(['t:FolderIds', 't:EventTypes', 't:Watermark', 't:StatusFrequency', 't:URL']);
    expect(path(request, [TYPES_NS, 'FolderIds'], [TYPES_NS, 'DistinguishedFolderId'])?.attributes.Id).toBe('calendar');
    expect(child(request, TYPES_NS, 'EventTypes')?.children.map((c) => c.text)).toEqual(['CopiedEvent', 'CreatedEvent', 'DeletedEvent', 'ModifiedEvent', 'MovedEvent']);
    expect(childText(request, TYPES_NS, 'Watermark')).toBe('AAAAAHgGAAAAAAAAAQ==');
    expect(childText(request, TYPES_NS, 'StatusFrequency')).toBe('30');
    expect(childText(request, TYPES_NS, 'URL')).toBe(url);
  });

  it('when built without a watermark, then none is sent', () => {
    const request = child(operation(parse(subscribePushRequest(IMPERSONATED, 'https://x.example/cb', 1))), MESSAGES_NS, 'PushSubscriptionRequest');
    expect(names(request)).toEqual(['t:FolderIds', 't:EventTypes', 't:StatusFrequency', 't:URL']);
  });

  it.each([
    ['a status frequency of 0', 'https://x.example/cb', 0],
    ['a status frequency above 1440 minutes', 'https://x.example/cb', 1441],
    ['a URL that is not one', 'not a url', 30],
    ['a URL that is not http(s)', 'ftp://x.example/cb', 30],
  ])('when given %s, then refused', (_name, url, frequency) => {
    expect(() => subscribePushRequest(IMPERSONATED, url, frequency)).toThrow();
  });

  it('when Unsubscribe is built, then the subscription id in the messages namespace', () => {
    expect(childText(operation(parse(unsubscribeRequest(IMPERSONATED, 'e6fbf5c1-7e26-4bc6-a5f2-882063d5e34e'))), MESSAGES_NS, 'SubscriptionId')).toBe('e6fbf5c1-7e26-4bc6-a5f2-882063d5e34e');
  });
});

describe('sendNotificationResult', () => {
  it.each(['OK', 'Unsubscribe'] as const)('when answering %s, then SendNotificationResult/SubscriptionStatus in the messages namespace', (status) => {
    const op = operation(parse(sendNotificationResult(status)));
    expect(op).toMatchObject({ ns: MESSAGES_NS, local: 'SendNotificationResult' });
    expect(childText(op, MESSAGES_NS, 'SubscriptionStatus')).toBe(status);
  });
});
