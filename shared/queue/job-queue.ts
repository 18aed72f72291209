/** Where `mailbox-sync` jobs are sent: Service Bus in Azure, in-process in the dev host and tests. */
import type { MailboxJob } from './mailbox-job.js';

export interface SendOptions {
  /** Decides duplicate detection (message-id.ts). */
  readonly messageId: string;
  /** Deliver no earlier than this instant. */
  readonly scheduledAt?: Date | undefined;
  /** W3C trace context of the sender's span (trace-context.ts), so the job continues its trace. */
  readonly traceparent?: string | undefined;
}

export interface OutgoingJob extends SendOptions {
  readonly job: MailboxJob;
}

export interface JobQueue {
  send(job: MailboxJob, options: SendOptions): Promise<void>;
  /** Fan-out (dispatch): many jobs in as few requests as the queue allows. */
  sendMany(jobs: readonly OutgoingJob[]): Promise<void>;
}

/** What a receiver knows about the message it is handling. */
export interface JobDelivery {
  readonly messageId: string;
  /** 1 on the first delivery; grows with each abandon. */
  readonly deliveryCount: number;
  /** The checked trace context the message carried, if any. */
  readonly traceparent?: string | undefined;
  /** Settles the message into the dead-letter queue instead of completing it. */
  deadLetter(reason: string, description?: string): Promise<void>;
}

/** Resolves: the message is completed. Throws: it is abandoned and delivered again. */
export type JobHandler = (job: MailboxJob, delivery: JobDelivery) => Promise<void>;
