/**
 * An answer that never ends, from a Calendar API root on loopback (tokens still from the
 * emulator): the provider stops reading it at the size cap instead of buffering it whole.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/errors/app-error.js';
import { createGoogleCalendarProvider } from '../../../shared/providers/google/google-calendar-provider.js';
import { endlessBody } from '../../support/endless-body.js';
import { startGoogleFixture, type GoogleFixture } from './google-harness.js';

let fx: GoogleFixture;
let server: Server;
let apiRoot: string;
const endless = endlessBody(Buffer.from('{"id":"x","status":"confirmed"},'.repeat(2048)), '{"timeZone":"UTC","items":[');

beforeAll(async () => {
  fx = await startGoogleFixture();
  fx.emulator.control.addUser('anna@example.com', { timeZone: 'UTC' });
  server = createServer((_req, res) => endless.write(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await fx.emulator.close();
});

describe('what one Google answer may hold', () => {
  it('when events.list streams an answer without end, then the read stops at the size cap with a transient error and nothing is retried past the provider retries', async () => {
    const provider = createGoogleCalendarProvider({ ...fx.profile, apiRoot }, { timeoutMs: 20_000, maxRetries: 0, maxResponseBytes: 1024 * 1024 });

    const error = await provider
      .fetchCalendar({ address: 'anna@example.com', window: { start: '2026-11-24T08:00:00.000Z', end: '2026-12-09T08:00:00.000Z' } })
      .catch((e: unknown) => e);

    expect(isAppError(error) && [error.kind, error.message]).toEqual(['transient', expect.stringContaining('response-too-large')]);
    expect(endless.sent).toBeLessThan(8 * 1024 * 1024);
  });
});
