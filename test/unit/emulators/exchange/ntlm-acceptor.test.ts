/**
 * The emulator's NTLM acceptor, proven on Microsoft's own AUTHENTICATE message ([MS-NLMP]
 * 4.2.4.3, user Domain\User, password "Password") before it is trusted to judge ours.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { challengeFor, verifyAuthenticate, type AcceptorSettings, type PendingChallenge } from '../../../../tools/emulators/exchange/ntlm-acceptor.js';
import { encodeAuthenticate, encodeNegotiate, unicode } from '../../../../shared/providers/exchange/ntlm.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** [MS-NLMP] 4.2.4.3: the CHALLENGE and AUTHENTICATE messages of the NTLMv2 example. */
const SPEC_CHALLENGE = Buffer.concat([
  hex('4e544c4d53535000 02000000 0c000c0038000000 33828ae2 0123456789abcdef 0000000000000000 2400240044000000 060070170000000f'),
  unicode('Server'),
  hex('02000c00'), unicode('Domain'), hex('01000c00'), unicode('Server'), hex('00000000'),
]);
const SPEC_AUTHENTICATE = hex(`
  4e544c4d5353500003000000180018006c00000054005400840000000c000c00480000000800080054000000100010005c00000010001000d8000000358288e2
  0501280a0000000f44006f006d00610069006e00550073006500720043004f004d005000550054004500520086c35097ac9cec102554764a57cccc19aaaaaaaa
  aaaaaaaa68cd0ab851e51c96aabc927bebef6a1c01010000000000000000000000000000aaaaaaaaaaaaaaaa0000000002000c0044006f006d00610069006e00
  01000c005300650072007600650072000000000000000000c5dad2544fc9799094ce1ce90bc9d03e`);
const SPEC_PENDING: PendingChallenge = { negotiateMessage: Buffer.alloc(0), challengeMessage: SPEC_CHALLENGE, serverChallenge: hex('0123456789abcdef') };

const BINDING = randomBytes(16);
const settings = (password: string, extendedProtection: AcceptorSettings['extendedProtection']): AcceptorSettings => ({
  findAccount: (user, domain) => (user.toLowerCase() === 'user' && domain.toLowerCase() === 'domain' ? { account: 'DOMAIN\\User', password } : undefined),
  extendedProtection,
  expectedBinding: BINDING,
});

async function ours(pending: PendingChallenge, binding: Buffer, password = 'Password'): Promise<Buffer> {
  return encodeAuthenticate({
    negotiate: pending.negotiateMessage,
    challengeMessage: pending.challengeMessage,
    user: 'User',
    domain: 'Domain',
    password,
    workstation: 'WS',
    channelBindingHash: binding,
    targetName: 'HTTP/127.0.0.1',
    clientChallenge: randomBytes(8),
    nowMs: 0,
  });
}

describe('NTLM acceptor', () => {
  it('when Microsoft`s example AUTHENTICATE answers its example CHALLENGE, then the NTProofStr verifies with "Password"', async () => {
    expect(await verifyAuthenticate(SPEC_AUTHENTICATE, SPEC_PENDING, settings('Password', 'off'))).toEqual({ ok: true, account: 'DOMAIN\\User' });
  });

  it('when the account`s password is another, then Microsoft`s example is refused', async () => {
    expect(await verifyAuthenticate(SPEC_AUTHENTICATE, SPEC_PENDING, settings('Passw0rd', 'off'))).toEqual({ ok: false, reason: 'wrong password' });
  });

  it('when Extended Protection is Require, then the example (which has no channel binding) is refused', async () => {
    expect(await verifyAuthenticate(SPEC_AUTHENTICATE, SPEC_PENDING, settings('Password', 'require'))).toEqual({ ok: false, reason: 'channel binding required but absent' });
  });

  it('when our client answers the emulator`s challenge, then it verifies, MIC and binding included', async () => {
    const pending = challengeFor(encodeNegotiate(), Date.UTC(2026, 0, 5))!;
    expect(await verifyAuthenticate(await ours(pending, BINDING), pending, settings('Password', 'require'))).toEqual({ ok: true, account: 'DOMAIN\\User' });
  });

  it('when one byte of our MIC is changed, then it is refused', async () => {
    const pending = challengeFor(encodeNegotiate(), Date.UTC(2026, 0, 5))!;
    const message = await ours(pending, BINDING);
    message[72] = (message[72] ?? 0) ^ 1;
    expect(await verifyAuthenticate(message, pending, settings('Password', 'off'))).toEqual({ ok: false, reason: 'MIC mismatch' });
  });

  it('when the answer is to another connection`s challenge, then it is refused', async () => {
    const first = challengeFor(encodeNegotiate(), Date.UTC(2026, 0, 5))!;
    const second = challengeFor(encodeNegotiate(), Date.UTC(2026, 0, 5))!;
    expect(await verifyAuthenticate(await ours(first, BINDING), second, settings('Password', 'off'))).toMatchObject({ ok: false });
  });

  it('when Extended Protection is Allow, then no binding passes and a wrong binding is refused', async () => {
    const pending = challengeFor(encodeNegotiate(), Date.UTC(2026, 0, 5))!;
    expect(await verifyAuthenticate(await ours(pending, Buffer.alloc(16)), pending, settings('Password', 'allow'))).toMatchObject({ ok: true });
    expect(await verifyAuthenticate(await ours(pending, randomBytes(16)), pending, settings('Password', 'allow'))).toEqual({ ok: false, reason: 'channel binding does not match this server' });
    expect(await verifyAuthenticate(await ours(pending, Buffer.alloc(16)), pending, settings('Password', 'require'))).toEqual({ ok: false, reason: 'channel binding required but absent' });
  });
});
