/**
 * Exchange Online's concurrency limit: at most 4 requests of one app in flight per mailbox
 * (https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits). The fifth is
 * answered 429 `ApplicationThrottled`, "Application is over its MailboxConcurrency limit."
 * (alcionai/corso #3695, magodo/terraform-provider-outlook #21: 4 at once are clean, 5 are
 * refused), with a Retry-After. A request holds its slot for its whole time in flight,
 * emulated latency included. One app per emulator in practice, so slots count per mailbox.
 */
import type { EmulatorResponse } from '../emulator-server.js';
import type { GraphEmulatorState } from './graph-emulator-state.js';
import { graphError } from './graph-wire.js';

export const MAILBOX_CONCURRENCY = 4;

/** `/v1.0/users/{user}/…`: a request that reaches into a mailbox (the user object alone does not). */
const MAILBOX_PATH = /^\/v1\.0\/users\/([^/]+)\/./;

export class MailboxSlots {
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly state: GraphEmulatorState,
    private readonly retryAfter: string,
  ) {}

  /** Takes a slot of the mailbox the path addresses, or refuses; undefined for paths outside a mailbox. */
  admit(path: string): { refuse: EmulatorResponse } | { release: () => void } | undefined {
    const key = MAILBOX_PATH.exec(path)?.[1];
    const user = key ? this.state.findUser(key) : undefined;
    if (!user) return undefined;
    if ((this.inFlight.get(user.id) ?? 0) >= MAILBOX_CONCURRENCY) {
      return { refuse: graphError(429, 'ApplicationThrottled', 'Application is over its MailboxConcurrency limit.', { 'retry-after': this.retryAfter }) };
    }
    return { release: this.hold(user.id, 1) };
  }

  /** Counts `count` requests in flight on the mailbox until the returned function is called (once). */
  hold(userId: string, count: number): () => void {
    this.inFlight.set(userId, (this.inFlight.get(userId) ?? 0) + count);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inFlight.get(userId) ?? count) - count;
      if (left > 0) this.inFlight.set(userId, left);
      else this.inFlight.delete(userId);
    };
  }
}
