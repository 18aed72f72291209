/**
 * A private certificate authority made in the test, as a customer's internal CA is: a CA
 * certificate and a server certificate for 127.0.0.1 / localhost signed by it (EC P-256,
 * ECDSA-SHA256). node:crypto signs and parses X.509 but does not build certificates, so the few
 * DER structures of RFC 5280 needed here are encoded below. Nothing here leaves the test process.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';

export interface PrivateCa {
  /** The CA certificate (PEM): what CMG_CA_CERTIFICATE holds. */
  readonly caCertificate: string;
  /** Issues a server certificate for 127.0.0.1, ::1 and localhost signed by this CA. */
  issueServerCertificate(commonName: string): { key: string; cert: string };
}

export function createPrivateCa(name: string): PrivateCa {
  const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caName = distinguishedName(name);
  const caCertificate = certificate({
    issuer: caName,
    subject: caName,
    publicKey: ca.publicKey,
    signingKey: ca.privateKey,
    extensions: [
      extension(OID.basicConstraints, true, seq(bool(true))),
      extension(OID.keyUsage, true, bitString(Buffer.from([0x06]), 1)), // keyCertSign, cRLSign
    ],
  });
  return {
    caCertificate,
    issueServerCertificate(commonName) {
      const server = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const cert = certificate({
        issuer: caName,
        subject: distinguishedName(commonName),
        publicKey: server.publicKey,
        signingKey: ca.privateKey,
        extensions: [
          extension(OID.basicConstraints, true, seq()),
          extension(OID.keyUsage, true, bitString(Buffer.from([0x80]), 7)), // digitalSignature
          extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth))),
          extension(OID.subjectAltName, false, seq(tagged(0x82, Buffer.from('localhost')), tagged(0x87, Buffer.from([127, 0, 0, 1])), tagged(0x87, Buffer.alloc(16, 0).fill(1, 15)))),
        ],
      });
      return { key: pem(server.privateKey), cert };
    },
  };
}

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

function certificate(c: { issuer: Buffer; subject: Buffer; publicKey: KeyObject; signingKey: KeyObject; extensions: Buffer[] }): string {
  const now = Date.now();
  const tbs = seq(
    tagged(0xa0, int(Buffer.from([2]))), // v3
    int(serialNumber()),
    seq(oid(OID.ecdsaWithSha256)),
    c.issuer,
    seq(utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + 30 * 86_400_000))),
    c.subject,
    c.publicKey.export({ type: 'spki', format: 'der' }),
    tagged(0xa3, seq(...c.extensions)),
  );
  const der = seq(tbs, seq(oid(OID.ecdsaWithSha256)), bitString(sign('sha256', tbs, c.signingKey), 0));
  const text = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
  new X509Certificate(text); // fails here, not in a TLS handshake, if the encoding is wrong
  return text;
}

function pem(key: KeyObject): string {
  return createPrivateKey(key.export({ type: 'pkcs8', format: 'pem' })).export({ type: 'pkcs8', format: 'pem' }).toString();
}

function distinguishedName(commonName: string): Buffer {
  return seq(set(seq(oid(OID.commonName), tagged(0x0c, Buffer.from(commonName, 'utf8')))));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [bool(true)] : []), tagged(0x04, value));
}

// DER primitives (X.690)
function tagged(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}
const seq = (...items: Buffer[]): Buffer => tagged(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tagged(0x31, Buffer.concat(items));
const bool = (value: boolean): Buffer => tagged(0x01, Buffer.from([value ? 0xff : 0]));
const bitString = (bits: Buffer, unused: number): Buffer => tagged(0x03, Buffer.concat([Buffer.from([unused]), bits]));
const utcTime = (d: Date): Buffer => tagged(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`));

/** A random positive serial number that needs no leading zero byte. */
function serialNumber(): Buffer {
  const bytes = randomBytes(8);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes;
}

/** A non-negative INTEGER in minimal form: no leading zero bytes, one added only when the high bit would read as a sign. */
function int(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  const minimal = bytes.subarray(start);
  return tagged(0x02, minimal[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), minimal]) : minimal);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [a! * 40 + b!];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tagged(0x06, Buffer.from(out));
}
