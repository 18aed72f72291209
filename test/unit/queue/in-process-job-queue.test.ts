import { describe, expect, it } from 'vitest';
import { InProcessJobQueue } from '../../../shared/queue/in-process-job-queue.js';
import { ManualClock } from '../../../tools/clock/manual-clock.js';
import type { JobDelivery } from '../../../shared/queue/job-queue.js';
import type { MailboxJob } from '../../../shared/queue/mailbox-job.js';
import { aJob } from '../../support/mailbox-job-harness.js';

/** A promise the test resolves by hand, to hold a handler mid-job. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('InProcessJobQueue', () => {
  it('when a job is sent with a trace context, then its delivery carries it; a malformed one is dropped, not delivered', async () => {
    const queue = new InProcessJobQueue();
    const seen = new Map<string, string | undefined>();
    queue.start(async (_job, { messageId, traceparent }) => void seen.set(messageId, traceparent));
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await queue.send(aJob('a'), { messageId: 'traced', traceparent });
    await queue.send(aJob('b'), { messageId: 'malformed', traceparent: '00-not-a-trace-01' });
    await queue.send(aJob('c'), { messageId: 'untraced' });
    await queue.whenIdle();

    expect(Object.fromEntries(seen)).toEqual({ traced: traceparent, malformed: undefined, untraced: undefined });
  });

  it('when jobs of one mailbox and of others are sent, then one mailbox never runs two at once, in order, while mailboxes run side by side', async () => {
    const queue = new InProcessJobQueue({ maxConcurrentSessions: 3 });
    const running = new Map<string, number>();
    let maxPerMailbox = 0;
    let maxOverall = 0;
    const order: string[] = [];
    queue.start(async (job, { messageId }) => {
      running.set(job.mailboxKey, (running.get(job.mailboxKey) ?? 0) + 1);
      maxPerMailbox = Math.max(maxPerMailbox, ...running.values());
      maxOverall = Math.max(maxOverall, [...running.values()].reduce((a, b) => a + b, 0));
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (job.mailboxKey === 'a') order.push(messageId);
      running.set(job.mailboxKey, running.get(job.mailboxKey)! - 1);
    });

    for (let i = 0; i < 5; i++) {
      for (const key of ['a', 'b', 'c', 'd']) await queue.send(aJob(key), { messageId: `${key}-${i}` });
    }
    await queue.whenIdle();

    expect(maxPerMailbox).toBe(1);
    expect(maxOverall).toBe(3);
    expect(order).toEqual(['a-0', 'a-1', 'a-2', 'a-3', 'a-4']);
  });

  it('when a mailbox is busy, then other mailboxes are not held up behind it', async () => {
    const queue = new InProcessJobQueue({ maxConcurrentSessions: 2 });
    const slow = gate();
    const done: string[] = [];
    queue.start(async (job) => {
      if (job.mailboxKey === 'slow') await slow.promise;
      done.push(job.mailboxKey);
    });

    await queue.send(aJob('slow'), { messageId: 's1' });
    await queue.send(aJob('slow'), { messageId: 's2' });
    await queue.send(aJob('fast'), { messageId: 'f1' });
    await queue.send(aJob('fast'), { messageId: 'f2' });
    await tick();

    expect(done).toEqual(['fast', 'fast']);
    slow.open();
    await queue.whenIdle();
    expect(done).toEqual(['fast', 'fast', 'slow', 'slow']);
  });

  it('when the same message id is sent again within the window, then it is dropped; after the window, it is delivered', async () => {
    const clock = new ManualClock();
    const queue = new InProcessJobQueue({ clock, duplicateDetectionWindowMs: 60_000 });
    const delivered: string[] = [];
    queue.start(async (_job, { messageId }) => {
      delivered.push(messageId);
    });

    await queue.send(aJob('a'), { messageId: 'notification:a:1' });
    await queue.whenIdle();
    clock.advance(59_999);
    await queue.send(aJob('a'), { messageId: 'notification:a:1' });
    await queue.sendMany([{ job: aJob('a'), messageId: 'notification:a:1' }]);
    await queue.whenIdle();
    clock.advance(1);
    await queue.send(aJob('a'), { messageId: 'notification:a:1' });
    await queue.whenIdle();

    expect(delivered).toEqual(['notification:a:1', 'notification:a:1']);
  });

  it('when jobs are scheduled, then none is delivered early and they come in due order, not send order', async () => {
    const clock = new ManualClock();
    const queue = new InProcessJobQueue({ clock });
    const delivered: string[] = [];
    queue.start(async (_job, { messageId }) => {
      delivered.push(`${messageId}@${clock.now() - Date.parse('2026-11-25T08:00:00Z')}`);
    });

    await queue.send(aJob('a'), { messageId: 'late', scheduledAt: new Date(clock.now() + 3000) });
    await queue.send(aJob('b'), { messageId: 'early', scheduledAt: new Date(clock.now() + 1000) });
    await queue.send(aJob('a'), { messageId: 'now' });
    await queue.whenIdle({ horizonMs: 0 });
    expect(delivered).toEqual(['now@0']);

    clock.advance(999);
    await queue.whenIdle({ horizonMs: 0 });
    expect(delivered).toEqual(['now@0']);

    clock.advance(5000);
    await queue.whenIdle();
    expect(delivered).toEqual(['now@0', 'early@1000', 'late@3000']);
  });

  it('when a scheduled job is due soon, then whenIdle waits for it on the real clock', async () => {
    const queue = new InProcessJobQueue({ idleHorizonMs: 1000 });
    const delivered: string[] = [];
    queue.start(async (_job, { messageId }) => {
      delivered.push(messageId);
    });

    await queue.send(aJob('a'), { messageId: 'retry', scheduledAt: new Date(Date.now() + 30) });
    await queue.whenIdle();

    expect(delivered).toEqual(['retry']);
  });

  it('when the handler throws, then the message is delivered again with a growing count, and after maxDeliveryCount it is dead-lettered with the reason', async () => {
    const queue = new InProcessJobQueue({ maxDeliveryCount: 3 });
    const counts: number[] = [];
    queue.start(async (_job, { deliveryCount }) => {
      counts.push(deliveryCount);
      throw new Error('CMG is down');
    });

    await queue.send(aJob('a'), { messageId: 'm1' });
    await queue.whenIdle();

    expect(counts).toEqual([1, 2, 3]);
    expect(queue.deadLettered()).toEqual([
      { job: aJob('a'), messageId: 'm1', deliveryCount: 3, reason: 'MaxDeliveryCountExceeded', description: 'CMG is down' },
    ]);
  });

  it('when the handler fails once, then the redelivery succeeds and later jobs of the mailbox wait for it', async () => {
    const queue = new InProcessJobQueue();
    const seen: string[] = [];
    queue.start(async (_job, { messageId, deliveryCount }) => {
      seen.push(`${messageId}#${deliveryCount}`);
      if (messageId === 'first' && deliveryCount === 1) throw new Error('transient');
    });

    await queue.send(aJob('a'), { messageId: 'first' });
    await queue.send(aJob('a'), { messageId: 'second' });
    await queue.whenIdle();

    expect(seen).toEqual(['first#1', 'first#2', 'second#1']);
    expect(queue.deadLettered()).toEqual([]);
  });

  it('when the handler dead-letters explicitly, then the message is not delivered again and carries the reason', async () => {
    const queue = new InProcessJobQueue();
    let deliveries = 0;
    let settledLater: JobDelivery | undefined;
    queue.start(async (_job, delivery) => {
      deliveries++;
      settledLater = delivery;
      await delivery.deadLetter('mailbox-not-found', 'unknown CMG user');
    });

    await queue.send(aJob('gone'), { messageId: 'm1' });
    await queue.whenIdle();

    expect(deliveries).toBe(1);
    expect(queue.deadLettered()).toMatchObject([{ messageId: 'm1', reason: 'mailbox-not-found', description: 'unknown CMG user', deliveryCount: 1 }]);
    await expect(settledLater!.deadLetter('again')).rejects.toThrow(/already settled/);
  });

  it('when a handler changes the job it received, then a redelivery still gets the job as sent', async () => {
    const queue = new InProcessJobQueue();
    const fullFlags: boolean[] = [];
    queue.start(async (job, { deliveryCount }) => {
      fullFlags.push(job.full);
      (job as { full: boolean }).full = true;
      if (deliveryCount === 1) throw new Error('again');
    });

    await queue.send(aJob('a'), { messageId: 'm1' });
    await queue.whenIdle();

    expect(fullFlags).toEqual([false, false]);
  });

  it('when a job is invalid, then send rejects with a permanent invalid-message error and nothing is queued', async () => {
    const queue = new InProcessJobQueue();

    await expect(queue.send(aJob('', { reason: 'whim' as never }), { messageId: 'x' })).rejects.toMatchObject({
      kind: 'permanent',
      code: 'invalid-message',
    });
    await expect(queue.whenIdle({ horizonMs: 0 })).resolves.toBeUndefined();
  });

  it('when jobs are sent before start, then whenIdle waits until they have been handled after start', async () => {
    const queue = new InProcessJobQueue();
    const handled: string[] = [];
    await queue.send(aJob('a'), { messageId: 'early' });
    let idle = false;
    const idleNow = queue.whenIdle().then(() => (idle = true));
    await tick();
    expect(idle).toBe(false);

    queue.start(async (_job, { messageId }) => {
      handled.push(messageId);
    });
    await idleNow;

    expect(handled).toEqual(['early']);
  });

  it('when stopped mid-job, then stop waits for the running job and nothing further is delivered until started again', async () => {
    const queue = new InProcessJobQueue();
    const holding = gate();
    const handled: string[] = [];
    const handler = async (_job: MailboxJob, { messageId }: JobDelivery) => {
      if (messageId === 'one') await holding.promise;
      handled.push(messageId);
    };
    queue.start(handler);
    await queue.send(aJob('a'), { messageId: 'one' });
    await queue.send(aJob('a'), { messageId: 'two' });
    await tick();

    let stopped = false;
    const stopping = queue.stop().then(() => (stopped = true));
    await tick();
    expect(stopped).toBe(false);
    holding.open();
    await stopping;
    expect(handled).toEqual(['one']);

    queue.start(handler);
    await queue.whenIdle();
    expect(handled).toEqual(['one', 'two']);
  });
});
