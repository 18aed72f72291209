/**
 * CMG_TIMEOUT_MS bounds the whole answer, not only the wait for its headers: a CMG (or a proxy
 * in front of it) that sends the headers and then trickles the body would otherwise hold the
 * job until the function itself times out. A tiny loopback server plays that CMG.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCmgClient } from '../../../shared/cmg/cmg-client.js';
import { isAppError } from '../../../shared/errors/app-error.js';
import { silentLogger } from '../../../shared/observability/logger.js';

const BODY = JSON.stringify({ status: 'ok', messageSystems: [1], padding: 'x'.repeat(200) });

let server: Server;
let baseUrl: string;
/** Per request: how many body bytes were written before the client went away, and whether all were. */
let answers: Array<{ written: number; finished: boolean }>;

beforeEach(async () => {
  answers = [];
  server = createServer((_req, res) => trickle(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/CMG`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Headers at once, then one byte every 20 ms: about 5 s for the whole body. */
function trickle(res: ServerResponse): void {
  const answer = { written: 0, finished: false };
  answers.push(answer);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(BODY)) });
  res.flushHeaders();
  const timer = setInterval(() => {
    if (res.destroyed) return void clearInterval(timer);
    res.write(BODY[answer.written]!);
    answer.written += 1;
    if (answer.written === BODY.length) {
      clearInterval(timer);
      answer.finished = true;
      res.end();
    }
  }, 20);
  res.on('close', () => clearInterval(timer));
}

describe('the CMG timeout', () => {
  it('when CMG sends its headers at once and then trickles the body, then the request fails as a timeout before the body is complete', async () => {
    const client = createCmgClient(
      { baseUrl, application: 'EXCHANGE', password: 'pw', messageSystems: [1], timeoutMs: 300, maxConcurrency: 2, maxRetries: 1, codesRefreshMs: 60_000, caCertificates: [] },
      { logger: silentLogger, env: {}, retryBaseMs: 5, retryCapMs: 20 },
    );
    try {
      const error = await client.check().then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(isAppError(error) && [error.kind, error.code]).toEqual(['transient', 'timeout']);
      // Both attempts (maxRetries 1) were cut off with most of the body still unsent.
      expect(answers).toHaveLength(2);
      for (const answer of answers) {
        expect(answer.finished).toBe(false);
        expect(answer.written).toBeLessThan(BODY.length / 2);
      }
    } finally {
      client.close();
    }
  });
});
