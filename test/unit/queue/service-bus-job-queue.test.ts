import { describe, expect, it } from 'vitest';
import { ServiceBusJobQueue, type JobSender } from '../../../shared/queue/service-bus-job-queue.js';
import type { ServiceBusMessage, ServiceBusMessageBatch } from '@azure/service-bus';
import { aJob } from '../../support/mailbox-job-harness.js';

/** A sender shaped like ServiceBusSender that records what would go on the wire; batches hold `batchCapacity` messages. */
function recordingSender(batchCapacity = 1000) {
  const sent: ServiceBusMessage[][] = [];
  let closed = false;
  const sender = {
    async sendMessages(messages: ServiceBusMessage | ServiceBusMessage[] | ServiceBusMessageBatch) {
      if (Array.isArray(messages)) sent.push(messages);
      else if ('tryAddMessage' in messages) sent.push((messages as unknown as { messages: ServiceBusMessage[] }).messages);
      else sent.push([messages]);
    },
    async createMessageBatch() {
      const messages: ServiceBusMessage[] = [];
      return {
        messages,
        get count() {
          return messages.length;
        },
        tryAddMessage(message: ServiceBusMessage) {
          if (messages.length >= batchCapacity) return false;
          messages.push(message);
          return true;
        },
      } as unknown as ServiceBusMessageBatch;
    },
    async close() {
      closed = true;
    },
  } satisfies JobSender;
  return { sender, sent, isClosed: () => closed };
}

describe('ServiceBusJobQueue', () => {
  it('when a job is sent with a trace context, then the message carries it as the traceparent application property, and without one carries none', async () => {
    const { sender, sent } = recordingSender();
    const queue = new ServiceBusJobQueue(sender);
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await queue.send(aJob('a'), { messageId: 'a-1', traceparent });
    await queue.sendMany([{ job: aJob('b'), messageId: 'b-1' }]);

    expect(sent[0]![0]!.applicationProperties).toEqual({ traceparent });
    expect(sent[1]![0]!.applicationProperties).toBeUndefined();
  });

  it('when a job is sent, then the message carries the JSON body, the mailbox as session, the message id and the reason', async () => {
    const { sender, sent } = recordingSender();
    const queue = new ServiceBusJobQueue(sender);

    await queue.send(aJob('u-1', { reason: 'notification' }), { messageId: 'notification:u-1:20261125T080010Z' });

    expect(sent).toEqual([
      [
        {
          body: aJob('u-1', { reason: 'notification' }),
          contentType: 'application/json',
          messageId: 'notification:u-1:20261125T080010Z',
          sessionId: 'u-1',
          subject: 'notification',
        },
      ],
    ]);
  });

  it('when a job is scheduled, then the message carries scheduledEnqueueTimeUtc', async () => {
    const { sender, sent } = recordingSender();
    const at = new Date('2026-11-25T08:05:00Z');

    await new ServiceBusJobQueue(sender).send(aJob('u-1', { reason: 'retry' }), { messageId: 'retry:u-1:1:abc', scheduledAt: at });

    expect(sent[0]?.[0]?.scheduledEnqueueTimeUtc).toEqual(at);
  });

  it('when many jobs are fanned out, then they go in as few batches as fit, each message shaped as for send', async () => {
    const { sender, sent } = recordingSender(100);
    const jobs = Array.from({ length: 250 }, (_, i) => ({ job: aJob(`u-${i}`), messageId: `schedule:u-${i}:20261125T080000Z` }));

    await new ServiceBusJobQueue(sender).sendMany(jobs);

    expect(sent.map((batch) => batch.length)).toEqual([100, 100, 50]);
    expect(sent.flat().map((m) => [m.sessionId, m.messageId])).toEqual(jobs.map((j) => [j.job.mailboxKey, j.messageId]));
  });

  it('when fanning out nothing, then nothing is sent', async () => {
    const { sender, sent } = recordingSender();

    await new ServiceBusJobQueue(sender).sendMany([]);

    expect(sent).toEqual([]);
  });

  it('when one message cannot fit even an empty batch, then sendMany fails without sending it', async () => {
    const { sender, sent } = recordingSender(0);

    await expect(new ServiceBusJobQueue(sender).sendMany([{ job: aJob('u-1'), messageId: 'm' }])).rejects.toThrow(/larger than a batch/);
    expect(sent).toEqual([]);
  });

  it('when the job is invalid, then nothing is sent and the error is a permanent invalid-message', async () => {
    const { sender, sent } = recordingSender();

    await expect(new ServiceBusJobQueue(sender).send(aJob('u-1', { full: 'yes' as never }), { messageId: 'm' })).rejects.toMatchObject({
      code: 'invalid-message',
    });
    expect(sent).toEqual([]);
  });

  it('when closed, then the sender is closed', async () => {
    const { sender, isClosed } = recordingSender();

    await new ServiceBusJobQueue(sender).close();

    expect(isClosed()).toBe(true);
  });
});
