/**
 * Namespace-aware reading of EWS SOAP bodies, and escaping for the ones we write.
 *
 * Elements are identified by namespace URI and local name, never by prefix: Exchange writes
 * `s:`, `soap:`, `m:`, `t:`, `h:` or a default namespace as it pleases (the reference pages'
 * own examples use all of them, and ServerVersionInfo comes as `h:` with `t`'s URI as the default
 * too), so a prefix is not a contract.
 *
 * Why @xmldom/xmldom rather than fast-xml-parser: xmldom resolves namespaces itself (in-scope
 * declarations, default namespaces, prefixes redeclared on inner elements, unbound prefixes
 * refused), as the DOM specifies; fast-xml-parser only strips or keeps prefixes, and a resolver
 * of our own on top of it would be one more piece of XML machinery to get wrong. The DOM is
 * turned at once into the small read-only tree below, so nothing outside this file sees it.
 *
 * Safety: a DOCTYPE (and with it any entity declaration, the XXE and "billion laughs" vectors)
 * is refused before parsing — SOAP 1.1 §3 forbids a DTD in a SOAP message anyway — the input is
 * bounded in size, and the tree in depth.
 */
import { DOMParser, onWarningStopParsing, type Element as DomElement } from '@xmldom/xmldom';

export const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const MESSAGES_NS = 'http://schemas.microsoft.com/exchange/services/2006/messages';
export const TYPES_NS = 'http://schemas.microsoft.com/exchange/services/2006/types';
export const ERRORS_NS = 'http://schemas.microsoft.com/exchange/services/2006/errors';

/** A CalendarView of 1,000 items (Exchange's find limit) is about 2 MB; well above, nothing EWS sends us. */
export const DEFAULT_MAX_XML_BYTES = 16 * 1024 * 1024;
const MAX_DEPTH = 64;

export interface XmlElement {
  /** The element's namespace URI, or null for none. */
  readonly ns: string | null;
  readonly local: string;
  /** Attributes without a namespace (EWS puts its attributes there), by local name. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The text directly inside the element (its child elements' text not included). */
  readonly text: string;
  /** The namespace URI a prefix stands for where this element is (QNames in text, e.g. faultcode). */
  lookupNamespace(prefix: string | null): string | null;
}

export type XmlReadResult = { readonly ok: true; readonly root: XmlElement } | { readonly ok: false; readonly problem: string };

const DOCTYPE = /<!DOCTYPE|<!ENTITY/i;

/** Parses a whole document; the problem never quotes the input (it may hold calendar text). */
export function readXml(text: string, maxBytes = DEFAULT_MAX_XML_BYTES): XmlReadResult {
  if (Buffer.byteLength(text, 'utf8') > maxBytes) return { ok: false, problem: `XML larger than ${maxBytes} bytes` };
  if (DOCTYPE.test(text)) return { ok: false, problem: 'XML with a DOCTYPE or entity declaration is refused' };
  let document;
  try {
    // Any warning or error stops parsing: Exchange's XML is well-formed, so anything else is not Exchange.
    document = new DOMParser({ onError: onWarningStopParsing, locator: false }).parseFromString(text, 'text/xml');
  } catch {
    return { ok: false, problem: 'not well-formed XML' };
  }
  const element = document.documentElement;
  if (element === null) return { ok: false, problem: 'XML without a root element' };
  const root = convert(element, 0);
  return root === undefined ? { ok: false, problem: `XML nested deeper than ${MAX_DEPTH} levels` } : { ok: true, root };
}

function convert(element: DomElement, depth: number): XmlElement | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const attributes: Record<string, string> = {};
  for (let i = 0; i < element.attributes.length; i++) {
    const attribute = element.attributes.item(i);
    if (attribute !== null && attribute.namespaceURI === null) attributes[attribute.localName ?? attribute.name] = attribute.value;
  }
  const children: XmlElement[] = [];
  let text = '';
  for (let node = element.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType === node.ELEMENT_NODE) {
      const child = convert(node as DomElement, depth + 1);
      if (child === undefined) return undefined;
      children.push(child);
    } else if (node.nodeType === node.TEXT_NODE || node.nodeType === node.CDATA_SECTION_NODE) {
      text += node.nodeValue ?? '';
    }
  }
  return {
    ns: element.namespaceURI,
    local: element.localName ?? element.nodeName,
    attributes,
    children,
    text,
    lookupNamespace: (prefix) => element.lookupNamespaceURI(prefix),
  };
}

/** The first child element with this namespace and local name. */
export function child(element: XmlElement | undefined, ns: string, local: string): XmlElement | undefined {
  return element?.children.find((c) => c.ns === ns && c.local === local);
}

/** Every child element with this namespace and local name. */
export function childrenNamed(element: XmlElement | undefined, ns: string, local: string): XmlElement[] {
  return element === undefined ? [] : element.children.filter((c) => c.ns === ns && c.local === local);
}

/** The text of the first such child, or undefined when there is no such child. */
export function childText(element: XmlElement | undefined, ns: string, local: string): string | undefined {
  return child(element, ns, local)?.text;
}

/** The element at the end of a path of (namespace, local name) steps, each the first match. */
export function path(element: XmlElement | undefined, ...steps: ReadonlyArray<readonly [string, string]>): XmlElement | undefined {
  let current = element;
  for (const [ns, local] of steps) current = child(current, ns, local);
  return current;
}

/** A QName written as text (`a:ErrorServerBusy`) resolved where it stands: its namespace and local part. */
export function qualifiedName(element: XmlElement): { readonly ns: string | null; readonly local: string } {
  const value = element.text.trim();
  const colon = value.indexOf(':');
  if (colon < 0) return { ns: element.lookupNamespace(null), local: value };
  return { ns: element.lookupNamespace(value.slice(0, colon)), local: value.slice(colon + 1) };
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Text or an attribute value made safe for XML. Characters XML 1.0 cannot carry at all (C0
 * controls other than tab, line feed and carriage return; lone surrogates) are refused rather than
 * sent: Exchange would answer with a schema error that names no field.
 */
export function xmlEscape(value: string): string {
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value)) {
    throw new RangeError('a character XML cannot carry');
  }
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}
