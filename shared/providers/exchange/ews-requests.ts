/**
 * The SOAP 1.1 envelopes we send to EWS, written by hand (the EWS WSDL has no service or binding
 * section, and generic SOAP clients choke on it). Element names and their order follow Microsoft's
 * EWS reference pages (https://learn.microsoft.com/exchange/client-developer/web-service-reference/),
 * cited at each request. Every value is XML-escaped.
 */
import { parseXsDateTime } from '../../domain/xs-date-time.js';
import { MESSAGES_NS, SOAP_NS, TYPES_NS, xmlEscape } from './ews-xml.js';

/** The mailbox a request is about, and how the service account reaches it. */
export interface EwsTarget {
  /** The mailbox's primary SMTP address. */
  readonly mailbox: string;
  /**
   * `impersonation`: the ExchangeImpersonation header makes the request the mailbox owner's
   * (ApplicationImpersonation role). `delegate`: the service account acts as itself on a folder
   * the owner shared, addressed by the mailbox in the folder id.
   */
  readonly access: 'impersonation' | 'delegate';
}

/**
 * Exchange2013_SP1, the newest value RequestServerVersion documents
 * (MS:requestserverversion.md); Exchange 2016, 2019 and SE accept it.
 */
export const REQUEST_SERVER_VERSION = 'Exchange2013_SP1';

/** SyncFolderItems returns at most 512 changes a call (MS:syncfolderitems-operation.md, Remarks). */
export const MAX_SYNC_CHANGES = 512;

/**
 * The CalendarItem properties the mapping reads. MS:calendarview.md asks CalendarView queries to
 * keep to the properties held in the recurrence blob or calculated from it (subject, location,
 * start, end, all-day, free/busy status, item id, item type, the global object id behind UID) or
 * the master's (sensitivity, categories); IsCancelled comes from the AppointmentState the blob
 * holds. MyResponseType, RecurrenceId, Organizer and IsOnlineMeeting are not on that list but
 * the rules need them (MAPPING.md §1, §6); each is one property per item. FieldURI values:
 * MS:fielduri.md.
 */
export const CALENDAR_VIEW_FIELDS = [
  'item:Subject',
  'item:Sensitivity',
  'item:Categories',
  'calendar:Start',
  'calendar:End',
  'calendar:IsAllDayEvent',
  'calendar:LegacyFreeBusyStatus',
  'calendar:Location',
  'calendar:IsCancelled',
  'calendar:IsOnlineMeeting',
  'calendar:MyResponseType',
  'calendar:Organizer',
  'calendar:UID',
  'calendar:RecurrenceId',
  'calendar:CalendarItemType',
] as const;

/** Calendar changes come as items created, modified, deleted, moved or copied; NewMailEvent is for inboxes. */
const CALENDAR_EVENT_TYPES = ['CopiedEvent', 'CreatedEvent', 'DeletedEvent', 'ModifiedEvent', 'MovedEvent'] as const;

/**
 * The envelope around one operation. Header: RequestServerVersion always; ExchangeImpersonation
 * with ConnectingSID/PrimarySmtpAddress when impersonating (MS:exchangeimpersonation.md,
 * MS:connectingsid.md); no target for a request that reads no mailbox. The transport adds
 * X-AnchorMailbox (MS:impersonation-and-ews-in-exchange.md).
 */
function envelope(target: EwsTarget | undefined, body: string): string {
  const impersonation =
    target?.access === 'impersonation'
      ? `<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>${xmlEscape(target.mailbox)}</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>`
      : '';
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<soap:Envelope xmlns:soap="${SOAP_NS}" xmlns:m="${MESSAGES_NS}" xmlns:t="${TYPES_NS}">` +
    `<soap:Header><t:RequestServerVersion Version="${REQUEST_SERVER_VERSION}"/>${impersonation}</soap:Header>` +
    `<soap:Body>${body}</soap:Body>` +
    `</soap:Envelope>`
  );
}

/**
 * The mailbox's calendar. In delegate mode the folder id names the mailbox
 * (MS:how-to-access-a-calendar-as-a-delegate-by-using-ews-in-exchange.md); impersonated, the
 * request already is the owner's.
 */
function calendarFolder(target: EwsTarget): string {
  return target.access === 'delegate'
    ? `<t:DistinguishedFolderId Id="calendar"><t:Mailbox><t:EmailAddress>${xmlEscape(target.mailbox)}</t:EmailAddress></t:Mailbox></t:DistinguishedFolderId>`
    : `<t:DistinguishedFolderId Id="calendar"/>`;
}

function wholeNumber(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be a whole number from ${min} to ${max}`);
  return value;
}

function dateTime(name: string, value: string): string {
  // xs:dateTime with an offset (MS:calendarview.md: UTC or local time with offset).
  if (value.trim() !== value || parseXsDateTime(value) === undefined) {
    throw new RangeError(`${name} must be an ISO 8601 date-time with an offset`);
  }
  return value;
}

/**
 * SyncFolderItems on the calendar, ids only: one cheap call that says whether anything changed
 * (MS:syncfolderitems-operation.md; MS:syncfolderitems.md gives the order ItemShape, SyncFolderId,
 * SyncState, Ignore, MaxChangesReturned, SyncScope). No SyncState on the first call.
 */
export function syncFolderItemsRequest(target: EwsTarget, syncState: string | undefined, maxChanges: number): string {
  const max = wholeNumber('maxChanges', maxChanges, 1, MAX_SYNC_CHANGES);
  return envelope(
    target,
    `<m:SyncFolderItems>` +
      `<m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>` +
      `<m:SyncFolderId>${calendarFolder(target)}</m:SyncFolderId>` +
      (syncState === undefined || syncState === '' ? '' : `<m:SyncState>${xmlEscape(syncState)}</m:SyncState>`) +
      `<m:MaxChangesReturned>${max}</m:MaxChangesReturned>` +
      `</m:SyncFolderItems>`,
  );
}

/**
 * FindItem with a CalendarView: the window's occurrences, series expanded by Exchange
 * (MS:calendarview.md; order ItemShape, CalendarView, ParentFolderIds as in its example and
 * MS:finditem.md). `start` and `end` are ISO 8601 instants with an offset.
 */
export function calendarViewRequest(target: EwsTarget, start: string, end: string, maxEntries: number): string {
  const from = dateTime('start', start);
  const to = dateTime('end', end);
  if (Date.parse(to) < Date.parse(from)) throw new RangeError('end must not be before start');
  const max = wholeNumber('maxEntries', maxEntries, 1, 1_000_000);
  const fields = CALENDAR_VIEW_FIELDS.map((uri) => `<t:FieldURI FieldURI="${uri}"/>`).join('');
  return envelope(
    target,
    `<m:FindItem Traversal="Shallow">` +
      `<m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties>${fields}</t:AdditionalProperties></m:ItemShape>` +
      `<m:CalendarView MaxEntriesReturned="${max}" StartDate="${xmlEscape(from)}" EndDate="${xmlEscape(to)}"/>` +
      `<m:ParentFolderIds>${calendarFolder(target)}</m:ParentFolderIds>` +
      `</m:FindItem>`,
  );
}

/**
 * GetUserOofSettings for the mailbox (MS:getuseroofsettings-operation.md: the request names the
 * mailbox by `Mailbox/Address`). Exchange refuses it to anyone but the owner ("User is not mailbox
 * owner"), so in delegate mode it fails; impersonated it is the owner's.
 */
export function getUserOofSettingsRequest(target: EwsTarget): string {
  return envelope(target, `<m:GetUserOofSettingsRequest><t:Mailbox><t:Address>${xmlEscape(target.mailbox)}</t:Address></t:Mailbox></m:GetUserOofSettingsRequest>`);
}

/**
 * The user configuration that holds a mailbox's regional settings. Exchange's own
 * MailboxRegionalConfiguration (Get/Set-MailboxRegionalConfiguration, OWA's "Region and time zone")
 * reads and saves them through a dictionary adapter on the configuration named "OWA.UserOptions"
 * in the mailbox's root folder (Exchange Server's Microsoft.Exchange.Data.Storage.Management
 * MailboxRegionalConfiguration.Read; EWS scripts bind it the same way:
 * UserConfiguration.Bind(service, "OWA.UserOptions", root folder id, …); the GetUserConfiguration
 * of OWA.UserOptions on DistinguishedFolderId "root" quoted in nmarus/node-ews#54).
 */
export const REGIONAL_CONFIGURATION = 'OWA.UserOptions';

/**
 * GetUserConfiguration of OWA.UserOptions, dictionary only (MS:getuserconfiguration-operation.md:
 * UserConfigurationName with its Name attribute and the folder as DistinguishedFolderId, then
 * UserConfigurationProperties; MS:userconfigurationname.md). The folder is the root ("root",
 * MS:distinguishedfolderid.md); a delegate names the mailbox in it, as for the calendar.
 */
export function getUserConfigurationRequest(target: EwsTarget): string {
  const root =
    target.access === 'delegate'
      ? `<t:DistinguishedFolderId Id="root"><t:Mailbox><t:EmailAddress>${xmlEscape(target.mailbox)}</t:EmailAddress></t:Mailbox></t:DistinguishedFolderId>`
      : `<t:DistinguishedFolderId Id="root"/>`;
  return envelope(
    target,
    `<m:GetUserConfiguration>` +
      `<m:UserConfigurationName Name="${REGIONAL_CONFIGURATION}">${root}</m:UserConfigurationName>` +
      `<m:UserConfigurationProperties>Dictionary</m:UserConfigurationProperties>` +
      `</m:GetUserConfiguration>`,
  );
}

/**
 * A request that needs no mailbox (GetServerTimeZones, MS:getservertimezones-operation.md), for
 * the connection check: any EWS answer to it proves the URL, the certificate and the account.
 */
export function serverTimeZonesProbe(): string {
  return envelope(undefined, `<m:GetServerTimeZones ReturnFullTimeZoneData="false"><m:Ids><t:Id>UTC</t:Id></m:Ids></m:GetServerTimeZones>`);
}

/**
 * Subscribe with a PushSubscriptionRequest on the calendar (MS:subscribe-operation.md;
 * MS:pushsubscriptionrequest.md gives the order FolderIds, EventTypes, Watermark,
 * StatusFrequency, URL). StatusFrequency is 1–1440 minutes (MS:statusfrequency.md); a watermark
 * from an earlier subscription resumes where it ended (at most 30 days old, MS:watermark.md).
 */
export function subscribePushRequest(target: EwsTarget, callbackUrl: string, statusFrequencyMinutes: number, watermark?: string): string {
  const frequency = wholeNumber('statusFrequencyMinutes', statusFrequencyMinutes, 1, 1440);
  const url = new URL(callbackUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RangeError('callbackUrl must be an http(s) URL');
  const events = CALENDAR_EVENT_TYPES.map((type) => `<t:EventType>${type}</t:EventType>`).join('');
  return envelope(
    target,
    `<m:Subscribe><m:PushSubscriptionRequest>` +
      `<t:FolderIds>${calendarFolder(target)}</t:FolderIds>` +
      `<t:EventTypes>${events}</t:EventTypes>` +
      (watermark === undefined || watermark === '' ? '' : `<t:Watermark>${xmlEscape(watermark)}</t:Watermark>`) +
      `<t:StatusFrequency>${frequency}</t:StatusFrequency>` +
      `<t:URL>${xmlEscape(callbackUrl)}</t:URL>` +
      `</m:PushSubscriptionRequest></m:Subscribe>`,
  );
}

/**
 * Unsubscribe (MS:unsubscribe-operation.md). Sent as the subscription's owner: impersonated
 * subscriptions are ended under the same impersonation.
 */
export function unsubscribeRequest(target: EwsTarget, subscriptionId: string): string {
  return envelope(target, `<m:Unsubscribe><m:SubscriptionId>${xmlEscape(subscriptionId)}</m:SubscriptionId></m:Unsubscribe>`);
}

/**
 * Our answer to Exchange's SendNotification POST: `OK` keeps the subscription, `Unsubscribe`
 * ends it (MS:sendnotificationresult.md, MS:subscriptionstatus.md).
 */
export function sendNotificationResult(status: 'OK' | 'Unsubscribe'): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<soap:Envelope xmlns:soap="${SOAP_NS}" xmlns:m="${MESSAGES_NS}">` +
    `<soap:Body><m:SendNotificationResult><m:SubscriptionStatus>${status}</m:SubscriptionStatus></m:SendNotificationResult></soap:Body>` +
    `</soap:Envelope>`
  );
}
