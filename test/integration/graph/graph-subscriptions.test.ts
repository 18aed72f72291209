import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGraphEmulator, type RunningGraphEmulator } from '../../../tools/emulators/graph/graph-emulator.js';
import { CLIENT_ID, CLIENT_SECRET, TENANT_ID, at, profileFor, providerFor } from './graph-harness.js';

const ADELE = 'adele@contoso.com';
const CLIENT_STATE = 'client-state-5f2c9e0d7b';

interface Webhook {
  readonly url: string;
  readonly notifications: unknown[];
  /** How the webhook answers the validation handshake. */
  mode: 'echo' | 'wrong' | 'slow';
  close(): Promise<void>;
}

async function startWebhook(): Promise<Webhook> {
  const notifications: unknown[] = [];
  const hook = { mode: 'echo' as Webhook['mode'] };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const token = new URL(req.url ?? '/', 'http://hook').searchParams.get('validationToken');
      if (token !== null) {
        if (hook.mode === 'slow') return void setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end(token), 1_000);
        res.writeHead(200, { 'content-type': 'text/plain' });
        return void res.end(hook.mode === 'echo' ? token : 'not the token');
      }
      notifications.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(hook, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/graph-notifications`,
    notifications,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

describe('Graph provider subscriptions against the emulator', () => {
  let emulator: RunningGraphEmulator;
  let webhook: Webhook;
  let userId: string;
  const inDays = (days: number): string => new Date(Date.now() + days * 86_400_000).toISOString();

  beforeEach(async () => {
    // The test's webhook listens on loopback http.
    emulator = await startGraphEmulator({ tenantId: TENANT_ID, apps: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }], validationTimeoutMs: 300, allowLoopbackHttpNotifications: true });
    userId = emulator.control.addUser({ address: ADELE }).id;
    webhook = await startWebhook();
  });
  afterEach(async () => {
    await emulator.close();
    await webhook.close();
  });

  it('when subscribing, then the webhook is validated, the subscription watches the user\'s events by principal name (no user lookup) and changes are notified with clientState', async () => {
    const provider = providerFor(emulator);
    const subscription = await provider.subscribe({ address: ADELE, notificationUrl: webhook.url, lifecycleUrl: `${webhook.url}/lifecycle`, secret: CLIENT_STATE, expiresAt: inDays(2) });

    const [stored] = emulator.control.subscriptions();
    expect(stored).toMatchObject({ id: subscription.id, resource: `users/${ADELE}/events`, changeType: 'created,updated,deleted', clientState: CLIENT_STATE });
    // Least privilege: resolving the user's id would need User.ReadBasic.All.
    expect(emulator.control.apiRequests().filter((r) => r.method === 'GET' && r.path.startsWith('/users/'))).toEqual([]);
    expect(Date.parse(subscription.expiresAt)).toBeGreaterThan(Date.now() + 86_400_000);

    const eventId = emulator.control.addEvent(ADELE, { subject: 'Notified', start: at(new Date(), 1), end: at(new Date(), 2) });
    await emulator.control.flushNotifications();
    expect(webhook.notifications).toEqual([
      {
        value: [
          expect.objectContaining({
            subscriptionId: subscription.id,
            changeType: 'created',
            clientState: CLIENT_STATE,
            tenantId: TENANT_ID,
            resource: `Users/${userId}/Events/${eventId}`,
            resourceData: expect.objectContaining({ '@odata.type': '#Microsoft.Graph.Event', id: eventId }),
          }),
        ],
      },
    ]);
  });

  it('when Graph removes a subscription, then the lifecycle URL gets subscriptionRemoved with clientState and the subscription is gone', async () => {
    const provider = providerFor(emulator);
    const subscription = await provider.subscribe({ address: ADELE, notificationUrl: webhook.url, lifecycleUrl: `${webhook.url}/lifecycle`, secret: CLIENT_STATE, expiresAt: inDays(1) });
    expect(await emulator.control.sendLifecycleEvent(subscription.id, 'subscriptionRemoved')).toBe(202);
    expect(webhook.notifications).toEqual([
      { value: [expect.objectContaining({ subscriptionId: subscription.id, lifecycleEvent: 'subscriptionRemoved', clientState: CLIENT_STATE, tenantId: TENANT_ID })] },
    ]);
    expect(emulator.control.subscriptions()).toEqual([]);
  });

  it('when renewing, then the expiry moves; when unsubscribing twice, then the second (404) is tolerated', async () => {
    const provider = providerFor(emulator);
    const subscription = await provider.subscribe({ address: ADELE, notificationUrl: webhook.url, secret: CLIENT_STATE, expiresAt: inDays(1) });
    const renewed = await provider.renew(subscription, inDays(6));
    expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(Date.parse(subscription.expiresAt));

    await provider.unsubscribe(renewed);
    await provider.unsubscribe(renewed);
    expect(emulator.control.subscriptions()).toEqual([]);
    expect(emulator.record.filter((r) => r.method === 'DELETE').map((r) => r.status)).toEqual([204, 404]);
    await expect(provider.renew(renewed, inDays(3))).rejects.toMatchObject({ kind: 'permanent', code: 'subscription-not-found' });
  });

  it.each([
    ['echoes something else', 'wrong'],
    ['answers after the validation timeout', 'slow'],
  ] as const)('when the webhook %s, then creation fails and no subscription exists', async (_what, mode) => {
    webhook.mode = mode;
    const provider = providerFor(emulator);
    await expect(provider.subscribe({ address: ADELE, notificationUrl: webhook.url, secret: CLIENT_STATE, expiresAt: inDays(1) })).rejects.toMatchObject({
      kind: 'permanent',
      code: 'graph-rejected',
    });
    expect(emulator.control.subscriptions()).toEqual([]);
  });

  it('when the profile resolves addresses, then the subscription watches the user found in the directory by object id', async () => {
    const nadia = emulator.control.addUser({ address: 'nadia.holm@contoso.com', userPrincipalName: 'nh4521@contoso.onmicrosoft.com' }).id;
    const provider = providerFor(emulator, {}, { ...profileFor(emulator), resolveAddresses: true });
    await provider.subscribe({ address: 'nadia.holm@contoso.com', notificationUrl: webhook.url, secret: CLIENT_STATE, expiresAt: inDays(1) });
    expect(emulator.control.subscriptions()).toMatchObject([{ resource: `users/${nadia}/events`, userId: nadia }]);
  });

  it('when the mailbox does not exist, then subscribing fails permanent mailbox-not-found', async () => {
    const provider = providerFor(emulator);
    await expect(provider.subscribe({ address: 'ghost@contoso.com', notificationUrl: webhook.url, secret: CLIENT_STATE, expiresAt: inDays(1) })).rejects.toMatchObject({
      kind: 'permanent',
      code: 'mailbox-not-found',
    });
  });
});
