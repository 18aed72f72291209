/**
 * The server's side of NTLMv2 for the EWS emulator, as IIS in front of Exchange does it
 * ([MS-NLMP] section numbers below): a CHALLENGE for a NEGOTIATE, then the AUTHENTICATE checked
 * by recomputing the NTProofStr from the account's password, the MIC when the client says it
 * sent one, and the channel binding as Extended Protection is set (Off, Allow, Require).
 * The AUTHENTICATE is parsed here, independently of the product's encoder.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  AV_FLAG_MIC_PRESENT,
  AV_ID,
  decodeAvPairs,
  encodeAvPairs,
  fileTime,
  hmacMd5,
  NTLM_FLAGS,
  ntlmMessageType,
  ntOwfV2,
  readField,
  unicode,
  writeField,
  type AvPair,
} from '../../../shared/providers/exchange/ntlm.js';

export type ExtendedProtection = 'off' | 'allow' | 'require';

/** What the server remembers between its CHALLENGE and the client's AUTHENTICATE (bound to one connection). */
export interface PendingChallenge {
  readonly negotiateMessage: Buffer;
  readonly challengeMessage: Buffer;
  readonly serverChallenge: Buffer;
}

/** The emulated server's names, as an Exchange server in domain CONTOSO would send them. */
const NETBIOS_DOMAIN = 'CONTOSO';
const NETBIOS_COMPUTER = 'EXCH01';
const DNS_DOMAIN = 'contoso.local';
const DNS_COMPUTER = 'exch01.contoso.local';
/** Version, 2.2.2.10: Windows 10.0 build 17763 (Server 2019), NTLM revision 15. */
const SERVER_VERSION = Buffer.from([10, 0, 0x63, 0x45, 0, 0, 0, 15]);

/** Flags a NEGOTIATE may ask for that this server grants when asked (no signing, sealing or key exchange). */
const GRANTED_WHEN_ASKED =
  NTLM_FLAGS.unicode |
  NTLM_FLAGS.requestTarget |
  NTLM_FLAGS.ntlm |
  NTLM_FLAGS.alwaysSign |
  NTLM_FLAGS.extendedSessionSecurity |
  NTLM_FLAGS.negotiate128 |
  NTLM_FLAGS.negotiate56;

/**
 * CHALLENGE_MESSAGE, 2.2.1.2, for a NEGOTIATE; undefined when the token is not a NEGOTIATE.
 * TargetInfo carries the names and MsvAvTimestamp, as Windows servers send them (3.2.5.1.1).
 */
export function challengeFor(negotiateMessage: Buffer, nowMs: number): PendingChallenge | undefined {
  if (ntlmMessageType(negotiateMessage) !== 1 || negotiateMessage.length < 16) return undefined;
  const asked = negotiateMessage.readUInt32LE(12);
  const flags =
    ((asked & GRANTED_WHEN_ASKED) |
      (asked & NTLM_FLAGS.unicode ? 0 : NTLM_FLAGS.oem) |
      NTLM_FLAGS.targetTypeDomain |
      NTLM_FLAGS.targetInfo |
      NTLM_FLAGS.version) >>>
    0;
  const serverChallenge = randomBytes(8);
  const targetName = unicode(NETBIOS_DOMAIN);
  const targetInfo = encodeAvPairs([
    { id: AV_ID.nbDomainName, value: unicode(NETBIOS_DOMAIN) },
    { id: AV_ID.nbComputerName, value: unicode(NETBIOS_COMPUTER) },
    { id: AV_ID.dnsDomainName, value: unicode(DNS_DOMAIN) },
    { id: AV_ID.dnsComputerName, value: unicode(DNS_COMPUTER) },
    { id: AV_ID.dnsTreeName, value: unicode(DNS_DOMAIN) },
    { id: AV_ID.timestamp, value: fileTime(nowMs) },
  ]);
  const header = Buffer.alloc(56);
  header.write('NTLMSSP\0', 0, 'latin1');
  header.writeUInt32LE(2, 8);
  writeField(header, 12, targetName.length, 56);
  header.writeUInt32LE(flags, 20);
  serverChallenge.copy(header, 24);
  writeField(header, 40, targetInfo.length, 56 + targetName.length);
  SERVER_VERSION.copy(header, 48);
  return { negotiateMessage, challengeMessage: Buffer.concat([header, targetName, targetInfo]), serverChallenge };
}

export interface AuthenticateFields {
  readonly flags: number;
  readonly user: string;
  readonly domain: string;
  readonly workstation: string;
  readonly ntChallengeResponse: Buffer;
  /** The MIC field's 16 bytes at offset 72, when the message is long enough to hold it. */
  readonly mic: Buffer | undefined;
}

/** AUTHENTICATE_MESSAGE, 2.2.1.3; undefined when the token is not one or is malformed. */
export function decodeAuthenticate(message: Buffer): AuthenticateFields | undefined {
  if (ntlmMessageType(message) !== 3 || message.length < 64) return undefined;
  try {
    const flags = message.readUInt32LE(60);
    const text = (bytes: Buffer): string => (flags & NTLM_FLAGS.unicode ? bytes.toString('utf16le') : bytes.toString('latin1'));
    return {
      flags,
      user: text(readField(message, 36)),
      domain: text(readField(message, 28)),
      workstation: text(readField(message, 44)),
      ntChallengeResponse: readField(message, 20),
      mic: message.length >= 88 ? Buffer.from(message.subarray(72, 88)) : undefined,
    };
  } catch {
    return undefined;
  }
}

export interface AcceptorSettings {
  /** The password of the account these names denote, with the account's configured name; undefined when unknown. */
  readonly findAccount: (user: string, domain: string) => { readonly account: string; readonly password: string } | undefined;
  readonly extendedProtection: ExtendedProtection;
  /** MD5 of the channel bindings of this server's own certificate: what a bound client must send. */
  readonly expectedBinding: Buffer;
}

export type Verdict = { readonly ok: true; readonly account: string } | { readonly ok: false; readonly reason: string };

/**
 * Checks an AUTHENTICATE against the challenge sent on the same connection (3.2.5.1.2 and
 * 3.3.2): NTLMv2 only (an NTLMv1 response of 24 bytes is refused, as Exchange with Extended
 * Protection refuses it), the NTProofStr recomputed from the password, the MIC when MsvAvFlags
 * says one is present (3.2.5.2.2: HMAC_MD5(ExportedSessionKey, NEGOTIATE + CHALLENGE +
 * AUTHENTICATE with a zero MIC); without key exchange the ExportedSessionKey is the
 * SessionBaseKey), then the channel binding.
 */
export async function verifyAuthenticate(message: Buffer, pending: PendingChallenge, settings: AcceptorSettings): Promise<Verdict> {
  const fields = decodeAuthenticate(message);
  if (!fields) return { ok: false, reason: 'not an AUTHENTICATE message' };
  if (fields.ntChallengeResponse.length <= 24) return { ok: false, reason: 'NTLMv1 is refused' };
  const ntProofStr = fields.ntChallengeResponse.subarray(0, 16);
  const temp = fields.ntChallengeResponse.subarray(16);
  let clientPairs: AvPair[];
  try {
    clientPairs = decodeAvPairs(temp.subarray(28));
  } catch {
    return { ok: false, reason: 'malformed NTLMv2 response' };
  }
  const found = settings.findAccount(fields.user, fields.domain);
  if (!found) return { ok: false, reason: `unknown account ${fields.domain}\\${fields.user}` };
  const key = await ntOwfV2(found.password, fields.user, fields.domain);
  const expectedProof = hmacMd5(key, Buffer.concat([pending.serverChallenge, temp]));
  if (!timingSafeEqual(expectedProof, ntProofStr)) return { ok: false, reason: 'wrong password' };

  const avFlags = clientPairs.find((pair) => pair.id === AV_ID.flags)?.value;
  if (avFlags && avFlags.length >= 4 && avFlags.readUInt32LE(0) & AV_FLAG_MIC_PRESENT) {
    if (fields.flags & NTLM_FLAGS.keyExchange && fields.flags & (NTLM_FLAGS.sign | NTLM_FLAGS.seal)) {
      return { ok: false, reason: 'key exchange was not offered' };
    }
    if (!fields.mic) return { ok: false, reason: 'MIC announced but absent' };
    const zeroed = Buffer.from(message);
    zeroed.fill(0, 72, 88);
    const sessionBaseKey = hmacMd5(key, ntProofStr);
    const expectedMic = hmacMd5(sessionBaseKey, Buffer.concat([pending.negotiateMessage, pending.challengeMessage, zeroed]));
    if (!timingSafeEqual(expectedMic, fields.mic)) return { ok: false, reason: 'MIC mismatch' };
  }

  const binding = clientPairs.find((pair) => pair.id === AV_ID.channelBindings)?.value;
  const bindingProblem = checkBinding(binding, settings);
  if (bindingProblem) return { ok: false, reason: bindingProblem };
  return { ok: true, account: found.account };
}

/**
 * Extended Protection: Require wants the binding of this server's certificate; Allow ("when
 * supported") takes a client that sends none but refuses one that sends a different binding —
 * the man-in-the-middle case the feature exists for. "None" is Windows' own reading
 * (SEC_CHANNEL_BINDINGS_RESULT_ABSENT: "either omitted or consist entirely of zeroes").
 */
function checkBinding(binding: Buffer | undefined, settings: AcceptorSettings): string | undefined {
  if (settings.extendedProtection === 'off') return undefined;
  const absent = binding === undefined || binding.every((byte) => byte === 0);
  if (absent) return settings.extendedProtection === 'require' ? 'channel binding required but absent' : undefined;
  return binding.length === 16 && timingSafeEqual(binding, settings.expectedBinding) ? undefined : 'channel binding does not match this server';
}
