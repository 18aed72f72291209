/**
 * The SOAP envelopes the EWS emulator answers with: Exchange's real shapes (ServerVersionInfo in
 * the header, m:ResponseMessages with a ResponseClass and ResponseCode per item, faults as HTTP 500
 * s:Fault with the error code in the errors namespace), under prefixes the caller chooses, because
 * a real server's prefixes are not a contract: Microsoft's reference pages show `soap:`/`t:`, while
 * Exchange 2013 itself writes `s:` and `h:ServerVersionInfo` with a default types namespace
 * (MS:how-to-get-appointments-and-meetings-by-using-ews-in-exchange.md).
 */

export const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const MESSAGES_NS = 'http://schemas.microsoft.com/exchange/services/2006/messages';
export const TYPES_NS = 'http://schemas.microsoft.com/exchange/services/2006/types';
export const ERRORS_NS = 'http://schemas.microsoft.com/exchange/services/2006/errors';

/** Five prefixes; messages and types must differ (each is declared once per answer). */
export interface EwsPrefixes {
  readonly soap: string;
  /** Prefix of ServerVersionInfo in the header (types namespace). */
  readonly header: string;
  readonly messages: string;
  readonly types: string;
  readonly errors: string;
}

/** What Exchange 2013 and later write (MS:how-to-get-appointments-and-meetings-by-using-ews-in-exchange.md). */
export const EXCHANGE_PREFIXES: EwsPrefixes = { soap: 's', header: 'h', messages: 'm', types: 't', errors: 'e' };
/** What the older reference pages show (MS:syncfolderitems-operation.md). */
export const REFERENCE_PAGE_PREFIXES: EwsPrefixes = { soap: 'soap', header: 't', messages: 'm', types: 't', errors: 'e' };
/** Legal but unlike either: a client that matches prefixes instead of namespaces breaks on these. */
export const UNUSUAL_PREFIXES: EwsPrefixes = { soap: 'env', header: 'ver', messages: 'ews', types: 'ewt', errors: 'ewe' };

/** Exchange Server 2019 CU-level numbers; `Version` is what 2016/2019 report (exchangelib version.py lists V2017_07_11). */
export interface ServerVersion {
  readonly majorVersion: number;
  readonly minorVersion: number;
  readonly majorBuildNumber: number;
  readonly minorBuildNumber: number;
  readonly version: string;
}

export const EXCHANGE_2019: ServerVersion = { majorVersion: 15, minorVersion: 2, majorBuildNumber: 1544, minorBuildNumber: 4, version: 'V2017_07_11' };

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Writes elements of one namespace with the prefix chosen for it. */
export class XmlWriter {
  constructor(readonly p: EwsPrefixes) {}

  /** `<m:Name attrs>children</m:Name>` in the messages namespace. */
  m(name: string, children: string | readonly string[] = '', attributes: Record<string, string | undefined> = {}): string {
    return element(this.p.messages, name, children, attributes);
  }

  /** `<t:Name attrs>children</t:Name>` in the types namespace. */
  t(name: string, children: string | readonly string[] = '', attributes: Record<string, string | undefined> = {}): string {
    return element(this.p.types, name, children, attributes);
  }

  /** A types element holding escaped text, or nothing when the value is absent. */
  tText(name: string, value: string | number | boolean | undefined): string {
    return value === undefined ? '' : this.t(name, escapeXml(String(value)));
  }

  mText(name: string, value: string | number | boolean | undefined): string {
    return value === undefined ? '' : this.m(name, escapeXml(String(value)));
  }
}

function element(prefix: string, name: string, children: string | readonly string[], attributes: Record<string, string | undefined>): string {
  const attrs = Object.entries(attributes)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
  const content = typeof children === 'string' ? children : children.join('');
  return content === '' ? `<${prefix}:${name}${attrs}/>` : `<${prefix}:${name}${attrs}>${content}</${prefix}:${name}>`;
}

/** The whole answer: header with ServerVersionInfo, and one operation response element in the body. */
export function envelope(p: EwsPrefixes, version: ServerVersion, body: string): string {
  const header =
    `<${p.header}:ServerVersionInfo MajorVersion="${version.majorVersion}" MinorVersion="${version.minorVersion}" ` +
    `MajorBuildNumber="${version.majorBuildNumber}" MinorBuildNumber="${version.minorBuildNumber}" Version="${version.version}" ` +
    `xmlns:${p.header}="${TYPES_NS}" xmlns="${TYPES_NS}" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>`;
  return (
    `<?xml version="1.0" encoding="utf-8"?><${p.soap}:Envelope xmlns:${p.soap}="${SOAP_NS}">` +
    `<${p.soap}:Header>${header}</${p.soap}:Header>` +
    `<${p.soap}:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">${body}</${p.soap}:Body></${p.soap}:Envelope>`
  );
}

/** The operation's response element declaring the m and t namespaces, as Exchange writes it. */
export function operationResponse(w: XmlWriter, name: string, content: string): string {
  return `<${w.p.messages}:${name} xmlns:${w.p.messages}="${MESSAGES_NS}" xmlns:${w.p.types}="${TYPES_NS}">${content}</${w.p.messages}:${name}>`;
}

export interface ResponseError {
  readonly code: string;
  readonly text: string;
  /** `<t:Value Name="…">` entries of MessageXml, e.g. PolicyLimit (jamesiarmes/php-ews#143). */
  readonly values?: Readonly<Record<string, string>>;
}

/** One `m:…ResponseMessage`: Success with its content, or Error with MessageText, ResponseCode, DescriptiveLinkKey and MessageXml. */
export function responseMessage(w: XmlWriter, name: string, outcome: { content: string } | { error: ResponseError; content?: string }): string {
  if ('error' in outcome) {
    const values = Object.entries(outcome.error.values ?? {});
    const messageXml = values.length === 0 ? '' : w.m('MessageXml', values.map(([k, v]) => w.t('Value', escapeXml(v), { Name: k })));
    return w.m(
      name,
      [w.mText('MessageText', outcome.error.text), w.mText('ResponseCode', outcome.error.code), w.mText('DescriptiveLinkKey', 0), messageXml, outcome.content ?? ''],
      { ResponseClass: 'Error' },
    );
  }
  return w.m(name, [w.mText('ResponseCode', 'NoError'), outcome.content], { ResponseClass: 'Success' });
}

/**
 * A SOAP fault as Exchange sends it for ErrorServerBusy and for header failures (impersonation,
 * mailbox): faultcode in the types namespace, e:ResponseCode and e:Message in the detail, and a
 * MessageXml in the *types* namespace ("Crazy. Here, it's in the TNS namespace", exchangelib
 * services/common.py) holding BackOffMilliseconds.
 */
export function soapFault(p: EwsPrefixes, version: ServerVersion, fault: { code: string; message: string; values?: Readonly<Record<string, string>>; faultcode?: string }): string {
  const values = Object.entries(fault.values ?? {});
  const messageXml =
    values.length === 0
      ? ''
      : `<${p.types}:MessageXml xmlns:${p.types}="${TYPES_NS}">${values.map(([k, v]) => `<${p.types}:Value Name="${escapeXml(k)}">${escapeXml(v)}</${p.types}:Value>`).join('')}</${p.types}:MessageXml>`;
  const faultcode = fault.faultcode ?? `<faultcode xmlns:a="${TYPES_NS}">a:${fault.code}</faultcode>`;
  const body =
    `<${p.soap}:Fault>${faultcode}<faultstring xml:lang="en-US">${escapeXml(fault.message)}</faultstring>` +
    `<detail><${p.errors}:ResponseCode xmlns:${p.errors}="${ERRORS_NS}">${escapeXml(fault.code)}</${p.errors}:ResponseCode>` +
    `<${p.errors}:Message xmlns:${p.errors}="${ERRORS_NS}">${escapeXml(fault.message)}</${p.errors}:Message>${messageXml}</detail></${p.soap}:Fault>`;
  return envelope(p, version, body);
}

/**
 * GetUserOofSettings refused to someone who is not the mailbox owner: a soap:Client fault whose
 * detail holds only a numeric m:ErrorCode (MS:getuseroofsettings-operation.md, error example).
 */
export function notMailboxOwnerFault(p: EwsPrefixes, version: ServerVersion, actor: string): string {
  const body =
    `<${p.soap}:Fault><faultcode>${p.soap}:Client</faultcode>` +
    `<faultstring>Microsoft.Exchange.Data.Storage.AccessDeniedException: User is not mailbox owner. ---&gt; User is not mailbox owner. </faultstring>` +
    `<faultactor>${escapeXml(actor)}</faultactor>` +
    `<detail><ErrorCode xmlns="${MESSAGES_NS}">-2146233088</ErrorCode></detail></${p.soap}:Fault>`;
  return envelope(p, version, body);
}
