import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGoogleCalendarProvider } from '../../../shared/providers/google/google-calendar-provider.js';
import type { CalendarProvider } from '../../../shared/providers/calendar-provider.js';
import { apiRequests, startGoogleFixture, type GoogleFixture } from './google-harness.js';

const ALICE = 'alice@example.com';
const SECRET = 'c2VjcmV0LWNoYW5uZWwtdG9rZW4';

let fx: GoogleFixture;
let receiver: Server;
let receiverUrl: string;
const received: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  fx = await startGoogleFixture();
  receiver = createServer((req, res) => {
    received.push(req.headers);
    res.writeHead(200).end();
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/google-notifications`;
});
afterAll(async () => {
  await fx.emulator.close();
  await new Promise((resolve) => receiver.close(resolve));
});
beforeEach(() => {
  fx.reset();
  received.length = 0;
  fx.emulator.control.addUser(ALICE);
});

const provider = (): CalendarProvider => createGoogleCalendarProvider(fx.profile, { timeoutMs: 2_000, maxRetries: 2, retryBaseMs: 10 });
const inOneDay = (): string => new Date(Date.now() + 86_400_000).toISOString();

describe('Google provider: push channels', () => {
  it('when a channel is watched, then Google\'s sync message and later exists messages carry the channel id, token and resource', async () => {
    const expiresAt = inOneDay();
    const channel = await provider().subscribe({ address: ALICE, notificationUrl: receiverUrl, secret: SECRET, expiresAt });
    await fx.emulator.control.flushNotifications();
    fx.emulator.control.putEvent(ALICE, { summary: 'x', start: { dateTime: '2030-01-01T10:00:00Z' }, end: { dateTime: '2030-01-01T11:00:00Z' } });
    await new Promise((r) => setImmediate(r));
    await fx.emulator.control.flushNotifications();

    expect(channel.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(channel.resourceId).toBeTruthy();
    expect(Math.abs(Date.parse(channel.expiresAt) - Date.parse(expiresAt))).toBeLessThan(2_000);
    const body = JSON.parse(apiRequests(fx.emulator)[0]!.body) as Record<string, unknown>;
    expect(body).toMatchObject({ id: channel.id, type: 'web_hook', address: receiverUrl, token: SECRET, params: { ttl: expect.stringMatching(/^\d+$/) } });
    expect(received.map((h) => [h['x-goog-resource-state'], h['x-goog-message-number']])).toEqual([
      ['sync', '1'],
      ['exists', '2'],
    ]);
    for (const headers of received) {
      expect(headers).toMatchObject({ 'x-goog-channel-id': channel.id, 'x-goog-channel-token': SECRET, 'x-goog-resource-id': channel.resourceId });
      expect(headers['x-goog-resource-uri']).toContain('/calendar/v3/calendars/');
      expect(Date.parse(String(headers['x-goog-channel-expiration']))).toBeGreaterThan(Date.now());
    }
  });

  it('when a channel is stopped, then no more notifications come and stopping it again is tolerated', async () => {
    const p = provider();
    const channel = await p.subscribe({ address: ALICE, notificationUrl: receiverUrl, secret: SECRET, expiresAt: inOneDay() });
    await fx.emulator.control.flushNotifications();

    await p.unsubscribe(channel);
    fx.emulator.control.putEvent(ALICE, { summary: 'x', start: { dateTime: '2030-01-01T10:00:00Z' }, end: { dateTime: '2030-01-01T11:00:00Z' } });
    await new Promise((r) => setImmediate(r));
    await fx.emulator.control.flushNotifications();
    await p.unsubscribe(channel);

    expect(received.map((h) => h['x-goog-resource-state'])).toEqual(['sync']);
    expect(apiRequests(fx.emulator).filter((r) => r.path === '/calendar/v3/channels/stop').map((r) => r.status)).toEqual([204, 404]);
  });

  it('when renew is asked for, then it refuses: Google channels are replaced, not renewed', async () => {
    await expect(provider().renew({ id: 'c', resourceId: 'r', expiresAt: inOneDay() }, inOneDay())).rejects.toMatchObject({ kind: 'permanent', code: 'renew-unsupported' });
  });

  it('when the mailbox is unknown, then watching fails as permanent mailbox-not-found', async () => {
    await expect(provider().subscribe({ address: 'ghost@example.com', notificationUrl: receiverUrl, secret: SECRET, expiresAt: inOneDay() })).rejects.toMatchObject({
      kind: 'permanent',
      code: 'mailbox-not-found',
    });
  });
});
