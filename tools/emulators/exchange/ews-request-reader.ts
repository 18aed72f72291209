/**
 * Reads an EWS request the way a lenient server does: fast-xml-parser with namespace prefixes
 * removed (an independent parser from the product's namespace-aware one), any prefix accepted,
 * the operation named by the local name of the first element in the body (ErrorInvalidRequest in
 * MS:responsecode.md: "EWS can determine the method to call from the local name of the root element
 * in the SOAP body").
 */
import { XMLParser } from 'fast-xml-parser';

/** A parsed element: child elements by local name, attributes under `@_name`, text under `#text`. */
export type XmlNode = { readonly [key: string]: unknown };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Repeated elements become arrays only when repeated; `all` below flattens both forms.
  isArray: () => false,
});

export interface ImpersonationHeader {
  /** PrimarySmtpAddress or SmtpAddress of ConnectingSID (PrincipalName and SID are accepted as given). */
  readonly address: string;
}

export interface ParsedRequest {
  readonly operation: string;
  readonly body: XmlNode;
  /** RequestServerVersion/@Version; undefined when the header is absent. */
  readonly serverVersion: string | undefined;
  readonly impersonation: ImpersonationHeader | undefined;
}

export type ReadOutcome = { kind: 'request'; request: ParsedRequest } | { kind: 'malformed'; detail: string };

export function readRequest(xml: string): ReadOutcome {
  let document: unknown;
  try {
    document = parser.parse(xml, true);
  } catch (error) {
    return { kind: 'malformed', detail: error instanceof Error ? error.message : String(error) };
  }
  const envelopeNode = child(asNode(document), 'Envelope');
  const bodyNode = child(envelopeNode, 'Body');
  if (!envelopeNode || !bodyNode) return { kind: 'malformed', detail: 'no SOAP Envelope/Body' };
  const operation = Object.keys(bodyNode).find((k) => !k.startsWith('@_') && k !== '#text');
  if (operation === undefined) return { kind: 'malformed', detail: 'empty SOAP Body' };
  const header = child(envelopeNode, 'Header');
  const version = attribute(child(header, 'RequestServerVersion'), 'Version');
  const sid = child(child(header, 'ExchangeImpersonation'), 'ConnectingSID');
  const address = text(child(sid, 'PrimarySmtpAddress')) ?? text(child(sid, 'SmtpAddress')) ?? text(child(sid, 'PrincipalName')) ?? text(child(sid, 'SID'));
  return {
    kind: 'request',
    request: {
      operation,
      body: child(bodyNode, operation) ?? {},
      serverVersion: version,
      impersonation: sid === undefined ? undefined : { address: address ?? '' },
    },
  };
}

export function asNode(value: unknown): XmlNode | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'object' && !Array.isArray(value)) return value as XmlNode;
  // `<a>text</a>` parses to a plain string; `<a/>` to ''.
  if (typeof value === 'string') return { '#text': value };
  return undefined;
}

/** The first child of that local name. */
export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return all(node, name)[0];
}

/** Every child of that local name, whether the parser made one value or an array of them. */
export function all(node: XmlNode | undefined, name: string): XmlNode[] {
  const value = node?.[name];
  const values = Array.isArray(value) ? (value as unknown[]) : value === undefined ? [] : [value];
  return values.map(asNode).filter((n): n is XmlNode => n !== undefined);
}

export function text(node: XmlNode | undefined): string | undefined {
  const value = node?.['#text'];
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return node === undefined ? undefined : '';
}

export function attribute(node: XmlNode | undefined, name: string): string | undefined {
  const value = node?.[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}
