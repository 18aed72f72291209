/**
 * Push subscriptions as Exchange runs them: Subscribe with PushSubscriptionRequest registers a
 * callback URL; Exchange POSTs SendNotification envelopes to it (a StatusEvent every
 * StatusFrequency minutes when nothing happened), reads SendNotificationResult/SubscriptionStatus
 * (OK, or Unsubscribe to end the subscription), and when the callback does not answer retries after
 * 30 s, then doubles the wait, giving up once the wait would exceed StatusFrequency
 * (MS:statusfrequency.md, its retry table; MS:sendnotificationresult.md). Waits run on a Clock, so a
 * test moves time by hand; `timeScale` shortens them for the dev host.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Clock } from '../../../shared/clock/clock.js';
import { child, readRequest, text } from './ews-request-reader.js';
import { escapeXml, MESSAGES_NS, SOAP_NS, TYPES_NS, type EwsPrefixes } from './ews-soap-writer.js';
import type { ChangeRecord, ChangeType, Mailbox } from './ews-mailbox-store.js';

export type EventTypeName = 'CreatedEvent' | 'ModifiedEvent' | 'DeletedEvent' | 'MovedEvent' | 'CopiedEvent' | 'NewMailEvent' | 'FreeBusyChangedEvent';

const EVENT_OF_CHANGE: Record<ChangeType, EventTypeName> = { create: 'CreatedEvent', update: 'ModifiedEvent', delete: 'DeletedEvent' };
const FIRST_RETRY_MS = 30_000;
// Events per SendNotification; MoreEvents says more follow.
const EVENTS_PER_NOTIFICATION = 50;

export interface PushEvent {
  readonly type: EventTypeName;
  readonly seq: number;
  readonly atMs: number;
  readonly itemId: string;
  readonly changeKey: string;
}

export interface PushSubscription {
  readonly id: string;
  readonly mailbox: string;
  readonly url: string;
  readonly statusFrequencyMinutes: number;
  readonly eventTypes: ReadonlySet<string>;
  readonly calendarFolderId: string;
  /** The watermark the next notification names as PreviousWatermark. */
  previousSeq: number;
  readonly pending: PushEvent[];
  state: 'active' | 'ended';
  endedBecause: 'callback-unsubscribed' | 'unsubscribed' | 'retries-exhausted' | undefined;
  /** Consecutive failed deliveries. */
  failures: number;
  inFlight: boolean;
  cancelTimer: (() => void) | undefined;
}

export interface NotificationDelivery {
  /** When the POST started (for push latency: from here to the product's acknowledgement). */
  readonly sentAtMs: number;
  /** When the callback answered or failed. */
  readonly atMs: number;
  readonly subscriptionId: string;
  readonly mailbox: string;
  readonly kind: 'status' | 'events';
  readonly events: number;
  /** 0 for the first try, n for the n-th retry. */
  readonly retry: number;
  /** The callback's HTTP status; 0 when it could not be reached. */
  readonly status: number;
  readonly result: 'OK' | 'Unsubscribe' | 'failed';
}

export interface PushOptions {
  readonly clock: Clock;
  /** Multiplies every wait (StatusFrequency, retries): 0.001 makes a minute 60 ms. */
  readonly timeScale: number;
  readonly deliveryTimeoutMs: number;
  /** RequestServerVersion written in the notification's header. */
  readonly serverVersionName: string;
  /** The same choice of prefixes as the service's answers. */
  readonly prefixes: EwsPrefixes;
}

/** Watermarks are opaque base64 to the client; this one carries the mailbox's hash and a log position. */
export function watermarkOf(mailbox: string, seq: number): string {
  const buffer = Buffer.alloc(24);
  buffer.writeUInt32LE(1, 0);
  createHash('sha256').update(mailbox).digest().copy(buffer, 4, 0, 12);
  buffer.writeBigUInt64LE(BigInt(seq), 16);
  return buffer.toString('base64');
}

export function seqOfWatermark(mailbox: string, watermark: string): number | undefined {
  const buffer = Buffer.from(watermark, 'base64');
  if (buffer.length !== 24 || buffer.readUInt32LE(0) !== 1) return undefined;
  if (!createHash('sha256').update(mailbox).digest().subarray(0, 12).equals(buffer.subarray(4, 16))) return undefined;
  return Number(buffer.readBigUInt64LE(16));
}

export class PushSubscriptions {
  readonly subscriptions = new Map<string, PushSubscription>();
  readonly deliveries: NotificationDelivery[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: PushOptions) {}

  reset(): void {
    for (const sub of this.subscriptions.values()) this.end(sub, 'unsubscribed');
    this.subscriptions.clear();
    this.deliveries.length = 0;
  }

  /** A new subscription; events after `fromSeq` (a client's watermark) are sent at once. */
  subscribe(mailbox: Mailbox, request: { url: string; statusFrequencyMinutes: number; eventTypes: readonly string[]; fromSeq: number }, backlog: readonly ChangeRecord[]): PushSubscription {
    const sub: PushSubscription = {
      id: randomUUID(),
      mailbox: mailbox.address,
      url: request.url,
      statusFrequencyMinutes: request.statusFrequencyMinutes,
      eventTypes: new Set(request.eventTypes),
      calendarFolderId: mailbox.calendarFolderId,
      previousSeq: request.fromSeq,
      pending: [],
      state: 'active',
      endedBecause: undefined,
      failures: 0,
      inFlight: false,
      cancelTimer: undefined,
    };
    this.subscriptions.set(sub.id, sub);
    for (const change of backlog) this.enqueue(sub, change);
    if (sub.pending.length > 0) this.deliver(sub);
    else this.scheduleStatus(sub);
    return sub;
  }

  unsubscribe(id: string): boolean {
    const sub = this.subscriptions.get(id);
    if (!sub || sub.state !== 'active') return false;
    this.end(sub, 'unsubscribed');
    return true;
  }

  /** A change in a mailbox: every live subscription on it that asked for that event type hears of it. */
  changed(mailbox: Mailbox, change: ChangeRecord): void {
    for (const sub of this.subscriptions.values()) {
      if (sub.state !== 'active' || sub.mailbox !== mailbox.address) continue;
      if (!this.enqueue(sub, change)) continue;
      // While a delivery is out or a retry is waiting, the event rides along with the next one.
      if (!sub.inFlight && sub.failures === 0) this.deliver(sub);
    }
  }

  /** Resolves when every delivery started so far has been answered or has failed. */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private enqueue(sub: PushSubscription, change: ChangeRecord): boolean {
    const type = EVENT_OF_CHANGE[change.type];
    if (change.seq <= sub.previousSeq || !sub.eventTypes.has(type)) return false;
    sub.pending.push({ type, seq: change.seq, atMs: change.atMs, itemId: change.itemId, changeKey: change.changeKey });
    return true;
  }

  private scheduleStatus(sub: PushSubscription): void {
    sub.cancelTimer?.();
    sub.cancelTimer = this.options.clock.schedule(this.scaled(sub.statusFrequencyMinutes * 60_000), () => {
      sub.cancelTimer = undefined;
      if (sub.state === 'active' && !sub.inFlight) this.deliver(sub);
    });
  }

  private scaled(ms: number): number {
    return Math.max(1, Math.round(ms * this.options.timeScale));
  }

  private deliver(sub: PushSubscription): void {
    sub.cancelTimer?.();
    sub.cancelTimer = undefined;
    sub.inFlight = true;
    const batch = sub.pending.slice(0, EVENTS_PER_NOTIFICATION);
    const more = sub.pending.length > batch.length;
    const body = this.notificationBody(sub, batch, more);
    const retry = sub.failures;
    const sentAtMs = this.options.clock.now();
    const delivery = (async () => {
      let status = 0;
      let result: NotificationDelivery['result'] = 'failed';
      try {
        const response = await fetch(sub.url, {
          method: 'POST',
          headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${MESSAGES_NS}/SendNotification"` },
          body,
          signal: AbortSignal.timeout(this.options.deliveryTimeoutMs),
        });
        status = response.status;
        const answer = await response.text();
        if (response.ok) result = subscriptionStatusOf(answer) ?? 'failed';
      } catch {
        status = 0;
      }
      this.deliveries.push({ sentAtMs, atMs: this.options.clock.now(), subscriptionId: sub.id, mailbox: sub.mailbox, kind: batch.length === 0 ? 'status' : 'events', events: batch.length, retry, status, result });
      sub.inFlight = false;
      if (sub.state !== 'active') return;
      if (result === 'Unsubscribe') return this.end(sub, 'callback-unsubscribed');
      if (result === 'failed') return this.retryLater(sub);
      sub.failures = 0;
      sub.pending.splice(0, batch.length);
      if (batch.length > 0) sub.previousSeq = batch[batch.length - 1]!.seq;
      if (sub.pending.length > 0) this.deliver(sub);
      else this.scheduleStatus(sub);
    })();
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  /** 30 s, 60 s, 120 s …; a wait longer than StatusFrequency is not made and the subscription dies (MS:statusfrequency.md). */
  private retryLater(sub: PushSubscription): void {
    sub.failures += 1;
    const wait = FIRST_RETRY_MS * 2 ** (sub.failures - 1);
    if (wait > sub.statusFrequencyMinutes * 60_000) return this.end(sub, 'retries-exhausted');
    sub.cancelTimer = this.options.clock.schedule(this.scaled(wait), () => {
      sub.cancelTimer = undefined;
      if (sub.state === 'active' && !sub.inFlight) this.deliver(sub);
    });
  }

  private end(sub: PushSubscription, because: NonNullable<PushSubscription['endedBecause']>): void {
    sub.cancelTimer?.();
    sub.cancelTimer = undefined;
    sub.state = 'ended';
    sub.endedBecause = because;
  }

  private notificationBody(sub: PushSubscription, batch: readonly PushEvent[], more: boolean): string {
    const { soap, messages: m, types: t } = this.options.prefixes;
    const watermark = (seq: number): string => `<${t}:Watermark>${watermarkOf(sub.mailbox, seq)}</${t}:Watermark>`;
    const events =
      batch.length === 0
        ? `<${t}:StatusEvent>${watermark(sub.previousSeq)}</${t}:StatusEvent>`
        : batch
            .map(
              (e) =>
                `<${t}:${e.type}>${watermark(e.seq)}<${t}:TimeStamp>${new Date(e.atMs).toISOString().slice(0, 19)}Z</${t}:TimeStamp>` +
                `<${t}:ItemId Id="${escapeXml(e.itemId)}" ChangeKey="${escapeXml(e.changeKey)}"/><${t}:ParentFolderId Id="${escapeXml(sub.calendarFolderId)}" ChangeKey="AgAAAA=="/></${t}:${e.type}>`,
            )
            .join('');
    return (
      `<?xml version="1.0" encoding="utf-8"?><${soap}:Envelope xmlns:${soap}="${SOAP_NS}" xmlns:${m}="${MESSAGES_NS}" xmlns:${t}="${TYPES_NS}">` +
      `<${soap}:Header><${t}:RequestServerVersion Version="${this.options.serverVersionName}"/></${soap}:Header><${soap}:Body><${m}:SendNotification>` +
      `<${m}:ResponseMessages><${m}:SendNotificationResponseMessage ResponseClass="Success"><${m}:ResponseCode>NoError</${m}:ResponseCode><${m}:Notification>` +
      `<${t}:SubscriptionId>${sub.id}</${t}:SubscriptionId><${t}:PreviousWatermark>${watermarkOf(sub.mailbox, sub.previousSeq)}</${t}:PreviousWatermark><${t}:MoreEvents>${more}</${t}:MoreEvents>${events}` +
      `</${m}:Notification></${m}:SendNotificationResponseMessage></${m}:ResponseMessages></${m}:SendNotification></${soap}:Body></${soap}:Envelope>`
    );
  }
}

/** SendNotificationResult/SubscriptionStatus of the callback's answer; undefined when it is not one. */
function subscriptionStatusOf(body: string): 'OK' | 'Unsubscribe' | undefined {
  const read = readRequest(body);
  if (read.kind !== 'request' || read.request.operation !== 'SendNotificationResult') return undefined;
  const status = text(child(read.request.body, 'SubscriptionStatus'))?.trim();
  return status === 'OK' || status === 'Unsubscribe' ? status : undefined;
}
