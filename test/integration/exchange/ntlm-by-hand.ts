/**
 * An NTLM client written out by hand, for what the production transport never does: sending
 * a chosen channel binding (none, or a wrong one). One connection, three legs, raw node:https.
 */
import { Agent, request } from 'node:https';
import { randomBytes } from 'node:crypto';
import { encodeAuthenticate, encodeNegotiate } from '../../../shared/providers/exchange/ntlm.js';
import { splitUserName } from '../../../shared/providers/exchange/ews-transport.js';
import type { EwsServer } from '../../../tools/emulators/exchange/ews-emulator-server.js';

function post(agent: Agent, url: string, ca: string, authorization: string): Promise<{ status: number; authenticate: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, ca, headers: { Authorization: authorization, 'Content-Length': '0' } }, (res) => {
      res.resume();
      res.on('end', () => {
        const values: string[] = [];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) if (res.rawHeaders[i]?.toLowerCase() === 'www-authenticate') values.push(res.rawHeaders[i + 1] ?? '');
        resolve({ status: res.statusCode ?? 0, authenticate: values });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The final status of a handshake whose AUTHENTICATE carries `binding` as MsvAvChannelBindings;
 * with `otherConnection`, the AUTHENTICATE goes on a second connection, not the challenge's.
 */
export async function handshakeByHand(server: EwsServer, userName: string, password: string, binding: Buffer, otherConnection = false): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const second = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const negotiate = encodeNegotiate();
    const first = await post(agent, server.url, server.caCertificate, `NTLM ${negotiate.toString('base64')}`);
    const token = first.authenticate.map((v) => /^NTLM (.+)$/.exec(v)?.[1]).find((v) => v !== undefined);
    if (!token) throw new Error('no challenge');
    const { user, domain } = splitUserName(userName);
    const message = await encodeAuthenticate({
      negotiate,
      challengeMessage: Buffer.from(token, 'base64'),
      user,
      domain,
      password,
      workstation: 'BYHAND',
      channelBindingHash: binding,
      targetName: 'HTTP/127.0.0.1',
      clientChallenge: randomBytes(8),
      nowMs: Date.now(),
    });
    return (await post(otherConnection ? second : agent, server.url, server.caCertificate, `NTLM ${message.toString('base64')}`)).status;
  } finally {
    agent.destroy();
    second.destroy();
  }
}
