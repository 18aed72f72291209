import { describe, expect, it } from 'vitest';
import { child, childText, MESSAGES_NS, path, qualifiedName, readXml, SOAP_NS, TYPES_NS, xmlEscape, type XmlElement } from '../../../../shared/providers/exchange/ews-xml.js';

function rootOf(text: string): XmlElement {
  const read = readXml(text);
  if (!read.ok) throw new Error(read.problem);
  return read.root;
}

const codeOf = (root: XmlElement) =>
  path(root, [SOAP_NS, 'Body'], [MESSAGES_NS, 'UnsubscribeResponse'], [MESSAGES_NS, 'ResponseMessages'], [MESSAGES_NS, 'UnsubscribeResponseMessage'], [MESSAGES_NS, 'ResponseCode'])?.text;

describe('readXml', () => {
  it('when the same response is written with usual prefixes, unusual prefixes or default namespaces, then the same elements are found', () => {
    const usual = `<soap:Envelope xmlns:soap="${SOAP_NS}"><soap:Body><m:UnsubscribeResponse xmlns:m="${MESSAGES_NS}"><m:ResponseMessages><m:UnsubscribeResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode></m:UnsubscribeResponseMessage></m:ResponseMessages></m:UnsubscribeResponse></soap:Body></soap:Envelope>`;
    const unusual = `<zz:Envelope xmlns:zz="${SOAP_NS}"><zz:Body><q1:UnsubscribeResponse xmlns:q1="${MESSAGES_NS}"><q1:ResponseMessages><q1:UnsubscribeResponseMessage ResponseClass="Success"><q1:ResponseCode>NoError</q1:ResponseCode></q1:UnsubscribeResponseMessage></q1:ResponseMessages></q1:UnsubscribeResponse></zz:Body></zz:Envelope>`;
    const defaults = `<Envelope xmlns="${SOAP_NS}"><Body><UnsubscribeResponse xmlns="${MESSAGES_NS}"><ResponseMessages><UnsubscribeResponseMessage ResponseClass="Success"><ResponseCode>NoError</ResponseCode></UnsubscribeResponseMessage></ResponseMessages></UnsubscribeResponse></Body></Envelope>`;
    for (const text of [usual, unusual, defaults]) expect(codeOf(rootOf(text))).toBe('NoError');
  });

  it('when a prefix is redeclared on an inner element, then the inner declaration decides there and the outer one elsewhere', () => {
    // `t` first means the messages namespace, then (inside Items) the types namespace.
    const root = rootOf(`<r xmlns:t="${MESSAGES_NS}"><t:A/><t:Items xmlns:t="${TYPES_NS}"><t:CalendarItem/></t:Items></r>`);
    expect(child(root, MESSAGES_NS, 'A')).toBeDefined();
    expect(child(root, TYPES_NS, 'A')).toBeUndefined();
    const items = root.children[1]!;
    expect(items).toMatchObject({ ns: TYPES_NS, local: 'Items' });
    expect(child(items, TYPES_NS, 'CalendarItem')).toBeDefined();
    expect(child(items, MESSAGES_NS, 'CalendarItem')).toBeUndefined();
  });

  it('when an element has the right local name in another namespace (or none), then it is not taken for the EWS one', () => {
    const root = rootOf(`<r xmlns:x="urn:other"><x:ResponseCode>Nope</x:ResponseCode><ResponseCode>Nope</ResponseCode></r>`);
    expect(childText(root, MESSAGES_NS, 'ResponseCode')).toBeUndefined();
  });

  it('when a default namespace is undeclared on an inner element, then that element has no namespace', () => {
    const root = rootOf(`<r xmlns="${TYPES_NS}"><Subject xmlns="">x</Subject><Location>y</Location></r>`);
    expect(childText(root, TYPES_NS, 'Subject')).toBeUndefined();
    expect(childText(root, TYPES_NS, 'Location')).toBe('y');
  });

  it('when text holds entities, character references and CDATA, then the text is decoded', () => {
    const root = rootOf(`<r xmlns="${TYPES_NS}"><Subject>Tom &amp; Jerry &lt;3 &#x1F389; <![CDATA[<b>]]></Subject></r>`);
    expect(childText(root, TYPES_NS, 'Subject')).toBe('Tom & Jerry <3 🎉 <b>');
  });

  it('when a QName is written as text, then its prefix resolves where it stands (faultcode a:ErrorServerBusy)', () => {
    const root = rootOf(`<r><faultcode xmlns:a="${TYPES_NS}">a:ErrorServerBusy</faultcode></r>`);
    expect(qualifiedName(root.children[0]!)).toEqual({ ns: TYPES_NS, local: 'ErrorServerBusy' });
  });

  it.each([
    ['a DOCTYPE with an internal entity (billion laughs)', '<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><r>&b;</r>', /DOCTYPE or entity/],
    ['an external entity (XXE)', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', /DOCTYPE or entity/],
    ['a plain DOCTYPE', '<!doctype html><html/>', /DOCTYPE or entity/],
    ['an undeclared entity', '<r>&nbsp;</r>', /not well-formed/],
    ['an unbound prefix', '<m:r/>', /not well-formed/],
    ['a tag left open', '<r><a></r>', /not well-formed/],
    ['text that is not XML', 'Service Unavailable', /not well-formed|without a root/],
    ['an empty body', '', /not well-formed|without a root/],
    ['nesting deeper than 64 levels', `${'<a>'.repeat(100)}${'</a>'.repeat(100)}`, /deeper than 64/],
  ])('when given %s, then it is refused with a problem that does not quote the input', (_name, text, problem) => {
    const read = readXml(text);
    expect(read.ok).toBe(false);
    if (!read.ok) {
      expect(read.problem).toMatch(problem);
      expect(read.problem).not.toContain('passwd');
    }
  });

  it('when the input is larger than the bound, then it is refused before parsing', () => {
    const big = `<r>${'x'.repeat(2048)}</r>`;
    expect(readXml(big, 1024)).toEqual({ ok: false, problem: 'XML larger than 1024 bytes' });
    expect(readXml(big, 4096).ok).toBe(true);
  });
});

describe('xmlEscape', () => {
  it('when text holds markup characters, then they are escaped and the escaped text reads back the same', () => {
    const value = `a & b < c > d "e" 'f' 🎉`;
    const escaped = xmlEscape(value);
    expect(escaped).toBe('a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos; 🎉');
    expect(childText(rootOf(`<r xmlns="${TYPES_NS}" a="${escaped}"><v>${escaped}</v></r>`), TYPES_NS, 'v')).toBe(value);
    expect(rootOf(`<r a="${escaped}"/>`).attributes.a).toBe(value);
  });

  it.each([['a NUL', 'a\u0000b'], ['a bell', '\u0007'], ['a lone surrogate', 'x\uD800y']])('when text holds %s, then it is refused', (_name, value) => {
    expect(() => xmlEscape(value)).toThrow(RangeError);
  });
});
