/**
 * A clock that moves only when a test says so: scheduled delivery, backoff and duplicate
 * windows are tested in milliseconds of real time.
 */
import type { Clock } from '../../shared/clock/clock.js';

export class ManualClock implements Clock {
  private timers: { at: number; order: number; callback: () => void }[] = [];
  private order = 0;

  constructor(private current: number = Date.parse('2026-11-25T08:00:00Z')) {}

  now(): number {
    return this.current;
  }

  schedule(ms: number, callback: () => void): () => void {
    const timer = { at: this.current + ms, order: this.order++, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Moves time forward, firing due timers in time order, each at its own instant. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.callback();
    }
    this.current = target;
  }

  get date(): Date {
    return new Date(this.current);
  }
}
