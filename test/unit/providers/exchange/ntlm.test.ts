/**
 * The NTLMv2 client against published numbers, not against our own server: the example values
 * of [MS-NLMP] section 4.2.4 (user "User", domain "Domain", password "Password", server
 * challenge 0123456789abcdef, client challenge aa..aa, time 0), and the channel-binding example
 * of Microsoft's Open Specifications blog ("NTLM and Channel Binding Hash (aka Extended
 * Protection for Authentication)", 2013), as Chromium's net/ntlm/ntlm_test_data.h records them.
 */
import { describe, expect, it } from 'vitest';
import {
  AV_ID,
  decodeAvPairs,
  decodeChallenge,
  encodeAuthenticate,
  encodeAvPairs,
  encodeNegotiate,
  fileTime,
  ntlmV2Response,
  ntOwfV2,
  readField,
  unicode,
} from '../../../../shared/providers/exchange/ntlm.js';
import { channelBindingHash } from '../../../../shared/providers/exchange/ntlm-channel-binding.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

const SERVER_CHALLENGE = hex('0123456789abcdef');
const CLIENT_CHALLENGE = hex('aaaaaaaaaaaaaaaa');
/** MsvAvNbDomainName "Domain", MsvAvNbComputerName "Server" ([MS-NLMP] 4.2.4). */
const SPEC_TARGET_INFO = [
  { id: AV_ID.nbDomainName, value: unicode('Domain') },
  { id: AV_ID.nbComputerName, value: unicode('Server') },
];
/** [MS-NLMP] 4.2.4.3, the CHALLENGE_MESSAGE. */
const SPEC_CHALLENGE = Buffer.concat([
  hex('4e544c4d53535000 02000000 0c000c0038000000 33828ae2 0123456789abcdef 0000000000000000 2400240044000000 060070170000000f'),
  unicode('Server'),
  hex('02000c00'), unicode('Domain'), hex('01000c00'), unicode('Server'), hex('00000000'),
]);

describe('NTLMv2 crypto, [MS-NLMP] 4.2.4', () => {
  it('when given the example credentials, then NTOWFv2 is 4.2.4.1.1 ResponseKeyNT', async () => {
    expect((await ntOwfV2('Password', 'User', 'Domain')).toString('hex')).toBe('0c868a403bfd7a93a3001ef22ef02e3f');
  });

  it('when given the example challenge and time 0, then the responses and the session base key are 4.2.4.1.2-4.2.4.2.2', async () => {
    const key = await ntOwfV2('Password', 'User', 'Domain');
    const response = ntlmV2Response(key, SERVER_CHALLENGE, CLIENT_CHALLENGE, Buffer.alloc(8), SPEC_TARGET_INFO);
    expect(response.lmV2Response.toString('hex')).toBe('86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa');
    expect(response.ntProofStr.toString('hex')).toBe('68cd0ab851e51c96aabc927bebef6a1c');
    // 4.2.4.1.3 "temp" follows the proof.
    expect(response.ntChallengeResponse.subarray(16).toString('hex')).toBe(
      '0101000000000000' + '0000000000000000' + 'aaaaaaaaaaaaaaaa' + '00000000' + '02000c0044006f006d00610069006e00' + '01000c00530065007200760065007200' + '00000000' + '00000000',
    );
    expect(response.sessionBaseKey.toString('hex')).toBe('8de40ccadbc14a82f15cb0ad0de95ca3');
  });

  it('when the password differs by one letter, then the proof differs (the check can fail)', async () => {
    const right = ntlmV2Response(await ntOwfV2('Password', 'User', 'Domain'), SERVER_CHALLENGE, CLIENT_CHALLENGE, Buffer.alloc(8), SPEC_TARGET_INFO);
    const wrong = ntlmV2Response(await ntOwfV2('password', 'User', 'Domain'), SERVER_CHALLENGE, CLIENT_CHALLENGE, Buffer.alloc(8), SPEC_TARGET_INFO);
    expect(wrong.ntProofStr).not.toEqual(right.ntProofStr);
  });

  it('when reading 4.2.4.3 CHALLENGE_MESSAGE, then its flags, challenge and AV pairs come out', () => {
    const challenge = decodeChallenge(SPEC_CHALLENGE);
    expect(challenge.flags >>> 0).toBe(0xe28a8233);
    expect(challenge.serverChallenge).toEqual(SERVER_CHALLENGE);
    expect(challenge.targetInfo).toEqual(SPEC_TARGET_INFO);
    expect(encodeAvPairs(challenge.targetInfo)).toEqual(readField(SPEC_CHALLENGE, 40));
  });
});

describe('channel binding', () => {
  it('when hashing the blog example "tls-server-end-point:" + certificate hash, then the MD5 of the bindings struct is its value', () => {
    const applicationData = Buffer.concat([
      Buffer.from('tls-server-end-point:', 'latin1'),
      hex('ea05fefecc6b0bd571dbbc5baa3ed45386d0446835f7b74c85621b9983475f95'),
    ]);
    expect(channelBindingHash(applicationData).toString('hex')).toBe('6586e99d81c2fc984e47172fd4dd0310');
  });
});

describe('the AUTHENTICATE message', () => {
  // Chromium's independent implementation, given 4.2.4.3's challenge, the blog's binding, the SPN
  // HTTP/Server, workstation COMPUTER and client time 131400439870000000 (FILETIME), produces
  // kExpectedAuthenticateMsgSpecResponseV2. Same layout choices here (zero Version, MIC at 72,
  // the session key field first), so the bytes must match exactly, MIC included.
  const chromiumNegotiate = hex('4e544c4d53535000 01000000 07820800 0000000020000000 0000000020000000');
  const chromiumAuthenticate = Buffer.concat([
    hex('4e544c4d53535000 03000000 1800180058000000 8a008a0070000000 0c000c00fa000000 0800080006010000 100010000e010000 0000000058000000'),
    hex('03820800 0000000000000000 f7361633f0ad9bdf4a7c421bc6b824a3'),
    Buffer.alloc(24),
    hex('8c0260dbef690662af9c42d50782d2ed 0101000000000000 800bc8fd00d4d201 aaaaaaaaaaaaaaaa 00000000'),
    hex('02000c00'), unicode('Domain'), hex('01000c00'), unicode('Server'),
    hex('0600040002000000 0a0010006586e99d81c2fc984e47172fd4dd0310 09001600'), unicode('HTTP/Server'),
    hex('00000000 00000000'),
    unicode('Domain'), unicode('User'), unicode('COMPUTER'),
  ]);

  it('when built from the spec challenge with Chromium`s inputs, then it is byte for byte Chromium`s message', async () => {
    const message = await encodeAuthenticate({
      negotiate: chromiumNegotiate,
      challengeMessage: SPEC_CHALLENGE,
      user: 'User',
      domain: 'Domain',
      password: 'Password',
      workstation: 'COMPUTER',
      channelBindingHash: hex('6586e99d81c2fc984e47172fd4dd0310'),
      targetName: 'HTTP/Server',
      clientChallenge: CLIENT_CHALLENGE,
      nowMs: Number(131400439870000000n / 10_000n - 11_644_473_600_000n),
    });
    expect(message.toString('hex')).toBe(chromiumAuthenticate.toString('hex'));
    expect(readField(message, 12)).toEqual(Buffer.alloc(24));
  });

  it('when the negotiate message is ours, then it asks for NTLM, Unicode, extended session security and 128-bit, and no key exchange', () => {
    const flags = encodeNegotiate().readUInt32LE(12);
    expect(flags & 0x0008_0201).toBe(0x0008_0201);
    expect(flags & 0x2000_0000).toBe(0x2000_0000);
    expect(flags & 0x4000_0030).toBe(0);
  });

  it('when a FILETIME is built from a JavaScript time, then 1601 is zero and the Unix epoch is 116444736000000000', () => {
    expect(fileTime(Date.UTC(1601, 0, 1))).toEqual(Buffer.alloc(8));
    expect(fileTime(0).readBigUInt64LE()).toBe(116_444_736_000_000_000n);
  });

  it('when an AV pair list has no terminator, then it is refused', () => {
    expect(() => decodeAvPairs(hex('02000c0044006f006d00610069006e00'))).toThrow(/MsvAvEOL/);
  });
});
