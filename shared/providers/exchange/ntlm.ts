/**
 * NTLMv2, the client's side, as Microsoft's [MS-NLMP] specifies it: the NEGOTIATE message, the
 * CHALLENGE message read, and the AUTHENTICATE message with the NTLMv2 response, the channel
 * binding and the MIC. Only authentication: HTTP carries no NTLM signing or sealing, so no key
 * exchange (and no RC4) is negotiated.
 *
 * Section numbers below are [MS-NLMP]'s (learn.microsoft.com/openspecs/windows_protocols/ms-nlmp).
 * The crypto is checked in the tests against the example values of its section 4.2.4.
 */
import { createHash, createHmac } from 'node:crypto';
import { md4 } from 'hash-wasm';

/** NegotiateFlags bits, 2.2.2.5. */
export const NTLM_FLAGS = {
  unicode: 0x0000_0001,
  oem: 0x0000_0002,
  requestTarget: 0x0000_0004,
  sign: 0x0000_0010,
  seal: 0x0000_0020,
  ntlm: 0x0000_0200,
  alwaysSign: 0x0000_8000,
  targetTypeDomain: 0x0001_0000,
  targetTypeServer: 0x0002_0000,
  extendedSessionSecurity: 0x0008_0000,
  targetInfo: 0x0080_0000,
  version: 0x0200_0000,
  negotiate128: 0x2000_0000,
  keyExchange: 0x4000_0000,
  negotiate56: 0x8000_0000,
} as const;

/**
 * What we ask for. 128 (and 56) are asked for although nothing is encrypted: a Windows server
 * whose policy requires 128-bit encryption refuses a client that does not negotiate it
 * (3.2.5.1.1, "ServerRequire128bitEncryption"). No SIGN/SEAL/KEY_EXCH: nothing to protect.
 */
export const CLIENT_FLAGS =
  NTLM_FLAGS.unicode |
  NTLM_FLAGS.oem |
  NTLM_FLAGS.requestTarget |
  NTLM_FLAGS.ntlm |
  NTLM_FLAGS.alwaysSign |
  NTLM_FLAGS.extendedSessionSecurity |
  NTLM_FLAGS.negotiate128 |
  NTLM_FLAGS.negotiate56;

/** AV_PAIR ids, 2.2.2.1. */
export const AV_ID = {
  eol: 0,
  nbComputerName: 1,
  nbDomainName: 2,
  dnsComputerName: 3,
  dnsDomainName: 4,
  dnsTreeName: 5,
  flags: 6,
  timestamp: 7,
  singleHost: 8,
  targetName: 9,
  channelBindings: 10,
} as const;

/** MsvAvFlags bit: "the client is providing message integrity in the MIC field" (2.2.2.1). */
export const AV_FLAG_MIC_PRESENT = 0x0000_0002;

export interface AvPair {
  readonly id: number;
  readonly value: Buffer;
}

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');
const MESSAGE_TYPE = { negotiate: 1, challenge: 2, authenticate: 3 } as const;
/** The AUTHENTICATE header up to the payload: fields, flags, Version (8) and MIC (16), 2.2.1.3. */
const AUTHENTICATE_HEADER_LENGTH = 88;
const MIC_OFFSET = 72;

export const unicode = (text: string): Buffer => Buffer.from(text, 'utf16le');

export class NtlmFormatError extends Error {}

/** Whether a message starts with the NTLMSSP signature and has the given type (2.2.1). */
export function ntlmMessageType(message: Buffer): number | undefined {
  if (message.length < 12 || !message.subarray(0, 8).equals(SIGNATURE)) return undefined;
  return message.readUInt32LE(8);
}

/**
 * NEGOTIATE_MESSAGE, 2.2.1.1: no domain or workstation supplied (their fields are empty and the
 * OEM_*_SUPPLIED flags unset), no Version (NTLMSSP_NEGOTIATE_VERSION unset), so 32 bytes.
 */
export function encodeNegotiate(flags: number = CLIENT_FLAGS): Buffer {
  const message = Buffer.alloc(32);
  SIGNATURE.copy(message, 0);
  message.writeUInt32LE(MESSAGE_TYPE.negotiate, 8);
  message.writeUInt32LE(flags >>> 0, 12);
  writeField(message, 16, 0, 32);
  writeField(message, 24, 0, 32);
  return message;
}

export interface Challenge {
  readonly flags: number;
  readonly serverChallenge: Buffer;
  /** The server's AV pairs (TargetInfo), without the MsvAvEOL that ends them. */
  readonly targetInfo: readonly AvPair[];
}

/** CHALLENGE_MESSAGE, 2.2.1.2. */
export function decodeChallenge(message: Buffer): Challenge {
  if (ntlmMessageType(message) !== MESSAGE_TYPE.challenge || message.length < 32) throw new NtlmFormatError('not an NTLM CHALLENGE message');
  const flags = message.readUInt32LE(20);
  const serverChallenge = Buffer.from(message.subarray(24, 32));
  // Servers older than the TargetInfo field send the 32-byte form; NTLMv2 then has no AV pairs.
  const targetInfo = message.length >= 48 && flags & NTLM_FLAGS.targetInfo ? decodeAvPairs(readField(message, 40)) : [];
  return { flags, serverChallenge, targetInfo };
}

/** An AV_PAIR list, 2.2.2.1: stops at MsvAvEOL; a pair running past the end is malformed. */
export function decodeAvPairs(bytes: Buffer): AvPair[] {
  const pairs: AvPair[] = [];
  let at = 0;
  while (at + 4 <= bytes.length) {
    const id = bytes.readUInt16LE(at);
    const length = bytes.readUInt16LE(at + 2);
    if (id === AV_ID.eol) return pairs;
    if (at + 4 + length > bytes.length) throw new NtlmFormatError('an AV pair runs past the end of the target info');
    pairs.push({ id, value: Buffer.from(bytes.subarray(at + 4, at + 4 + length)) });
    at += 4 + length;
  }
  throw new NtlmFormatError('the target info has no MsvAvEOL');
}

export function encodeAvPairs(pairs: readonly AvPair[]): Buffer {
  const parts = pairs.flatMap((pair) => [u16(pair.id), u16(pair.value.length), pair.value]);
  return Buffer.concat([...parts, Buffer.alloc(4)]);
}

/** NTOWFv2, 3.3.2: HMAC_MD5(MD4(UNICODE(Passwd)), UNICODE(Uppercase(User) + UserDom)). */
export async function ntOwfV2(password: string, user: string, domain: string): Promise<Buffer> {
  const ntHash = Buffer.from(await md4(unicode(password)), 'hex');
  return hmacMd5(ntHash, unicode(user.toUpperCase() + domain));
}

export interface NtlmV2Response {
  readonly ntChallengeResponse: Buffer;
  /** LMv2, 3.3.2: HMAC_MD5(key, server + client challenge) + client challenge. Computed for the spec's check; not sent (see encodeAuthenticate). */
  readonly lmV2Response: Buffer;
  readonly ntProofStr: Buffer;
  readonly sessionBaseKey: Buffer;
}

/**
 * ComputeResponse for NTLMv2, 3.3.2. `time` is the FILETIME (100 ns since 1601) as 8 bytes;
 * `targetInfo` the AV pairs the client sends (the server's plus its own, 3.1.5.1.2).
 */
export function ntlmV2Response(
  responseKeyNt: Buffer,
  serverChallenge: Buffer,
  clientChallenge: Buffer,
  time: Buffer,
  targetInfo: readonly AvPair[],
): NtlmV2Response {
  const temp = Buffer.concat([Buffer.from([1, 1]), Buffer.alloc(6), time, clientChallenge, Buffer.alloc(4), encodeAvPairs(targetInfo), Buffer.alloc(4)]);
  const ntProofStr = hmacMd5(responseKeyNt, Buffer.concat([serverChallenge, temp]));
  return {
    ntChallengeResponse: Buffer.concat([ntProofStr, temp]),
    lmV2Response: Buffer.concat([hmacMd5(responseKeyNt, Buffer.concat([serverChallenge, clientChallenge])), clientChallenge]),
    ntProofStr,
    sessionBaseKey: hmacMd5(responseKeyNt, ntProofStr),
  };
}

/** A JavaScript time (ms since 1970) as an 8-byte little-endian FILETIME. */
export function fileTime(epochMs: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE((BigInt(Math.round(epochMs)) + 11_644_473_600_000n) * 10_000n);
  return out;
}

export interface AuthenticateInput {
  /** The NEGOTIATE message sent, for the MIC. */
  readonly negotiate: Buffer;
  /** The CHALLENGE message received, whole, for the MIC. */
  readonly challengeMessage: Buffer;
  readonly user: string;
  readonly domain: string;
  readonly password: string;
  readonly workstation: string;
  /** 16 bytes: MD5 of the gss_channel_bindings_struct; all zeros when the channel has none (3.1.5.1.2). */
  readonly channelBindingHash: Buffer;
  /** The service principal name, e.g. `HTTP/mail.contoso.com` (MsvAvTargetName). */
  readonly targetName: string;
  /** 8 random bytes. */
  readonly clientChallenge: Buffer;
  /** Used only when the server sent no MsvAvTimestamp. */
  readonly nowMs: number;
}

/**
 * AUTHENTICATE_MESSAGE, 2.2.1.3, built as 3.1.5.1.2 says. The client's AV pairs are the
 * server's, then MsvAvFlags (MIC present), MsvAvChannelBindings and MsvAvTargetName. The
 * negotiated flags are ours AND the server's. The LM response is Z(24): 3.1.5.1.2 asks for that
 * whenever the server sends MsvAvTimestamp (every Windows server since 2008 does), and Chromium
 * sends it always; the NT response alone proves the password. The MIC (3.1.5.1.2) is
 * HMAC_MD5(ExportedSessionKey, NEGOTIATE + CHALLENGE + AUTHENTICATE with a zero MIC); without
 * key exchange the ExportedSessionKey is the KeyExchangeKey, which for NTLMv2 is the
 * SessionBaseKey (3.4.5.1). The Version field is present (zeros) so the MIC sits at offset 72.
 */
export async function encodeAuthenticate(input: AuthenticateInput): Promise<Buffer> {
  const challenge = decodeChallenge(input.challengeMessage);
  if (!(challenge.flags & NTLM_FLAGS.unicode)) throw new NtlmFormatError('the server does not offer Unicode NTLM messages');
  const negotiated = (input.negotiate.readUInt32LE(12) & challenge.flags) >>> 0;
  const serverTime = challenge.targetInfo.find((pair) => pair.id === AV_ID.timestamp);
  const serverFlags = challenge.targetInfo.find((pair) => pair.id === AV_ID.flags)?.value.readUInt32LE(0) ?? 0;
  const avFlags = Buffer.alloc(4);
  avFlags.writeUInt32LE((serverFlags | AV_FLAG_MIC_PRESENT) >>> 0);
  const targetInfo: AvPair[] = [
    ...challenge.targetInfo.filter((pair) => pair.id !== AV_ID.flags && pair.id !== AV_ID.channelBindings && pair.id !== AV_ID.targetName),
    { id: AV_ID.flags, value: avFlags },
    { id: AV_ID.channelBindings, value: input.channelBindingHash },
    { id: AV_ID.targetName, value: unicode(input.targetName) },
  ];
  const key = await ntOwfV2(input.password, input.user, input.domain);
  const response = ntlmV2Response(key, challenge.serverChallenge, input.clientChallenge, serverTime?.value ?? fileTime(input.nowMs), targetInfo);
  // Payload order: the (empty) session key first, so its offset is the payload's start.
  const payloads = [Buffer.alloc(0), Buffer.alloc(24), response.ntChallengeResponse, unicode(input.domain), unicode(input.user), unicode(input.workstation)];
  const fieldOffsets = [52, 12, 20, 28, 36, 44];
  const message = Buffer.alloc(AUTHENTICATE_HEADER_LENGTH + payloads.reduce((sum, part) => sum + part.length, 0));
  SIGNATURE.copy(message, 0);
  message.writeUInt32LE(MESSAGE_TYPE.authenticate, 8);
  let at = AUTHENTICATE_HEADER_LENGTH;
  payloads.forEach((payload, index) => {
    writeField(message, fieldOffsets[index] ?? 0, payload.length, at);
    payload.copy(message, at);
    at += payload.length;
  });
  message.writeUInt32LE(negotiated, 60);
  const mic = hmacMd5(response.sessionBaseKey, Buffer.concat([input.negotiate, input.challengeMessage, message]));
  mic.copy(message, MIC_OFFSET);
  return message;
}

export function hmacMd5(key: Buffer, data: Buffer): Buffer {
  return createHmac('md5', key).update(data).digest();
}

export function md5(data: Buffer): Buffer {
  return createHash('md5').update(data).digest();
}

/** A security buffer's bytes (Len, MaxLen, Offset; 2.2.1.1); one pointing outside the message is malformed. */
export function readField(message: Buffer, at: number): Buffer {
  const length = message.readUInt16LE(at);
  const offset = message.readUInt32LE(at + 4);
  if (offset + length > message.length) throw new NtlmFormatError('a field points outside the message');
  return Buffer.from(message.subarray(offset, offset + length));
}

export function writeField(message: Buffer, at: number, length: number, offset: number): void {
  message.writeUInt16LE(length, at);
  message.writeUInt16LE(length, at + 2);
  message.writeUInt32LE(offset, at + 4);
}

function u16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16LE(value);
  return out;
}
