/**
 * Exchange Online serves at most 4 concurrent requests per app and mailbox; more are throttled
 * with 429 (https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits).
 * This gate keeps every caller of one provider under that, whatever runs in parallel
 * (a sync and a subscription renewal of the same mailbox, a `$batch` counting per sub-request).
 */
export const MAILBOX_CONCURRENCY = 4;

export class MailboxGate {
  private readonly inUse = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(private readonly limit: number = MAILBOX_CONCURRENCY) {}

  /** Runs `task` holding `weight` of the mailbox's slots (a batch of n requests weighs n). */
  async run<T>(mailbox: string, weight: number, task: () => Promise<T>): Promise<T> {
    const key = mailbox.toLowerCase();
    const need = Math.min(Math.max(1, weight), this.limit);
    while ((this.inUse.get(key) ?? 0) + need > this.limit) {
      await new Promise<void>((resolve) => {
        const queue = this.waiting.get(key) ?? [];
        queue.push(resolve);
        this.waiting.set(key, queue);
      });
    }
    this.inUse.set(key, (this.inUse.get(key) ?? 0) + need);
    try {
      return await task();
    } finally {
      const left = (this.inUse.get(key) ?? need) - need;
      if (left === 0) this.inUse.delete(key);
      else this.inUse.set(key, left);
      const queue = this.waiting.get(key);
      // Wake everyone waiting: each re-checks the slots it needs.
      if (queue) {
        this.waiting.delete(key);
        for (const wake of queue) wake();
      }
    }
  }
}
