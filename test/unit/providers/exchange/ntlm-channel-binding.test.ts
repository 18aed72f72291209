import { createHash, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { certificateBindingHash, endPointHashAlgorithm, tlsServerEndPoint } from '../../../../shared/providers/exchange/ntlm-channel-binding.js';
import { LOOPBACK_TLS_CERT } from '../../../../tools/emulators/graph/loopback-certificate.js';
import { ECDSA_SHA384_CERT, RSA_PSS_SHA512_CERT, RSA_SHA1_CERT } from '../../../support/signature-certificates.js';

const der = (pem: string): Buffer => new X509Certificate(pem).raw;

describe('tls-server-end-point (RFC 5929 section 4.1)', () => {
  it('when the certificate is signed with ECDSA-SHA256, then its SHA-256 hash is the binding', () => {
    expect(endPointHashAlgorithm(der(LOOPBACK_TLS_CERT))).toBe('sha256');
    expect(tlsServerEndPoint(der(LOOPBACK_TLS_CERT))).toEqual(
      Buffer.concat([Buffer.from('tls-server-end-point:'), createHash('sha256').update(der(LOOPBACK_TLS_CERT)).digest()]),
    );
  });

  it('when the certificate is signed with ECDSA-SHA384, then SHA-384 (the stronger hash) is used', () => {
    expect(endPointHashAlgorithm(der(ECDSA_SHA384_CERT))).toBe('sha384');
    expect(tlsServerEndPoint(der(ECDSA_SHA384_CERT)).subarray(21)).toEqual(createHash('sha384').update(der(ECDSA_SHA384_CERT)).digest());
  });

  it('when the certificate is signed with SHA-1, then SHA-256 replaces it', () => {
    expect(endPointHashAlgorithm(der(RSA_SHA1_CERT))).toBe('sha256');
  });

  it('when the certificate is RSASSA-PSS with SHA-512, then the hash comes from the PSS parameters', () => {
    expect(endPointHashAlgorithm(der(RSA_PSS_SHA512_CERT))).toBe('sha512');
  });

  it('when two certificates differ, then their bindings differ', () => {
    expect(certificateBindingHash(der(LOOPBACK_TLS_CERT))).not.toEqual(certificateBindingHash(der(ECDSA_SHA384_CERT)));
    expect(certificateBindingHash(der(LOOPBACK_TLS_CERT))).toHaveLength(16);
  });
});
