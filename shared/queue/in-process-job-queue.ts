/**
 * JobQueue for the dev host and tests, with the Service Bus behaviour the sync relies on
 * (no emulator runs here without Docker):
 * - sessions: jobs of one mailbox run one at a time, in order; different mailboxes run
 *   concurrently up to `maxConcurrentSessions`;
 * - duplicate detection: a message id seen within the window is dropped at send;
 * - scheduled delivery; a delivery count that grows with each abandon;
 * - a throwing handler abandons the message, which is delivered again until
 *   `maxDeliveryCount`, then dead-lettered (`MaxDeliveryCountExceeded`), as Service Bus does;
 * - explicit dead-lettering from the handler;
 * - the trace context travels as the `traceparent` application property, checked on delivery.
 */
import { requireValidJob } from './mailbox-job.js';
import { systemClock, type Clock } from '../clock/clock.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import { readTraceparent, TRACEPARENT_PROPERTY } from '../observability/trace-context.js';
import type { JobHandler, JobQueue, OutgoingJob, SendOptions } from './job-queue.js';
import type { MailboxJob } from './mailbox-job.js';

export interface InProcessJobQueueOptions {
  /** Mailboxes handled at once (host.json `maxConcurrentSessions`). Default 8. */
  readonly maxConcurrentSessions?: number;
  /** Deliveries before a failing message is dead-lettered. Default 10, as Service Bus. */
  readonly maxDeliveryCount?: number;
  /** How long a message id is remembered. Default 10 minutes, as Service Bus. */
  readonly duplicateDetectionWindowMs?: number;
  /** `whenIdle` also waits for messages scheduled within this horizon. Default 10 seconds. */
  readonly idleHorizonMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export interface DeadLetteredJob {
  readonly job: MailboxJob;
  readonly messageId: string;
  readonly deliveryCount: number;
  readonly reason: string;
  readonly description: string | undefined;
}

interface Message {
  readonly job: MailboxJob;
  readonly messageId: string;
  readonly availableAt: number;
  readonly sequence: number;
  /** As Service Bus carries it: an application property, read back through its check. */
  readonly applicationProperties: Readonly<Record<string, string>>;
  deliveryCount: number;
}

export class InProcessJobQueue implements JobQueue {
  private readonly maxConcurrentSessions: number;
  private readonly maxDeliveryCount: number;
  private readonly duplicateWindowMs: number;
  private readonly idleHorizonMs: number;
  private readonly clock: Clock;
  private readonly logger: Logger;

  /** Messages not yet due, by due time then send order. */
  private scheduled: Message[] = [];
  /** Due messages per session, in order; the map's order is the round-robin order. */
  private readonly sessions = new Map<string, Message[]>();
  private readonly activeSessions = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  /** Message id → when it was first sent; insertion order is time order. */
  private readonly seen = new Map<string, number>();
  private readonly deadLetters: DeadLetteredJob[] = [];
  private idleWaiters: { horizonMs: number; resolve: () => void }[] = [];
  private handler: JobHandler | undefined;
  private cancelTimer: (() => void) | undefined;
  private timerAt: number | undefined;
  private sequence = 0;

  constructor(options: InProcessJobQueueOptions = {}) {
    this.maxConcurrentSessions = options.maxConcurrentSessions ?? 8;
    this.maxDeliveryCount = options.maxDeliveryCount ?? 10;
    this.duplicateWindowMs = options.duplicateDetectionWindowMs ?? 10 * 60_000;
    this.idleHorizonMs = options.idleHorizonMs ?? 10_000;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
  }

  async send(job: MailboxJob, options: SendOptions): Promise<void> {
    this.enqueue({ job, ...options });
    this.pump();
  }

  async sendMany(jobs: readonly OutgoingJob[]): Promise<void> {
    for (const outgoing of jobs) this.enqueue(outgoing);
    this.pump();
  }

  /** Starts delivering messages to `handler`. */
  start(handler: JobHandler): void {
    if (this.handler !== undefined) throw new Error('InProcessJobQueue already started');
    this.handler = handler;
    this.armTimer();
    this.pump();
  }

  /** Stops delivering and waits for the handlers running now; undelivered messages stay. */
  async stop(): Promise<void> {
    this.handler = undefined;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerAt = undefined;
    await Promise.all(this.running);
  }

  /**
   * Resolves once nothing is due, running, or scheduled within `horizonMs` (default: the
   * queue's `idleHorizonMs`). Waits for `start` if messages are queued before it. With a
   * hand-driven clock, advance it past scheduled messages or pass `horizonMs: 0`.
   */
  whenIdle(options: { horizonMs?: number } = {}): Promise<void> {
    const horizonMs = options.horizonMs ?? this.idleHorizonMs;
    if (this.isIdle(horizonMs)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push({ horizonMs, resolve }));
  }

  /** Messages dead-lettered so far, oldest first. */
  deadLettered(): readonly DeadLetteredJob[] {
    return [...this.deadLetters];
  }

  private enqueue(outgoing: OutgoingJob): void {
    const job = requireValidJob(outgoing.job);
    const now = this.clock.now();
    this.forgetOldIds(now);
    if (this.seen.has(outgoing.messageId)) {
      this.logger.debug('queue.duplicate-dropped', { mailbox: job.mailboxKey, messageId: outgoing.messageId });
      return;
    }
    this.seen.set(outgoing.messageId, now);
    const message: Message = {
      job: structuredClone(job),
      messageId: outgoing.messageId,
      availableAt: Math.max(now, outgoing.scheduledAt?.getTime() ?? now),
      sequence: this.sequence++,
      applicationProperties: outgoing.traceparent === undefined ? {} : { [TRACEPARENT_PROPERTY]: outgoing.traceparent },
      deliveryCount: 0,
    };
    if (message.availableAt > now) {
      this.scheduled.push(message);
      this.scheduled.sort((a, b) => a.availableAt - b.availableAt || a.sequence - b.sequence);
      this.armTimer();
    } else {
      this.makeAvailable(message);
    }
  }

  private forgetOldIds(now: number): void {
    for (const [id, sentAt] of this.seen) {
      if (now - sentAt < this.duplicateWindowMs) break;
      this.seen.delete(id);
    }
  }

  private makeAvailable(message: Message): void {
    const queue = this.sessions.get(message.job.mailboxKey);
    if (queue) queue.push(message);
    else this.sessions.set(message.job.mailboxKey, [message]);
  }

  private promoteDue(): void {
    const now = this.clock.now();
    const due = this.scheduled.filter((m) => m.availableAt <= now);
    if (due.length === 0) return;
    this.scheduled = this.scheduled.filter((m) => m.availableAt > now);
    for (const message of due) this.makeAvailable(message);
  }

  private armTimer(): void {
    const next = this.scheduled[0]?.availableAt;
    if (next === this.timerAt) return;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerAt = next;
    if (next === undefined) return;
    this.cancelTimer = this.clock.schedule(Math.max(0, next - this.clock.now()), () => {
      this.cancelTimer = undefined;
      this.timerAt = undefined;
      this.promoteDue();
      this.armTimer();
      this.pump();
    });
  }

  private pump(): void {
    this.promoteDue();
    if (this.handler !== undefined) {
      for (const [sessionId, queue] of this.sessions) {
        if (this.activeSessions.size >= this.maxConcurrentSessions) break;
        if (this.activeSessions.has(sessionId) || queue.length === 0) continue;
        this.activeSessions.add(sessionId);
        const delivery = this.deliver(sessionId, queue, this.handler).finally(() => {
          this.running.delete(delivery);
          this.activeSessions.delete(sessionId);
          // Round robin: a session that still has messages goes to the back of the line.
          this.sessions.delete(sessionId);
          if (queue.length > 0) this.sessions.set(sessionId, queue);
          this.pump();
        });
        this.running.add(delivery);
      }
    }
    this.notifyIdle();
  }

  /** Delivers the head of the session's queue; removes it unless the handler abandoned it. */
  private async deliver(sessionId: string, queue: Message[], handler: JobHandler): Promise<void> {
    const message = queue[0]!;
    message.deliveryCount += 1;
    const deliveryCount = message.deliveryCount;
    let deadLettered: { reason: string; description: string | undefined } | undefined;
    let settled = false;
    const log = this.logger.child({ mailbox: sessionId, messageId: message.messageId, deliveryCount });
    try {
      await handler(structuredClone(message.job), {
        messageId: message.messageId,
        deliveryCount,
        traceparent: readTraceparent(message.applicationProperties),
        deadLetter: async (reason, description) => {
          if (settled || deadLettered) throw new Error(`message ${message.messageId} is already settled`);
          deadLettered = { reason, description };
        },
      });
    } catch (error) {
      if (deadLettered === undefined && deliveryCount < this.maxDeliveryCount) {
        log.warn('queue.abandoned', { error });
        return;
      }
      deadLettered ??= {
        reason: 'MaxDeliveryCountExceeded',
        description: error instanceof Error ? error.message : String(error),
      };
    } finally {
      settled = true;
    }
    queue.shift();
    if (deadLettered !== undefined) {
      log.error('queue.dead-lettered', { reason: deadLettered.reason, description: deadLettered.description });
      this.deadLetters.push({ job: message.job, messageId: message.messageId, deliveryCount, ...deadLettered });
    }
  }

  private isIdle(horizonMs: number): boolean {
    if (this.activeSessions.size > 0) return false;
    for (const queue of this.sessions.values()) if (queue.length > 0) return false;
    const next = this.scheduled[0]?.availableAt;
    return next === undefined || next > this.clock.now() + horizonMs;
  }

  private notifyIdle(): void {
    if (this.idleWaiters.length === 0) return;
    const waiting = this.idleWaiters;
    this.idleWaiters = waiting.filter((waiter) => !this.isIdle(waiter.horizonMs));
    for (const waiter of waiting) if (!this.idleWaiters.includes(waiter)) waiter.resolve();
  }
}
