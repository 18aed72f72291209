/**
 * Push notification channels: what events.watch creates and channels.stop ends, and the
 * notifications POSTed to a channel's address (empty body, everything in X-Goog-* headers).
 * https://developers.google.com/calendar/api/guides/push#understanding_the_notification_message_format
 */
import { createHash } from 'node:crypto';

export interface Channel {
  readonly id: string;
  readonly resourceId: string;
  readonly resourceUri: string;
  readonly token: string | undefined;
  readonly address: string;
  readonly expiration: number;
  /** Whose calendar is watched. */
  readonly email: string;
  /** The service account (project) that created it: only it may stop it. */
  readonly clientEmail: string;
  messageNumber: number;
}

export interface NotificationRecord {
  readonly at: number;
  readonly channelId: string;
  readonly state: 'sync' | 'exists';
  readonly messageNumber: number;
  /** The receiver's HTTP status; 0 when it could not be reached. */
  readonly status: number;
}

/** Google's resource id is opaque and stable for the watched resource. */
export function resourceIdFor(email: string): string {
  return createHash('sha256').update(`calendar-events:${email}`).digest('base64url').slice(0, 27);
}

export class PushChannels {
  readonly channels = new Map<string, Channel>();
  readonly notifications: NotificationRecord[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deliveryTimeoutMs = 5_000) {}

  reset(): void {
    this.channels.clear();
    this.notifications.length = 0;
  }

  add(channel: Channel): void {
    this.channels.set(channel.id, channel);
    // "a sync message ... is sent when the channel is created" (push guide).
    this.notify(channel, 'sync');
  }

  /** One `exists` message to every live channel on the changed calendar. */
  changed(email: string, now = Date.now()): void {
    for (const channel of this.channels.values()) {
      if (channel.email === email.toLowerCase() && channel.expiration > now) this.notify(channel, 'exists');
    }
  }

  /** Resolves when every notification sent so far has been answered (or failed). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private notify(channel: Channel, state: 'sync' | 'exists'): void {
    channel.messageNumber += 1;
    const messageNumber = channel.messageNumber;
    const headers: Record<string, string> = {
      'X-Goog-Channel-ID': channel.id,
      'X-Goog-Channel-Expiration': new Date(channel.expiration).toUTCString(),
      'X-Goog-Resource-ID': channel.resourceId,
      'X-Goog-Resource-URI': channel.resourceUri,
      'X-Goog-Resource-State': state,
      'X-Goog-Message-Number': String(messageNumber),
      'Content-Length': '0',
    };
    if (channel.token !== undefined) headers['X-Goog-Channel-Token'] = channel.token;
    const delivery = (async () => {
      let status = 0;
      try {
        const response = await fetch(channel.address, { method: 'POST', headers, signal: AbortSignal.timeout(this.deliveryTimeoutMs) });
        status = response.status;
        await response.body?.cancel();
      } catch {
        status = 0;
      }
      this.notifications.push({ at: Date.now(), channelId: channel.id, state, messageNumber, status });
    })();
    this.pending.add(delivery);
    void delivery.finally(() => this.pending.delete(delivery));
  }
}
