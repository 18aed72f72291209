import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/errors/app-error.js';
import { createHttpTransport } from '../../../shared/providers/graph/http-transport.js';
import { LOOPBACK_TLS_CERT, LOOPBACK_TLS_KEY } from '../../../tools/emulators/graph/loopback-certificate.js';
import { endlessBody } from '../../support/endless-body.js';

let server: Server;
let url: string;
const connections: string[] = [];

beforeAll(async () => {
  server = createServer({ key: LOOPBACK_TLS_KEY, cert: LOOPBACK_TLS_CERT }, (req, res) => {
    if (req.url === '/endless') return void endless.write(res);
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`hello ${req.method}`);
  });
  server.on('secureConnection', (socket) => connections.push(String(socket.remotePort)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `https://localhost:${(server.address() as AddressInfo).port}/`;
});

/** A chunked body that never ends, in 64 KiB chunks. */
const endless = endlessBody(Buffer.alloc(64 * 1024, 0x20));

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

describe('Graph HTTP transport over TLS', () => {
  it('when the server certificate is trusted as an extra certificate, then requests succeed over one kept-alive connection', async () => {
    const transport = createHttpTransport({ timeoutMs: 5_000, trustedCertificates: [LOOPBACK_TLS_CERT], noProxy: '*' });
    connections.length = 0;

    const first = await transport({ method: 'GET', url, headers: {} });
    const second = await transport({ method: 'POST', url, headers: {}, body: '' });

    expect([first.status, first.body, second.body]).toEqual([200, 'hello GET', 'hello POST']);
    expect(connections).toHaveLength(1);
  });

  it('when the certificate is not trusted, then the system store alone refuses it as a network error', async () => {
    const transport = createHttpTransport({ timeoutMs: 5_000, noProxy: '*' });

    const error = await transport({ method: 'GET', url, headers: {} }).catch((e: unknown) => e);

    expect(isAppError(error) && error.code).toBe('network');
  });

  it('when an answer grows past the size cap, then it is cut off as it arrives with a transient response-too-large, not buffered whole', async () => {
    const transport = createHttpTransport({ timeoutMs: 20_000, trustedCertificates: [LOOPBACK_TLS_CERT], noProxy: '*', maxResponseBytes: 1024 * 1024 });
    endless.sent = 0;

    const error = await transport({ method: 'GET', url: `${url}endless`, headers: {} }).catch((e: unknown) => e);

    expect(isAppError(error) && [error.kind, error.code]).toEqual(['transient', 'response-too-large']);
    // Stopped near the cap: the server got no further than a few chunks past it.
    expect(endless.sent).toBeLessThan(8 * 1024 * 1024);
  });
});
