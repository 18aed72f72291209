/**
 * Trusting extra CA certificates (an internal CA, a loopback emulator's) in addition to the public
 * roots, for every HTTPS client of the app: the Graph transport and the CMG client.
 */
import { X509Certificate } from 'node:crypto';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

/**
 * One secure context with Node's public roots plus the given certificates, or undefined when there
 * are none. Node's `ca` option replaces the root store, so the extra certificates are added to it,
 * not swapped in. Built once: given as `ca` per connection, the ~150 roots would be parsed for
 * every connection and joined into the agent's pool key, a string of some 200 kB, on every request.
 */
export function secureContextTrusting(certificates: readonly string[] | undefined): SecureContext | undefined {
  return certificates?.length ? createSecureContext({ ca: [...rootCertificates, ...certificates] }) : undefined;
}

/** The certificates of a PEM bundle, each checked to parse as X.509; undefined if the text is not one. */
export function pemCertificates(bundle: string): string[] | undefined {
  const blocks = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) return undefined;
  try {
    for (const block of blocks) new X509Certificate(block);
  } catch {
    return undefined;
  }
  return blocks.map((block) => `${block}\n`);
}

/** TLS errors that mean "the server's certificate is not trusted", as Node's TLS layer names them. */
const UNTRUSTED_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

export function isUntrustedCertificate(code: string | undefined): boolean {
  return code !== undefined && UNTRUSTED_CODES.has(code);
}
