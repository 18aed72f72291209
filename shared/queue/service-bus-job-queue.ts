/**
 * JobQueue on Azure Service Bus: one message per job, the session (= mailbox key) serialising
 * jobs of a mailbox, the message id feeding duplicate detection.
 */
import { requireValidJob } from './mailbox-job.js';
import { TRACEPARENT_PROPERTY } from '../observability/trace-context.js';
import type { ServiceBusMessage, ServiceBusSender } from '@azure/service-bus';
import type { JobQueue, OutgoingJob, SendOptions } from './job-queue.js';
import type { MailboxJob } from './mailbox-job.js';

/** The part of a ServiceBusSender used here (tests pass a recording one). */
export type JobSender = Pick<ServiceBusSender, 'sendMessages' | 'createMessageBatch' | 'close'>;

export function toServiceBusMessage(outgoing: OutgoingJob): ServiceBusMessage {
  const job = requireValidJob(outgoing.job);
  return {
    body: job,
    contentType: 'application/json',
    messageId: outgoing.messageId,
    sessionId: job.mailboxKey,
    // Shown by Service Bus Explorer; lets an operator see why a job exists without the body.
    subject: job.reason,
    ...(outgoing.scheduledAt === undefined ? {} : { scheduledEnqueueTimeUtc: outgoing.scheduledAt }),
    ...(outgoing.traceparent === undefined ? {} : { applicationProperties: { [TRACEPARENT_PROPERTY]: outgoing.traceparent } }),
  };
}

export class ServiceBusJobQueue implements JobQueue {
  constructor(
    private readonly sender: JobSender,
    private readonly closeConnection: () => Promise<void> = () => sender.close(),
  ) {}

  async send(job: MailboxJob, options: SendOptions): Promise<void> {
    await this.sender.sendMessages(toServiceBusMessage({ job, ...options }));
  }

  /**
   * Packs messages into as few batches as the size limit allows. Messages of different
   * sessions share a batch, which Service Bus accepts on non-partitioned queues (infra creates
   * `mailbox-sync` without partitioning).
   */
  async sendMany(jobs: readonly OutgoingJob[]): Promise<void> {
    const messages = jobs.map(toServiceBusMessage);
    let batch = await this.sender.createMessageBatch();
    for (const message of messages) {
      if (batch.tryAddMessage(message)) continue;
      if (batch.count === 0) throw new RangeError(`message ${message.messageId} is larger than a batch can hold`);
      await this.sender.sendMessages(batch);
      batch = await this.sender.createMessageBatch();
      if (!batch.tryAddMessage(message)) throw new RangeError(`message ${message.messageId} is larger than a batch can hold`);
    }
    if (batch.count > 0) await this.sender.sendMessages(batch);
  }

  close(): Promise<void> {
    return this.closeConnection();
  }
}
