/**
 * Readers for EWS answers: each takes the HTTP status and body and gives the operation's value or
 * an EwsFailure. Elements are found by namespace and local name (ews-xml.ts); every value read is
 * checked with zod before it leaves this file.
 *
 * Where a failure can be:
 * - a SOAP fault (HTTP 500, `soap:Fault`): throttling, impersonation refused, schema errors. Its
 *   `detail` carries `e:ResponseCode`, `e:Message` and a `MessageXml` whose
 *   `<t:Value Name="BackOffMilliseconds">` says how long to wait (exchangelib
 *   `services/common.py` `_raise_soap_errors`); without a ResponseCode the faultcode's local name
 *   stands in (`a:ErrorServerBusy`, or `Client` for the "not mailbox owner" fault of
 *   MS:getuseroofsettings-operation.md);
 * - a response message with `ResponseClass` Error (or Warning) and its own `ResponseCode` — one
 *   per item asked about, so one answer can hold successes and failures side by side;
 * - anything that is not a SOAP envelope (an IIS error page, a proxy's answer): UNREADABLE_RESPONSE.
 */
import { z } from 'zod';
import { ExchangeCalendarItemSchema, type ExchangeCalendarItem } from '../../domain/exchange-calendar-item.js';
import { ExchangeOofSettingsSchema, type ExchangeOofSettings } from '../../domain/normalize-exchange-automatic-replies.js';
import { child, childrenNamed, childText, ERRORS_NS, MESSAGES_NS, path, qualifiedName, readXml, SOAP_NS, TYPES_NS, type XmlElement } from './ews-xml.js';

export interface EwsFailure {
  readonly kind: 'ews-failure';
  /** Exchange's ResponseCode (e.g. ErrorServerBusy), the fault code's local name, or UNREADABLE_RESPONSE. */
  readonly responseCode: string;
  /** Exchange's own text (MessageText, e:Message or faultstring), shortened; never our request's content. */
  readonly message: string;
  /** ErrorServerBusy's BackOffMilliseconds, when Exchange gave one. */
  readonly backOffMs?: number;
  readonly httpStatus: number;
}

/** The answer is not an EWS SOAP envelope of the expected operation (an error page, a proxy, truncation). */
export const UNREADABLE_RESPONSE = 'UnreadableResponse';

export function isEwsFailure(value: unknown): value is EwsFailure {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'ews-failure';
}

/** One `…ResponseMessage`: its class and code, and the element for the operation's own fields. */
export interface EwsResponseMessage {
  readonly responseClass: string;
  readonly responseCode: string;
  readonly messageText: string;
  readonly backOffMs?: number;
  readonly element: XmlElement;
}

const MAX_MESSAGE = 300;

const shorten = (text: string): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE - 1)}…` : flat;
};

function failure(httpStatus: number, responseCode: string, message: string, backOffMs?: number): EwsFailure {
  return backOffMs === undefined
    ? { kind: 'ews-failure', responseCode, message: shorten(message), httpStatus }
    : { kind: 'ews-failure', responseCode, message: shorten(message), backOffMs, httpStatus };
}

const unreadable = (httpStatus: number, why: string): EwsFailure => failure(httpStatus, UNREADABLE_RESPONSE, `HTTP ${httpStatus}: ${why}`);

/**
 * BackOffMilliseconds from a MessageXml. Exchange puts MessageXml in the messages namespace in a
 * response message and in the types namespace in a fault's detail (exchangelib: "Crazy. Here,
 * it's in the TNS namespace"); some servers use the errors namespace there. The Value is `t:`.
 */
function backOffIn(container: XmlElement | undefined): number | undefined {
  for (const ns of [MESSAGES_NS, TYPES_NS, ERRORS_NS]) {
    for (const value of childrenNamed(child(container, ns, 'MessageXml'), TYPES_NS, 'Value')) {
      if (value.attributes.Name !== 'BackOffMilliseconds') continue;
      const parsed = z.coerce.number().int().nonnegative().safeParse(value.text.trim());
      if (parsed.success && value.text.trim() !== '') return parsed.data;
    }
  }
  return undefined;
}

/** SOAP 1.1 §4.4: faultcode, faultstring and detail are unqualified children of Fault. */
function faultFailure(fault: XmlElement, httpStatus: number): EwsFailure {
  const faultCode = fault.children.find((c) => c.ns === null && c.local === 'faultcode');
  const faultString = fault.children.find((c) => c.ns === null && c.local === 'faultstring')?.text ?? '';
  const detail = fault.children.find((c) => c.ns === null && c.local === 'detail');
  const code = childText(detail, ERRORS_NS, 'ResponseCode')?.trim() || (faultCode ? qualifiedName(faultCode).local : '') || 'SoapFault';
  const message = childText(detail, ERRORS_NS, 'Message')?.trim() || faultString;
  return failure(httpStatus, code, message, backOffIn(detail));
}

/** The envelope's Header and Body, or why there are none (a fault is a failure here). */
function openEnvelope(httpStatus: number, text: string): { readonly header: XmlElement | undefined; readonly body: XmlElement } | EwsFailure {
  const read = readXml(text);
  if (!read.ok) return unreadable(httpStatus, read.problem);
  const root = read.root;
  if (root.ns !== SOAP_NS || root.local !== 'Envelope') return unreadable(httpStatus, 'not a SOAP 1.1 envelope');
  const body = child(root, SOAP_NS, 'Body');
  if (body === undefined) return unreadable(httpStatus, 'SOAP envelope without a Body');
  const fault = child(body, SOAP_NS, 'Fault');
  if (fault !== undefined) return faultFailure(fault, httpStatus);
  return { header: child(root, SOAP_NS, 'Header'), body };
}

function responseMessageOf(element: XmlElement): EwsResponseMessage {
  const backOffMs = backOffIn(element);
  const base = {
    responseClass: element.attributes.ResponseClass ?? '',
    responseCode: childText(element, MESSAGES_NS, 'ResponseCode')?.trim() ?? '',
    messageText: childText(element, MESSAGES_NS, 'MessageText')?.trim() ?? '',
    element,
  };
  return backOffMs === undefined ? base : { ...base, backOffMs };
}

/** A response message that is not NoError, as a failure (exchangelib: only NoError is success, whatever the class). */
function messageFailure(message: EwsResponseMessage, httpStatus: number): EwsFailure | undefined {
  if (message.responseCode === 'NoError') return undefined;
  return failure(httpStatus, message.responseCode || UNREADABLE_RESPONSE, message.messageText || `ResponseClass ${message.responseClass || 'missing'}`, message.backOffMs);
}

/**
 * Every `<operation>ResponseMessage` of an answer, each with its own class and code: one answer
 * may hold successes and failures side by side (one message per item or folder asked about).
 */
export function readResponseMessages(httpStatus: number, text: string, operation: string): EwsResponseMessage[] | EwsFailure {
  const envelope = openEnvelope(httpStatus, text);
  if (isEwsFailure(envelope)) return envelope;
  const messages = path(envelope.body, [MESSAGES_NS, `${operation}Response`], [MESSAGES_NS, 'ResponseMessages']);
  if (messages === undefined) return unreadable(httpStatus, `no ${operation}Response with ResponseMessages`);
  const list = childrenNamed(messages, MESSAGES_NS, `${operation}ResponseMessage`);
  if (list.length === 0) return unreadable(httpStatus, `no ${operation}ResponseMessage`);
  return list.map(responseMessageOf);
}

/** The one response message of a single-mailbox operation, or its failure. */
function onlyMessage(httpStatus: number, text: string, operation: string): EwsResponseMessage | EwsFailure {
  const messages = readResponseMessages(httpStatus, text, operation);
  if (isEwsFailure(messages)) return messages;
  if (messages.length !== 1) return unreadable(httpStatus, `${messages.length} ${operation}ResponseMessages where one was asked for`);
  return messageFailure(messages[0]!, httpStatus) ?? messages[0]!;
}

/** xs:boolean as text: `true`, `false`, `1`, `0`. */
const XmlBoolean = z
  .string()
  .transform((s) => s.trim())
  .pipe(z.enum(['true', 'false', '1', '0']))
  .transform((s) => s === 'true' || s === '1');

function issuesOf(error: z.ZodError): string {
  // Paths only: a message could quote calendar text.
  return [...new Set(error.issues.map((i) => i.path.join('.') || '(root)'))].join(', ');
}

// --- SyncFolderItems ---------------------------------------------------------------------------

export type SyncChangeKind = 'create' | 'update' | 'delete' | 'readFlag';

export interface SyncFolderItemsResult {
  readonly syncState: string;
  /** False: more changes wait; call again with this syncState. */
  readonly includesLastItemInRange: boolean;
  readonly changes: ReadonlyArray<{ readonly change: SyncChangeKind; readonly itemId: string }>;
}

const CHANGE_KINDS: Readonly<Record<string, SyncChangeKind>> = { Create: 'create', Update: 'update', Delete: 'delete', ReadFlagChange: 'readFlag' };

const SyncFolderItemsSchema = z.object({
  syncState: z.string().min(1),
  includesLastItemInRange: XmlBoolean,
  changes: z.array(z.object({ change: z.enum(['create', 'update', 'delete', 'readFlag']), itemId: z.string().min(1) })),
});

/**
 * SyncFolderItems (MS:syncfolderitems-operation.md): Create and Update hold the item (a
 * CalendarItem, or a MeetingRequest…) with its ItemId; Delete and ReadFlagChange hold the ItemId
 * itself (MS:changes-items.md). ErrorInvalidSyncStateData comes back as a failure: start over.
 */
export function readSyncFolderItems(httpStatus: number, text: string): SyncFolderItemsResult | EwsFailure {
  const message = onlyMessage(httpStatus, text, 'SyncFolderItems');
  if (isEwsFailure(message)) return message;
  const changes = (child(message.element, MESSAGES_NS, 'Changes')?.children ?? [])
    .filter((c) => c.ns === TYPES_NS && CHANGE_KINDS[c.local] !== undefined)
    .map((c) => {
      const holder = c.local === 'Create' || c.local === 'Update' ? c.children.find((item) => item.ns === TYPES_NS) : c;
      return { change: CHANGE_KINDS[c.local], itemId: child(holder, TYPES_NS, 'ItemId')?.attributes.Id };
    });
  const parsed = SyncFolderItemsSchema.safeParse({
    syncState: childText(message.element, MESSAGES_NS, 'SyncState')?.trim(),
    includesLastItemInRange: childText(message.element, MESSAGES_NS, 'IncludesLastItemInRange'),
    changes,
  });
  if (!parsed.success) return unreadable(httpStatus, `unexpected SyncFolderItems response at ${issuesOf(parsed.error)}`);
  return parsed.data;
}

// --- FindItem with a CalendarView ---------------------------------------------------------------

export interface CalendarViewResult {
  readonly items: ExchangeCalendarItem[];
  /** False: MaxEntriesReturned cut the view short; the rest of the window was not read. */
  readonly includesLastItemInRange: boolean;
  readonly totalItemsInView?: number;
}

const OptionalBoolean = XmlBoolean.optional();

function calendarItemOf(element: XmlElement): unknown {
  const text = (local: string): string | undefined => childText(element, TYPES_NS, local);
  const itemId = child(element, TYPES_NS, 'ItemId');
  const categories = childrenNamed(child(element, TYPES_NS, 'Categories'), TYPES_NS, 'String').map((s) => s.text);
  return {
    itemId: itemId?.attributes.Id ?? '',
    changeKey: itemId?.attributes.ChangeKey,
    uid: text('UID'),
    recurrenceId: text('RecurrenceId')?.trim(),
    calendarItemType: text('CalendarItemType')?.trim(),
    subject: text('Subject'),
    // Kept even when absent, as '': the normaliser then reports the item as invalid instead of it vanishing here.
    start: text('Start')?.trim() ?? '',
    end: text('End')?.trim() ?? '',
    isAllDayEvent: text('IsAllDayEvent') ?? 'false',
    legacyFreeBusyStatus: text('LegacyFreeBusyStatus')?.trim(),
    sensitivity: text('Sensitivity')?.trim(),
    categories,
    isCancelled: text('IsCancelled') ?? 'false',
    myResponseType: text('MyResponseType')?.trim(),
    location: text('Location'),
    isOnlineMeeting: text('IsOnlineMeeting'),
    organizer: path(element, [TYPES_NS, 'Organizer'], [TYPES_NS, 'Mailbox'], [TYPES_NS, 'EmailAddress'])?.text.trim(),
  };
}

const CalendarItemFromXml = ExchangeCalendarItemSchema.extend({
  isAllDayEvent: XmlBoolean,
  isCancelled: XmlBoolean,
  isOnlineMeeting: OptionalBoolean,
});

const CalendarViewSchema = z.object({
  includesLastItemInRange: XmlBoolean,
  totalItemsInView: z.coerce.number().int().nonnegative().optional(),
  items: z.array(CalendarItemFromXml),
});

/**
 * FindItem with a CalendarView (MS:calendarview.md, MS:finditem-operation.md): RootFolder with
 * TotalItemsInView and IncludesLastItemInRange, then Items of CalendarItem. Values stay as
 * Exchange wrote them (booleans read as booleans); the normaliser judges them.
 */
export function readCalendarView(httpStatus: number, text: string): CalendarViewResult | EwsFailure {
  const message = onlyMessage(httpStatus, text, 'FindItem');
  if (isEwsFailure(message)) return message;
  const rootFolder = child(message.element, MESSAGES_NS, 'RootFolder');
  if (rootFolder === undefined) return unreadable(httpStatus, 'FindItem response without a RootFolder');
  const parsed = CalendarViewSchema.safeParse({
    includesLastItemInRange: rootFolder.attributes.IncludesLastItemInRange,
    totalItemsInView: rootFolder.attributes.TotalItemsInView,
    // A calendar folder holds CalendarItems only (meeting requests and cancellations live in the Inbox).
    items: childrenNamed(child(rootFolder, TYPES_NS, 'Items'), TYPES_NS, 'CalendarItem').map(calendarItemOf),
  });
  if (!parsed.success) return unreadable(httpStatus, `unexpected CalendarView response at ${issuesOf(parsed.error)}`);
  const { includesLastItemInRange, totalItemsInView, items } = parsed.data;
  const plain: ExchangeCalendarItem[] = items.map((item) => Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined)) as ExchangeCalendarItem);
  return totalItemsInView === undefined ? { items: plain, includesLastItemInRange } : { items: plain, includesLastItemInRange, totalItemsInView };
}

// --- GetUserOofSettings ------------------------------------------------------------------------

/**
 * GetUserOofSettings (MS:getuseroofsettings-operation.md): unlike the other operations the answer
 * holds one `ResponseMessage` directly, then `OofSettings` (types namespace) beside it.
 */
export function readUserOofSettings(httpStatus: number, text: string): ExchangeOofSettings | EwsFailure {
  const envelope = openEnvelope(httpStatus, text);
  if (isEwsFailure(envelope)) return envelope;
  const response = child(envelope.body, MESSAGES_NS, 'GetUserOofSettingsResponse');
  const messageElement = child(response, MESSAGES_NS, 'ResponseMessage');
  if (response === undefined || messageElement === undefined) return unreadable(httpStatus, 'no GetUserOofSettingsResponse with a ResponseMessage');
  const failed = messageFailure(responseMessageOf(messageElement), httpStatus);
  if (failed !== undefined) return failed;
  const settings = child(response, TYPES_NS, 'OofSettings');
  const duration = child(settings, TYPES_NS, 'Duration');
  const parsed = ExchangeOofSettingsSchema.safeParse({
    oofState: childText(settings, TYPES_NS, 'OofState')?.trim(),
    startTime: childText(duration, TYPES_NS, 'StartTime')?.trim(),
    endTime: childText(duration, TYPES_NS, 'EndTime')?.trim(),
  });
  if (!parsed.success) return unreadable(httpStatus, `unexpected GetUserOofSettings response at ${issuesOf(parsed.error)}`);
  const { oofState, startTime, endTime } = parsed.data;
  return { oofState, ...(startTime === undefined ? {} : { startTime }), ...(endTime === undefined ? {} : { endTime }) };
}

// --- GetUserConfiguration (OWA.UserOptions) -------------------------------------------------------

/**
 * The dictionary key of the mailbox's time zone: MailboxRegionalConfigurationSchema.TimeZone is
 * the property "timezone", saved by StoreValueConverter as ExTimeZoneValue.ToString(), the
 * Windows zone id ("W. Europe Standard Time") (Exchange Server's Microsoft.Exchange.Data.Storage
 * .Management; EWS scripts read Dictionary["timezone"] the same way).
 */
export const TIME_ZONE_KEY = 'timezone';

const DictionaryEntrySchema = z.object({ key: z.string(), keyType: z.string().optional(), value: z.string().optional(), valueType: z.string().optional() });
const RegionalConfigurationSchema = z.object({ entries: z.array(DictionaryEntrySchema) });

/**
 * GetUserConfiguration (MS:getuserconfiguration-operation.md): UserConfiguration holds
 * UserConfigurationName, ItemId and a Dictionary of DictionaryEntry, each a DictionaryKey and a
 * DictionaryValue with Type and Value (MS:userconfiguration.md, MS:dictionaryentry.md). Gives the
 * Windows zone id under `timezone`, or `undefined` when the user never chose one (the
 * configuration exists but holds no such key). A configuration that does not exist at all comes
 * back as a failure: ErrorItemNotFound, the code EWS gives a store object that is not found (no
 * published example of this one answer was found).
 */
export function readRegionalTimeZone(httpStatus: number, text: string): { readonly windowsZone: string | undefined } | EwsFailure {
  const message = onlyMessage(httpStatus, text, 'GetUserConfiguration');
  if (isEwsFailure(message)) return message;
  const configuration = child(message.element, MESSAGES_NS, 'UserConfiguration');
  if (configuration === undefined) return unreadable(httpStatus, 'GetUserConfiguration response without a UserConfiguration');
  const entries = childrenNamed(child(configuration, TYPES_NS, 'Dictionary'), TYPES_NS, 'DictionaryEntry').map((entry) => {
    const key = child(entry, TYPES_NS, 'DictionaryKey');
    const value = child(entry, TYPES_NS, 'DictionaryValue');
    return { key: childText(key, TYPES_NS, 'Value')?.trim(), keyType: childText(key, TYPES_NS, 'Type')?.trim(), value: childText(value, TYPES_NS, 'Value')?.trim(), valueType: childText(value, TYPES_NS, 'Type')?.trim() };
  });
  const parsed = RegionalConfigurationSchema.safeParse({ entries });
  if (!parsed.success) return unreadable(httpStatus, `unexpected GetUserConfiguration response at ${issuesOf(parsed.error)}`);
  const zone = parsed.data.entries.find((e) => e.key === TIME_ZONE_KEY && (e.keyType ?? 'String') === 'String');
  // Saved as a String; any other type is not a zone id this reader knows.
  const windowsZone = zone !== undefined && (zone.valueType ?? 'String') === 'String' && zone.value ? zone.value : undefined;
  return { windowsZone };
}

// --- Subscribe / Unsubscribe --------------------------------------------------------------------

const SubscribeSchema = z.object({ subscriptionId: z.string().min(1), watermark: z.string().min(1) });

/** Subscribe (MS:subscribe-operation.md): SubscriptionId and Watermark, both in the messages namespace. */
export function readSubscribe(httpStatus: number, text: string): { subscriptionId: string; watermark: string } | EwsFailure {
  const message = onlyMessage(httpStatus, text, 'Subscribe');
  if (isEwsFailure(message)) return message;
  const parsed = SubscribeSchema.safeParse({
    subscriptionId: childText(message.element, MESSAGES_NS, 'SubscriptionId')?.trim(),
    watermark: childText(message.element, MESSAGES_NS, 'Watermark')?.trim(),
  });
  if (!parsed.success) return unreadable(httpStatus, `unexpected Subscribe response at ${issuesOf(parsed.error)}`);
  return parsed.data;
}

/** Unsubscribe (MS:unsubscribe-operation.md): NoError, or a failure such as ErrorSubscriptionNotFound. */
export function readUnsubscribe(httpStatus: number, text: string): { unsubscribed: true } | EwsFailure {
  const message = onlyMessage(httpStatus, text, 'Unsubscribe');
  return isEwsFailure(message) ? message : { unsubscribed: true };
}

// --- SendNotification (Exchange's push to us) ---------------------------------------------------

export type NotificationEventType = 'status' | 'created' | 'modified' | 'deleted' | 'moved' | 'copied' | 'newMail' | 'freeBusyChanged';

export interface NotificationEvent {
  readonly type: NotificationEventType;
  readonly watermark: string;
  readonly itemId?: string;
  readonly folderId?: string;
}

export interface SendNotification {
  readonly subscriptionId: string;
  readonly previousWatermark?: string;
  /** More events wait in Exchange's queue; they come in the next POST. */
  readonly moreEvents: boolean;
  readonly events: NotificationEvent[];
}

const EVENT_TYPES: Readonly<Record<string, NotificationEventType>> = {
  StatusEvent: 'status',
  CreatedEvent: 'created',
  ModifiedEvent: 'modified',
  DeletedEvent: 'deleted',
  MovedEvent: 'moved',
  CopiedEvent: 'copied',
  NewMailEvent: 'newMail',
  FreeBusyChangedEvent: 'freeBusyChanged',
};

const NotificationSchema = z.object({
  subscriptionId: z.string().min(1),
  previousWatermark: z.string().min(1).optional(),
  moreEvents: XmlBoolean,
  events: z.array(
    z.object({
      type: z.enum(['status', 'created', 'modified', 'deleted', 'moved', 'copied', 'newMail', 'freeBusyChanged']),
      watermark: z.string().min(1),
      itemId: z.string().min(1).optional(),
      folderId: z.string().min(1).optional(),
    }),
  ),
});

function notificationOf(notification: XmlElement): unknown {
  const events = notification.children
    .filter((c) => c.ns === TYPES_NS && EVENT_TYPES[c.local] !== undefined)
    .map((event) => ({
      type: EVENT_TYPES[event.local],
      watermark: childText(event, TYPES_NS, 'Watermark')?.trim(),
      itemId: child(event, TYPES_NS, 'ItemId')?.attributes.Id,
      folderId: child(event, TYPES_NS, 'FolderId')?.attributes.Id,
    }));
  return {
    subscriptionId: childText(notification, TYPES_NS, 'SubscriptionId')?.trim(),
    previousWatermark: childText(notification, TYPES_NS, 'PreviousWatermark')?.trim() || undefined,
    moreEvents: childText(notification, TYPES_NS, 'MoreEvents') ?? 'false',
    events,
  };
}

/**
 * The body Exchange POSTs to our callback: SendNotification / ResponseMessages /
 * SendNotificationResponseMessage / Notification with SubscriptionId, PreviousWatermark,
 * MoreEvents and the events, each with its Watermark and an ItemId or FolderId
 * (MS:sendnotification.md, MS:notification-ex15websvcsotherref.md; StatusEvent, the keep-alive,
 * has only a Watermark, MS:statusevent.md).
 */
export function readSendNotification(text: string): SendNotification | { kind: 'invalid'; detail: string } {
  const envelope = openEnvelope(200, text);
  if (isEwsFailure(envelope)) return { kind: 'invalid', detail: envelope.message };
  const messages = childrenNamed(
    path(envelope.body, [MESSAGES_NS, 'SendNotification'], [MESSAGES_NS, 'ResponseMessages']),
    MESSAGES_NS,
    'SendNotificationResponseMessage',
  ).map(responseMessageOf);
  if (messages.length === 0) return { kind: 'invalid', detail: 'no SendNotification with a SendNotificationResponseMessage' };
  const notifications: SendNotification[] = [];
  for (const message of messages) {
    if (message.responseCode !== 'NoError') return { kind: 'invalid', detail: `notification with ResponseCode ${message.responseCode || 'missing'}` };
    const parsed = NotificationSchema.safeParse(notificationOf(child(message.element, MESSAGES_NS, 'Notification') ?? message.element));
    if (!parsed.success) return { kind: 'invalid', detail: `unexpected notification at ${issuesOf(parsed.error)}` };
    const { previousWatermark, ...rest } = parsed.data;
    notifications.push(previousWatermark === undefined ? rest : { ...rest, previousWatermark });
  }
  const first = notifications[0]!;
  if (notifications.some((n) => n.subscriptionId !== first.subscriptionId)) return { kind: 'invalid', detail: 'notifications for more than one subscription in one message' };
  return {
    ...first,
    moreEvents: notifications.some((n) => n.moreEvents),
    events: notifications.flatMap((n) => n.events),
  };
}

// --- ServerVersionInfo --------------------------------------------------------------------------

/** `15.2.1544.4 (V2017_07_11)` from the header's ServerVersionInfo (MS:serverversioninfo.md), for status and logs. */
export function serverVersion(text: string): string | undefined {
  const read = readXml(text);
  if (!read.ok) return undefined;
  const info = path(read.root, [SOAP_NS, 'Header'], [TYPES_NS, 'ServerVersionInfo']);
  if (info === undefined || read.root.ns !== SOAP_NS) return undefined;
  const { MajorVersion, MinorVersion, MajorBuildNumber, MinorBuildNumber, Version } = info.attributes;
  const numbers = [MajorVersion, MinorVersion, MajorBuildNumber, MinorBuildNumber];
  if (numbers.some((n) => n === undefined || !/^\d+$/.test(n))) return undefined;
  return Version ? `${numbers.join('.')} (${Version})` : numbers.join('.');
}
