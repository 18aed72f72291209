/**
 * The DeadLetters table: jobs given up on, each with its reason, where an operator sees them
 * (admin API `reports/dead-letters`). The queue trigger completes such a message and keeps
 * this record instead of moving it to Service Bus's dead-letter queue (functions/mailbox-sync.ts says why).
 */

export interface DeadLetter {
  /** The Service Bus message id. */
  readonly messageId: string;
  /** The mailbox the job was for; undefined when the body could not be read. */
  readonly mailboxKey: string | undefined;
  /** Short, machine-readable: `invalid-message`, `attempts-exhausted`. */
  readonly reason: string;
  /** What went wrong, for a person; never a secret or an appointment's text. */
  readonly description: string;
  readonly deliveryCount: number;
  /** ISO instant. */
  readonly at: string;
}

export interface DeadLetterRepository {
  add(deadLetter: DeadLetter): Promise<void>;
  /** The newest first, at most `limit` (default 100). */
  list(limit?: number): Promise<DeadLetter[]>;
}
