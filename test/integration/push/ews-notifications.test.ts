import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readXml, MESSAGES_NS, childText, path, SOAP_NS } from '../../../shared/providers/exchange/ews-xml.js';
import type { JobQueue, SendOptions } from '../../../shared/queue/job-queue.js';
import type { MailboxJob } from '../../../shared/queue/mailbox-job.js';
import { hashSecret } from '../../../shared/store/secret-hash.js';
import type { Subscription } from '../../../shared/store/subscription-repository.js';
import { handleEwsNotification } from '../../../shared/sync/push/ews-notification-jobs.js';
import { queueOnlyDeps } from '../../support/queue-only-deps.js';
import { createTestStore } from '../../support/test-store.js';
import { startInMemoryTelemetry } from '../../../tools/local-env/in-memory-telemetry.js';
import { PUSH_MODIFIED, PUSH_STATUS } from '../../unit/providers/exchange/ews-examples.js';
import { oneProfileConfig } from '../sync/one-profile-config.js';

const NOW = new Date('2026-11-25T08:00:30Z');
const EXCHANGE_ID = 'hKJETtoAdi9PPW0tZDQ4MThmMDoVYB'; // the SubscriptionId of Microsoft's and WorkMail's samples
const SECRET = 'a-secret-from-the-callback-url';

class RecordingQueue implements JobQueue {
  readonly sent: Array<{ job: MailboxJob; options: SendOptions | undefined }> = [];
  async send(job: MailboxJob, options?: SendOptions): Promise<void> {
    this.sent.push({ job, options });
  }
  async sendMany(): Promise<void> {
    throw new Error('a webhook sends one job');
  }
}

async function world(resourceId = EXCHANGE_ID) {
  const queue = new RecordingQueue();
  const recorded = startInMemoryTelemetry();
  const deps = queueOnlyDeps('a webhook', {
    config: oneProfileConfig({ WEBHOOK_BASE_URL: 'https://calsync.example', EXCHANGE_STATUS_FREQUENCY: '15' }),
    store: createTestStore(),
    queue,
    now: () => NOW,
    telemetry: recorded.telemetry,
  });
  const subscription: Subscription = {
    provider: 'exchange',
    id: randomUUID(),
    mailboxKey: 'alice',
    secretHash: hashSecret(SECRET),
    resourceId,
    expiresAt: '2026-11-25T07:00:00.000Z',
    notificationUrl: 'https://calsync.example/api/ews-notifications/x',
  };
  await deps.store.subscriptions.upsert(subscription);
  const accepted = (kind: string): Promise<number> =>
    recorded.counted('calsync.notifications.accepted', { provider: 'exchange', subscription: subscription.id, kind });
  return { deps, queue, subscription, accepted, stored: () => deps.store.subscriptions.get('exchange', subscription.id) };
}

/** The SubscriptionStatus our answer tells Exchange. */
function subscriptionStatus(body: string | undefined): string | undefined {
  const xml = readXml(body ?? '');
  if (!xml.ok) return undefined;
  const result = path(xml.root, [SOAP_NS, 'Body'], [MESSAGES_NS, 'SendNotificationResult']);
  return childText(result, MESSAGES_NS, 'SubscriptionStatus');
}

describe('Exchange push notifications', () => {
  it('when Exchange reports a change, then one job is enqueued, the answer is OK, and the silence deadline and watermark move on', async () => {
    const { deps, queue, subscription, stored, accepted } = await world();

    const answer = await handleEwsNotification(deps, { id: subscription.id, secret: SECRET, body: PUSH_MODIFIED });

    expect(answer).toMatchObject({ outcome: 'enqueued', status: 200 });
    expect([await accepted('change'), await accepted('keep-alive')]).toEqual([1, 0]);
    expect(subscriptionStatus(answer.body)).toBe('OK');
    expect(queue.sent.map((s) => s.job)).toEqual([expect.objectContaining({ mailboxKey: 'alice', reason: 'notification', full: false })]);
    // Twice EXCHANGE_STATUS_FREQUENCY (15 minutes) from now.
    expect(await stored()).toMatchObject({ expiresAt: '2026-11-25T08:30:30.000Z', watermark: 'ywwAAAAAAAA=' });
  });

  it('when Exchange sends its keep-alive, then no job is enqueued but the subscription counts as heard from', async () => {
    const { deps, queue, subscription, stored, accepted } = await world();

    const answer = await handleEwsNotification(deps, { id: subscription.id, secret: SECRET, body: PUSH_STATUS });

    expect(answer).toMatchObject({ outcome: 'kept-alive', status: 200 });
    expect([await accepted('change'), await accepted('keep-alive')]).toEqual([0, 1]);
    expect(subscriptionStatus(answer.body)).toBe('OK');
    expect(queue.sent).toEqual([]);
    expect(await stored()).toMatchObject({ expiresAt: '2026-11-25T08:30:30.000Z', watermark: 'AAAAAAAAAAA=' });
  });

  it('when the URL names a subscription we no longer know, then Exchange is told to unsubscribe and nothing else happens', async () => {
    const { deps, queue } = await world();

    const answer = await handleEwsNotification(deps, { id: randomUUID(), secret: SECRET, body: PUSH_MODIFIED });

    expect(answer).toMatchObject({ outcome: 'unsubscribed', status: 200 });
    expect(subscriptionStatus(answer.body)).toBe('Unsubscribe');
    expect(queue.sent).toEqual([]);
  });

  it('when the secret in the URL is wrong, then the request is refused without a job or a write', async () => {
    const { deps, queue, subscription, stored, accepted } = await world();

    const answer = await handleEwsNotification(deps, { id: subscription.id, secret: `${SECRET}x`, body: PUSH_MODIFIED });

    expect(answer).toEqual({ outcome: 'forged', status: 403, body: undefined });
    expect(await accepted('change')).toBe(0);
    expect(queue.sent).toEqual([]);
    expect(await stored()).toEqual(subscription);
  });

  it('when an older Exchange subscription calls our current URL, then it is told to unsubscribe', async () => {
    const { deps, queue } = await world('a-newer-exchange-subscription');
    const { subscription } = { subscription: (await deps.store.subscriptions.listByMailbox('alice'))[0]! };

    const answer = await handleEwsNotification(deps, { id: subscription.id, secret: SECRET, body: PUSH_MODIFIED });

    expect(subscriptionStatus(answer.body)).toBe('Unsubscribe');
    expect(queue.sent).toEqual([]);
  });

  it('when Exchange calls before it has answered our Subscribe, then the notification is accepted, not unsubscribed', async () => {
    const { deps, queue, subscription } = await world('');

    const answer = await handleEwsNotification(deps, { id: subscription.id, secret: SECRET, body: PUSH_STATUS });

    expect(subscriptionStatus(answer.body)).toBe('OK');
    expect(queue.sent).toEqual([]);
  });

  it('when the body is not a SendNotification, then it is refused with 400 and no side effect', async () => {
    const { deps, queue, subscription, stored } = await world();

    for (const body of ['', '<x/>', PUSH_MODIFIED.replace('SendNotificationResponseMessage ResponseClass="Success"', 'Other')]) {
      expect(await handleEwsNotification(deps, { id: subscription.id, secret: SECRET, body })).toMatchObject({ outcome: 'invalid', status: 400 });
    }
    expect(queue.sent).toEqual([]);
    expect(await stored()).toEqual(subscription);
  });
});
