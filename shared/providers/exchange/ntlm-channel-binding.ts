/**
 * The channel binding NTLM carries for Extended Protection: MsvAvChannelBindings is the MD5 of a
 * gss_channel_bindings_struct ([MS-NLMP] 2.2.2.1; RFC 2744 section 3.11) whose application data
 * is "tls-server-end-point:" followed by the hash of the server's certificate (RFC 5929 section
 * 4). Exchange's Extended Protection checks it against its own certificate, so a TLS-inspecting
 * proxy (another certificate) or a client that sends none is refused when set to Require.
 */
import { createHash } from 'node:crypto';
import { md5 } from './ntlm.js';

/** OIDs of certificate signature algorithms and the hash each uses. */
const SIGNATURE_HASHES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.4': 'md5', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5': 'sha1', // sha1WithRSAEncryption
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.10040.4.3': 'sha1', // dsa-with-sha1
  '2.16.840.1.101.3.4.3.1': 'sha224', // dsa-with-sha224
  '2.16.840.1.101.3.4.3.2': 'sha256', // dsa-with-sha256
};

const RSASSA_PSS = '1.2.840.113549.1.1.10';
const HASH_OIDS: Readonly<Record<string, string>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/**
 * The hash RFC 5929 section 4.1 names for a certificate: its signature algorithm's hash, except
 * MD5 and SHA-1, which become SHA-256. An algorithm with no single hash (Ed25519, Ed448) leaves
 * the binding undefined by the RFC; SHA-256 is used then [what Windows does there: unconfirmed].
 */
export function endPointHashAlgorithm(certificateDer: Buffer): string {
  const algorithm = signatureAlgorithm(certificateDer);
  const hash = algorithm.oid === RSASSA_PSS ? pssHash(algorithm.parameters) : SIGNATURE_HASHES[algorithm.oid];
  return hash === undefined || hash === 'md5' || hash === 'sha1' ? 'sha256' : hash;
}

/** "tls-server-end-point:" + the certificate's hash: the channel's application data (RFC 5929 section 4). */
export function tlsServerEndPoint(certificateDer: Buffer): Buffer {
  const hash = createHash(endPointHashAlgorithm(certificateDer)).update(certificateDer).digest();
  return Buffer.concat([Buffer.from('tls-server-end-point:', 'latin1'), hash]);
}

/**
 * MD5 of the gss_channel_bindings_struct as Windows serialises it: initiator address type and
 * length, acceptor address type and length (all zero, no addresses), then the application
 * data's length and bytes, each integer 4 bytes little-endian.
 */
export function channelBindingHash(applicationData: Buffer): Buffer {
  const header = Buffer.alloc(20);
  header.writeUInt32LE(applicationData.length, 16);
  return md5(Buffer.concat([header, applicationData]));
}

/** The binding for a TLS connection whose server presented this certificate (DER). */
export function certificateBindingHash(certificateDer: Buffer): Buffer {
  return channelBindingHash(tlsServerEndPoint(certificateDer));
}

interface Der {
  readonly tag: number;
  readonly content: Buffer;
  /** Offset just past this element. */
  readonly end: number;
}

/** One DER element at `at` (X.690 section 8.1): tag, definite length, content. */
function readDer(bytes: Buffer, at: number): Der {
  if (at + 2 > bytes.length) throw new Error('truncated DER');
  const tag = bytes[at] ?? 0;
  let length = bytes[at + 1] ?? 0;
  let start = at + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < octets; i += 1) length = length * 256 + (bytes[start + i] ?? 0);
    start += octets;
  }
  if (start + length > bytes.length) throw new Error('truncated DER');
  return { tag, content: bytes.subarray(start, start + length), end: start + length };
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signatureValue } (RFC 5280 section 4.1). */
function signatureAlgorithm(certificateDer: Buffer): { oid: string; parameters: Buffer } {
  const certificate = readDer(certificateDer, 0);
  const tbs = readDer(certificate.content, 0);
  return algorithmIdentifier(readDer(certificate.content, tbs.end));
}

function algorithmIdentifier(element: Der): { oid: string; parameters: Buffer } {
  const oid = readDer(element.content, 0);
  if (oid.tag !== 0x06) throw new Error('an AlgorithmIdentifier without an OID');
  return { oid: decodeOid(oid.content), parameters: element.content.subarray(oid.end) };
}

/** RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] AlgorithmIdentifier DEFAULT sha1, ... } (RFC 4055 section 3.1). */
function pssHash(parameters: Buffer): string | undefined {
  if (parameters.length === 0) return 'sha1';
  const params = readDer(parameters, 0);
  if (params.content.length === 0) return 'sha1';
  const first = readDer(params.content, 0);
  if (first.tag !== 0xa0) return 'sha1';
  return HASH_OIDS[algorithmIdentifier(readDer(first.content, 0)).oid];
}

function decodeOid(content: Buffer): string {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of content) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(value);
      value = 0;
    }
  }
  const first = arcs.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}
