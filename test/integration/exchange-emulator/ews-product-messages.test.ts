/**
 * The product's own EWS messages (shared/providers/exchange/ews-requests.ts) against the emulator,
 * and its readers (ews-responses.ts) on the emulator's answers, under every prefix choice: the two
 * sides were written apart from each other and from the same reference pages, so this is where a
 * misreading on either side shows.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { calendarViewRequest, getUserOofSettingsRequest, sendNotificationResult, subscribePushRequest, syncFolderItemsRequest, unsubscribeRequest, type EwsTarget } from '../../../shared/providers/exchange/ews-requests.js';
import { isEwsFailure, readCalendarView, readSendNotification, readSubscribe, readSyncFolderItems, readUnsubscribe, readUserOofSettings, serverVersion } from '../../../shared/providers/exchange/ews-responses.js';
import { createEwsEmulator, type EwsEmulator } from '../../../tools/emulators/exchange/ews-emulator-control.js';
import { SERVICE_ACCOUNT } from './ews-test-xml.js';

const ANNA = 'anna@contoso.com';
const DELEGATE = 'CONTOSO\\assistant';
const IMPERSONATED: EwsTarget = { mailbox: ANNA, access: 'impersonation' };
const DELEGATED: EwsTarget = { mailbox: ANNA, access: 'delegate' };

function setUp(prefixes: 'exchange' | 'reference' | 'unusual'): { ews: EwsEmulator; seriesId: string } {
  const ews = createEwsEmulator({ prefixes });
  ews.control.addMailbox({ address: ANNA, timeZone: 'Europe/Paris', impersonators: [SERVICE_ACCOUNT], delegates: [DELEGATE] });
  const { itemId: seriesId } = ews.control.createItem(ANNA, {
    subject: 'Stand-up',
    location: 'Room 1',
    categories: ['Team'],
    start: '2026-03-23T08:00:00Z',
    end: '2026-03-23T08:30:00Z',
    recurrence: { pattern: { type: 'weekly', interval: 1, days: ['Monday'] }, range: { type: 'numbered', count: 2 } },
  });
  ews.control.createItem(ANNA, { subject: 'Off', isAllDayEvent: true, start: '2026-03-27', end: '2026-03-28', legacyFreeBusyStatus: 'OOF', sensitivity: 'Private' });
  return { ews, seriesId };
}

const post = (ews: EwsEmulator, body: string, target: EwsTarget) => ews.service({ user: target.access === 'delegate' ? DELEGATE : SERVICE_ACCOUNT, body, headers: { 'x-anchormailbox': target.mailbox } });

describe.each(['exchange', 'reference', 'unusual'] as const)('the product reading the EWS emulator (%s prefixes)', (prefixes) => {
  it('when the product reads the window, then it gets the occurrences across DST, the all-day event and the fields the mapping needs', async () => {
    const { ews } = setUp(prefixes);
    for (const target of [IMPERSONATED, DELEGATED]) {
      const answer = await post(ews, calendarViewRequest(target, '2026-03-20T00:00:00Z', '2026-04-05T00:00:00Z', 1000), target);
      const view = readCalendarView(answer.status, answer.body);
      if (isEwsFailure(view)) throw new Error(`${view.responseCode}: ${view.message}`);

      expect(view.includesLastItemInRange).toBe(true);
      expect(view.items.map((i) => [i.calendarItemType, i.start, i.recurrenceId ?? null, i.isAllDayEvent])).toEqual([
        ['Occurrence', '2026-03-23T08:00:00Z', '2026-03-23T08:00:00Z', false],
        ['Single', '2026-03-26T23:00:00Z', null, true],
        ['Occurrence', '2026-03-30T07:00:00Z', '2026-03-30T07:00:00Z', false],
      ]);
      expect(view.items[0]).toMatchObject({ subject: 'Stand-up', location: 'Room 1', categories: ['Team'], isCancelled: false, myResponseType: 'Organizer', organizer: ANNA, uid: expect.any(String) });
      expect(view.items[1]).toMatchObject({ legacyFreeBusyStatus: 'OOF', sensitivity: 'Private', end: '2026-03-27T23:00:00Z' });
    }
    expect(serverVersion((await post(ews, calendarViewRequest(IMPERSONATED, '2026-03-20T00:00:00Z', '2026-04-05T00:00:00Z', 10), IMPERSONATED)).body)).toMatch(/15/);
  });

  it('when the product syncs, then it reads the masters, the sync state, and the invalid-state failure', async () => {
    const { ews, seriesId } = setUp(prefixes);
    const first = readSyncFolderItems(...(await answerOf(post(ews, syncFolderItemsRequest(IMPERSONATED, undefined, 512), IMPERSONATED))));
    if (isEwsFailure(first)) throw new Error(first.responseCode);
    ews.control.deleteOccurrence(ANNA, seriesId, '2026-03-30T07:00:00Z');
    const next = readSyncFolderItems(...(await answerOf(post(ews, syncFolderItemsRequest(IMPERSONATED, first.syncState, 512), IMPERSONATED))));
    ews.control.invalidateSyncStates(ANNA);
    const refused = readSyncFolderItems(...(await answerOf(post(ews, syncFolderItemsRequest(IMPERSONATED, first.syncState, 512), IMPERSONATED))));

    expect(first.changes.map((c) => c.change)).toEqual(['create', 'create']);
    expect(first.includesLastItemInRange).toBe(true);
    expect(next).toMatchObject({ changes: [{ change: 'update', itemId: seriesId }] });
    expect(refused).toMatchObject({ kind: 'ews-failure', responseCode: 'ErrorInvalidSyncStateData' });
  });

  it('when the product asks for automatic replies, then impersonated it reads them, as a delegate it gets a failure', async () => {
    const { ews } = setUp(prefixes);
    ews.control.setOof(ANNA, { state: 'Scheduled', start: '2026-07-01T06:00:00Z', end: '2026-07-15T18:00:00Z' });

    const owner = readUserOofSettings(...(await answerOf(post(ews, getUserOofSettingsRequest(IMPERSONATED), IMPERSONATED))));
    const delegate = readUserOofSettings(...(await answerOf(post(ews, getUserOofSettingsRequest(DELEGATED), DELEGATED))));

    expect(owner).toMatchObject({ oofState: 'Scheduled', startTime: '2026-07-01T06:00:00', endTime: '2026-07-15T18:00:00' });
    expect(delegate).toMatchObject({ kind: 'ews-failure', httpStatus: 500 });
  });

  it('when the product subscribes and unsubscribes, then it reads the subscription id and watermark, and the end', async () => {
    const { ews } = setUp(prefixes);
    const subscribed = readSubscribe(...(await answerOf(post(ews, subscribePushRequest(IMPERSONATED, 'https://calsync.example/api/ews?s=1', 30), IMPERSONATED))));
    if (isEwsFailure(subscribed)) throw new Error(subscribed.responseCode);
    const ended = readUnsubscribe(...(await answerOf(post(ews, unsubscribeRequest(IMPERSONATED, subscribed.subscriptionId), IMPERSONATED))));

    expect(ews.control.subscriptions()).toMatchObject([{ id: subscribed.subscriptionId, state: 'ended', endedBecause: 'unsubscribed' }]);
    expect(ended).toEqual({ unsubscribed: true });
  });

  it("when Exchange pushes to a callback answering with the product's SendNotificationResult, then the product reads the events, and Unsubscribe ends the subscription", async () => {
    const { ews } = setUp(prefixes);
    const bodies: string[] = [];
    let status: 'OK' | 'Unsubscribe' = 'OK';
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' }).end(sendNotificationResult(status));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/ews-notifications`;
      const subscribed = readSubscribe(...(await answerOf(post(ews, subscribePushRequest(IMPERSONATED, url, 30), IMPERSONATED))));
      if (isEwsFailure(subscribed)) throw new Error(subscribed.responseCode);
      const { itemId } = ews.control.createItem(ANNA, { subject: 'New', start: '2026-03-24T09:00:00Z', end: '2026-03-24T10:00:00Z' });
      await ews.control.flushNotifications();
      status = 'Unsubscribe';
      ews.control.deleteItem(ANNA, itemId);
      await ews.control.flushNotifications();

      const [created, deleted] = bodies.map(readSendNotification);
      expect(created).toMatchObject({ subscriptionId: subscribed.subscriptionId, previousWatermark: subscribed.watermark, moreEvents: false, events: [{ type: 'created', itemId }] });
      expect(deleted).toMatchObject({ events: [{ type: 'deleted', itemId }] });
      expect(ews.control.subscriptions()[0]).toMatchObject({ state: 'ended', endedBecause: 'callback-unsubscribed' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('when the server is busy, then the product reads ErrorServerBusy with its BackOffMilliseconds', async () => {
    const { ews } = setUp(prefixes);
    ews.control.addFault({ kind: 'ErrorServerBusy', backOffMs: 1234, times: 1 });
    const busy = readCalendarView(...(await answerOf(post(ews, calendarViewRequest(IMPERSONATED, '2026-03-20T00:00:00Z', '2026-04-05T00:00:00Z', 10), IMPERSONATED))));
    expect(busy).toMatchObject({ kind: 'ews-failure', responseCode: 'ErrorServerBusy', backOffMs: 1234, httpStatus: 500 });
  });
});

async function answerOf(answer: Promise<{ status: number; body: string }>): Promise<[number, string]> {
  const { status, body } = await answer;
  return [status, body];
}
