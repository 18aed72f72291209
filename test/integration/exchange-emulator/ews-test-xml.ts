/**
 * EWS requests written as Microsoft's reference pages write them (soap:/t: prefixes, messages as
 * the default namespace or m:), and a namespace-aware reading of the emulator's answers (xmldom, by
 * namespace URI and local name), so the tests hold whatever prefixes the emulator picks.
 */
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import type { EwsAnswer, EwsRequest } from '../../../tools/emulators/exchange/ews-service.js';

export const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';
export const M = 'http://schemas.microsoft.com/exchange/services/2006/messages';
export const T = 'http://schemas.microsoft.com/exchange/services/2006/types';
export const E = 'http://schemas.microsoft.com/exchange/services/2006/errors';

export const SERVICE_ACCOUNT = 'CONTOSO\\svc-calsync';

export interface RequestOptions {
  /** ExchangeImpersonation/ConnectingSID/PrimarySmtpAddress. */
  readonly impersonate?: string;
  /** RequestServerVersion; null leaves the header out. */
  readonly version?: string | null;
}

export function soapRequest(body: string, options: RequestOptions = {}): string {
  const version = options.version === undefined ? 'Exchange2013_SP1' : options.version;
  const header = [
    version === null ? '' : `<t:RequestServerVersion Version="${version}"/>`,
    options.impersonate === undefined ? '' : `<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>${options.impersonate}</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>`,
  ].join('');
  return (
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP}" xmlns:t="${T}" xmlns:m="${M}">` +
    `<soap:Header>${header}</soap:Header><soap:Body>${body}</soap:Body></soap:Envelope>`
  );
}

const folder = (mailbox?: string): string =>
  mailbox === undefined ? '<t:DistinguishedFolderId Id="calendar"/>' : `<t:DistinguishedFolderId Id="calendar"><t:Mailbox><t:EmailAddress>${mailbox}</t:EmailAddress></t:Mailbox></t:DistinguishedFolderId>`;

/** FindItem with CalendarView (MS:how-to-get-appointments-and-meetings-by-using-ews-in-exchange.md). */
export function calendarView(start: string, end: string, options: { max?: number; mailboxes?: readonly (string | undefined)[]; shape?: 'IdOnly' | 'AllProperties' } = {}): string {
  const max = options.max === undefined ? '' : ` MaxEntriesReturned="${options.max}"`;
  const props = ['item:Subject', 'calendar:Start', 'calendar:End', 'calendar:IsAllDayEvent', 'calendar:CalendarItemType', 'calendar:UID', 'calendar:RecurrenceId', 'calendar:LegacyFreeBusyStatus', 'calendar:IsCancelled', 'calendar:MyResponseType', 'calendar:Organizer'];
  const shape =
    options.shape === 'AllProperties'
      ? '<t:BaseShape>AllProperties</t:BaseShape>'
      : `<t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties>${props.map((p) => `<t:FieldURI FieldURI="${p}"/>`).join('')}</t:AdditionalProperties>`;
  return (
    `<m:FindItem Traversal="Shallow"><m:ItemShape>${shape}</m:ItemShape>` +
    `<m:CalendarView${max} StartDate="${start}" EndDate="${end}"/>` +
    `<m:ParentFolderIds>${(options.mailboxes ?? [undefined]).map(folder).join('')}</m:ParentFolderIds></m:FindItem>`
  );
}

/** SyncFolderItems, IdOnly, as on MS:syncfolderitems-operation.md (messages as the default namespace). */
export function syncFolderItems(syncState: string | undefined, maxChanges: number, mailbox?: string): string {
  return (
    `<SyncFolderItems xmlns="${M}"><ItemShape><t:BaseShape>IdOnly</t:BaseShape></ItemShape>` +
    `<SyncFolderId>${folder(mailbox)}</SyncFolderId>${syncState === undefined ? '' : `<SyncState>${syncState}</SyncState>`}` +
    `<MaxChangesReturned>${maxChanges}</MaxChangesReturned></SyncFolderItems>`
  );
}

export function getItem(ids: readonly string[]): string {
  return `<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:ItemIds>${ids.map((id) => `<t:ItemId Id="${id}"/>`).join('')}</m:ItemIds></m:GetItem>`;
}

/** MS:getuseroofsettings-operation.md's request, as written there. */
export function getUserOofSettings(address: string): string {
  return `<GetUserOofSettingsRequest xmlns="${M}"><Mailbox xmlns="${T}"><Address>${address}</Address></Mailbox></GetUserOofSettingsRequest>`;
}

/** MS:subscribe-operation.md's push request, as written there (types as default namespaces). */
export function subscribePush(url: string, statusFrequency: number, options: { watermark?: string; mailbox?: string } = {}): string {
  return (
    `<Subscribe xmlns="${M}"><PushSubscriptionRequest><FolderIds xmlns="${T}">${folder(options.mailbox)}</FolderIds>` +
    `<EventTypes xmlns="${T}"><EventType>CreatedEvent</EventType><EventType>DeletedEvent</EventType><EventType>ModifiedEvent</EventType></EventTypes>` +
    `${options.watermark === undefined ? '' : `<Watermark xmlns="${T}">${options.watermark}</Watermark>`}` +
    `<StatusFrequency xmlns="${T}">${statusFrequency}</StatusFrequency><URL xmlns="${T}">${url}</URL></PushSubscriptionRequest></Subscribe>`
  );
}

export function unsubscribe(subscriptionId: string): string {
  return `<Unsubscribe xmlns="${M}"><SubscriptionId>${subscriptionId}</SubscriptionId></Unsubscribe>`;
}

export interface Answer {
  readonly status: number;
  readonly text: string;
  readonly doc: Document;
  readonly headers: Readonly<Record<string, string>>;
}

export async function call(
  service: (request: EwsRequest) => Promise<EwsAnswer>,
  body: string,
  options: RequestOptions & { user?: string; anchor?: string | null } = {},
): Promise<Answer> {
  const anchor = options.anchor === undefined ? options.impersonate : options.anchor;
  const headers: Record<string, string> = { 'content-type': 'text/xml; charset=utf-8' };
  if (anchor !== undefined && anchor !== null) headers['x-anchormailbox'] = anchor;
  const answer = await service({ user: options.user ?? SERVICE_ACCOUNT, body: soapRequest(body, options), headers });
  const doc = answer.body.trim().startsWith('<') ? new DOMParser().parseFromString(answer.body, 'text/xml') : new DOMParser().parseFromString('<empty/>', 'text/xml');
  return { status: answer.status, text: answer.body, doc, headers: answer.headers ?? {} };
}

export function els(node: Document | Element, ns: string, local: string): Element[] {
  return Array.from(node.getElementsByTagNameNS(ns, local));
}

export function one(node: Document | Element, ns: string, local: string): Element {
  const found = els(node, ns, local)[0];
  if (!found) throw new Error(`no {${ns}}${local}`);
  return found;
}

export function textOf(node: Document | Element, ns: string, local: string): string | undefined {
  return els(node, ns, local)[0]?.textContent ?? undefined;
}

/** The response messages of an answer: class, code and the element itself. */
export function messages(answer: Answer): Array<{ cls: string | null; code: string | undefined; el: Element }> {
  const container = one(answer.doc, M, 'ResponseMessages');
  return Array.from(container.childNodes)
    .filter((n): n is Element => n.nodeType === 1)
    .map((el) => ({ cls: el.getAttribute('ResponseClass'), code: textOf(el, M, 'ResponseCode'), el }));
}

/** The calendar items of a FindItem answer as plain records (one field per local name). */
export function calendarItems(node: Document | Element): Array<Record<string, string>> {
  return els(node, T, 'CalendarItem').map((item) => {
    const record: Record<string, string> = {};
    for (const child of Array.from(item.childNodes).filter((n): n is Element => n.nodeType === 1)) {
      record[child.localName ?? ''] = child.localName === 'ItemId' ? (child.getAttribute('Id') ?? '') : child.localName === 'Organizer' ? (textOf(child, T, 'EmailAddress') ?? '') : (child.textContent ?? '');
    }
    return record;
  });
}

/** The fault code of a SOAP fault answer (detail/e:ResponseCode). */
export function faultCode(answer: Answer): string | undefined {
  return textOf(one(answer.doc, SOAP, 'Fault'), E, 'ResponseCode');
}
