/**
 * A CMG answer is read whole into memory, so its size is bounded (16 MB): a CMG front or a proxy
 * that streams without end must fail the request, not grow the process until it dies. A tiny
 * loopback server plays that CMG.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCmgClient } from '../../../shared/cmg/cmg-client.js';
import { isAppError } from '../../../shared/errors/app-error.js';
import { silentLogger } from '../../../shared/observability/logger.js';

const MB = 1024 * 1024;
const CHUNK = Buffer.alloc(MB, 'x');

let server: Server;
let baseUrl: string;
/** Per answer: the bytes written before the client went away. */
let written: number[];

beforeEach(async () => {
  written = [];
  server = createServer((_req, res) => {
    const answer = written.push(0) - 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    // 64 MB at most, as fast as the client reads; chunked, so no length tells the client in advance.
    const more = (): void => {
      while (!res.destroyed && written[answer]! < 64 * MB) {
        written[answer]! += CHUNK.length;
        if (!res.write(CHUNK)) return void res.once('drain', more);
      }
      if (!res.destroyed) res.end();
    };
    more();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/CMG`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('the size of a CMG answer', () => {
  it('when CMG streams an answer past 16 MB, then the request fails as a network error and the rest is not read', async () => {
    const client = createCmgClient(
      { baseUrl, application: 'EXCHANGE', password: 'pw', messageSystems: [1], timeoutMs: 10_000, maxConcurrency: 1, maxRetries: 0, codesRefreshMs: 60_000, caCertificates: [] },
      { logger: silentLogger, env: {}, retryBaseMs: 5, retryCapMs: 20 },
    );
    try {
      const error = await client.check().then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(isAppError(error) && [error.kind, error.code]).toEqual(['transient', 'network']);
      expect(isAppError(error) && error.message).toMatch(/maxContentLength/);
      expect(written).toHaveLength(1);
      // Cut off soon after the limit (socket buffers hold a few MB more), far from the 64 MB on offer.
      expect(written[0]).toBeGreaterThan(16 * MB);
      expect(written[0]).toBeLessThan(32 * MB);
    } finally {
      client.close();
    }
  });
});
