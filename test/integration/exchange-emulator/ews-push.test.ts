import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../tools/clock/manual-clock.js';
import { createEwsEmulator, type EwsEmulator } from '../../../tools/emulators/exchange/ews-emulator-control.js';
import { M, SERVICE_ACCOUNT, SOAP, T, call, els, messages, subscribePush, textOf, unsubscribe } from './ews-test-xml.js';

const ANNA = 'anna@contoso.com';
const DELEGATE = 'CONTOSO\\assistant';

/** A callback on loopback that answers as told and keeps what Exchange POSTed. */
interface Callback {
  url: string;
  mode: 'OK' | 'Unsubscribe' | 'fail';
  readonly received: Array<{ headers: Record<string, unknown>; body: string }>;
  close(): Promise<void>;
}

async function startCallback(): Promise<Callback> {
  const received: Callback['received'] = [];
  const callback = { url: '', mode: 'OK' as Callback['mode'], received, close: async () => {} };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      if (callback.mode === 'fail') {
        res.writeHead(500).end();
        return;
      }
      // SendNotificationResult as MS:sendnotificationresult.md shows it.
      res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' }).end(
        `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP}"><soap:Body><SendNotificationResult xmlns="${M}"><SubscriptionStatus>${callback.mode}</SubscriptionStatus></SendNotificationResult></soap:Body></soap:Envelope>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  callback.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/ews-notifications?secret=s3cr3t`;
  callback.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return callback;
}

/** What one SendNotification said: its events (local name, item id) and watermarks. */
function notification(body: string) {
  const doc = new DOMParser().parseFromString(body, 'text/xml');
  const note = els(doc, M, 'Notification')[0]!;
  const events = Array.from(note.childNodes)
    .filter((n): n is Element => n.nodeType === 1 && (n as Element).namespaceURI === T && ((n as Element).localName ?? '').endsWith('Event'))
    .map((n) => ({ type: n.localName, itemId: els(n, T, 'ItemId')[0]?.getAttribute('Id'), watermark: textOf(n, T, 'Watermark') }));
  return { subscriptionId: textOf(note, T, 'SubscriptionId'), previousWatermark: textOf(note, T, 'PreviousWatermark'), moreEvents: textOf(note, T, 'MoreEvents'), events };
}

describe('EWS emulator: push subscriptions', () => {
  let clock: ManualClock;
  let ews: EwsEmulator;
  let callback: Callback;
  beforeEach(async () => {
    clock = new ManualClock(Date.parse('2026-06-01T08:00:00Z'));
    ews = createEwsEmulator({ clock });
    ews.control.addMailbox({ address: ANNA, timeZone: 'Europe/Paris', impersonators: [SERVICE_ACCOUNT], delegates: [DELEGATE] });
    callback = await startCallback();
  });
  afterEach(async () => {
    ews.control.reset();
    await callback.close();
  });
  const subscribe = async (statusFrequency: number, watermark?: string) => {
    const answer = await call(ews.service, subscribePush(callback.url, statusFrequency, watermark === undefined ? {} : { watermark }), { impersonate: ANNA });
    expect(messages(answer).map((m) => m.code)).toEqual(['NoError']);
    return { id: textOf(answer.doc, M, 'SubscriptionId')!, watermark: textOf(answer.doc, M, 'Watermark')! };
  };

  it('when an item is created, then SendNotification with a CreatedEvent is POSTed to the callback; after StatusFrequency of silence, a StatusEvent', async () => {
    const sub = await subscribe(1);
    const { itemId } = ews.control.createItem(ANNA, { subject: 'New', start: '2026-06-02T09:00:00Z', end: '2026-06-02T10:00:00Z' });
    await ews.control.flushNotifications();

    expect(callback.received).toHaveLength(1);
    expect(callback.received[0]!.headers['content-type']).toMatch(/text\/xml/);
    const first = notification(callback.received[0]!.body);
    expect(first).toMatchObject({ subscriptionId: sub.id, previousWatermark: sub.watermark, moreEvents: 'false' });
    expect(first.events).toEqual([{ type: 'CreatedEvent', itemId, watermark: expect.any(String) }]);

    clock.advance(59_999);
    await ews.control.flushNotifications();
    expect(callback.received).toHaveLength(1);
    clock.advance(1);
    await ews.control.flushNotifications();

    const status = notification(callback.received[1]!.body);
    expect(status.events).toEqual([{ type: 'StatusEvent', itemId: undefined, watermark: first.events[0]!.watermark }]);
    expect(status.previousWatermark).toBe(first.events[0]!.watermark);
    expect(ews.control.notifications().map((n) => [n.kind, n.result])).toEqual([['events', 'OK'], ['status', 'OK']]);
  });

  it('when the callback fails, then Exchange retries after 30 s and 60 s, and gives up when the next wait (120 s) would exceed a StatusFrequency of 1 minute', async () => {
    await subscribe(1);
    callback.mode = 'fail';
    ews.control.createItem(ANNA, { subject: 'New', start: '2026-06-02T09:00:00Z', end: '2026-06-02T10:00:00Z' });
    await ews.control.flushNotifications();
    clock.advance(29_999);
    await ews.control.flushNotifications();
    expect(callback.received).toHaveLength(1);

    clock.advance(1);
    await ews.control.flushNotifications();
    clock.advance(60_000);
    await ews.control.flushNotifications();
    clock.advance(600_000);
    await ews.control.flushNotifications();

    expect(ews.control.notifications().map((n) => [n.retry, n.status, n.result])).toEqual([
      [0, 500, 'failed'],
      [1, 500, 'failed'],
      [2, 500, 'failed'],
    ]);
    expect(ews.control.subscriptions()[0]).toMatchObject({ state: 'ended', endedBecause: 'retries-exhausted' });
  });

  it('when the callback comes back during the retries, then the retry carries the events that happened meanwhile, and keep-alives resume', async () => {
    await subscribe(30);
    callback.mode = 'fail';
    const first = ews.control.createItem(ANNA, { subject: 'One', start: '2026-06-02T09:00:00Z', end: '2026-06-02T10:00:00Z' });
    await ews.control.flushNotifications();
    const second = ews.control.createItem(ANNA, { subject: 'Two', start: '2026-06-03T09:00:00Z', end: '2026-06-03T10:00:00Z' });
    await ews.control.flushNotifications();
    expect(callback.received).toHaveLength(1);

    callback.mode = 'OK';
    clock.advance(30_000);
    await ews.control.flushNotifications();

    expect(notification(callback.received[1]!.body).events.map((e) => e.itemId)).toEqual([first.itemId, second.itemId]);
    expect(ews.control.subscriptions()[0]).toMatchObject({ state: 'active', failures: 0, pendingEvents: 0 });
    clock.advance(30 * 60_000);
    await ews.control.flushNotifications();
    expect(notification(callback.received[2]!.body).events.map((e) => e.type)).toEqual(['StatusEvent']);
  });

  it('when the callback answers Unsubscribe, then the subscription ends and later changes are not sent', async () => {
    await subscribe(1);
    callback.mode = 'Unsubscribe';
    ews.control.createItem(ANNA, { subject: 'One', start: '2026-06-02T09:00:00Z', end: '2026-06-02T10:00:00Z' });
    await ews.control.flushNotifications();
    ews.control.createItem(ANNA, { subject: 'Two', start: '2026-06-03T09:00:00Z', end: '2026-06-03T10:00:00Z' });
    clock.advance(10 * 60_000);
    await ews.control.flushNotifications();

    expect(callback.received).toHaveLength(1);
    expect(ews.control.subscriptions()[0]).toMatchObject({ state: 'ended', endedBecause: 'callback-unsubscribed' });
  });

  it('when a new subscription names an earlier watermark, then the events since are sent at once; an unknown watermark is ErrorInvalidWatermark', async () => {
    const old = await subscribe(30);
    expect(messages(await call(ews.service, unsubscribe(old.id), { impersonate: ANNA })).map((m) => m.code)).toEqual(['NoError']);
    const { itemId } = ews.control.createItem(ANNA, { subject: 'While away', start: '2026-06-02T09:00:00Z', end: '2026-06-02T10:00:00Z' });
    ews.control.updateItem(ANNA, itemId, { subject: 'While away (moved)', start: '2026-06-02T11:00:00Z', end: '2026-06-02T12:00:00Z' });
    await ews.control.flushNotifications();
    expect(callback.received).toHaveLength(0);

    await subscribe(30, old.watermark);
    await ews.control.flushNotifications();
    const bogus = await call(ews.service, subscribePush(callback.url, 30, { watermark: 'AQAAAOpvG0LURVdOhQkPOWZLPcI8EgAAAAAAAAE=' }), { impersonate: ANNA });

    expect(notification(callback.received[0]!.body).events.map((e) => [e.type, e.itemId])).toEqual([['CreatedEvent', itemId], ['ModifiedEvent', itemId]]);
    expect(messages(bogus).map((m) => m.code)).toEqual(['ErrorInvalidWatermark']);
  });

  it('when waits are scaled for the dev host, then a 1-minute keep-alive comes in milliseconds of real time', async () => {
    const fast = createEwsEmulator({ pushTimeScale: 0.001 });
    fast.control.addMailbox({ address: ANNA, impersonators: [SERVICE_ACCOUNT] });
    await call(fast.service, subscribePush(callback.url, 1), { impersonate: ANNA });

    await expect.poll(() => callback.received.length, { timeout: 2_000, interval: 20 }).toBeGreaterThanOrEqual(1);
    fast.control.reset();
    expect(notification(callback.received[0]!.body).events.map((e) => e.type)).toEqual(['StatusEvent']);
  });

  it('when a delegate subscribes, or an unknown subscription is ended, then the documented errors', async () => {
    const delegated = await call(ews.service, subscribePush(callback.url, 30, { mailbox: ANNA }), { user: DELEGATE, anchor: ANNA });
    const unknown = await call(ews.service, unsubscribe('83826921-afdf-48be-b469-628cc02b5f49'), { impersonate: ANNA });

    expect(messages(delegated).map((m) => m.code)).toEqual(['ErrorSubscriptionDelegateAccessNotSupported']);
    expect(messages(unknown).map((m) => m.code)).toEqual(['ErrorSubscriptionNotFound']);
  });
});
