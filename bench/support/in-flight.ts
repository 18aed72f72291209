/**
 * How many HTTP requests this process has open to one destination, over time: a sweep bounded
 * by CMG should keep CMG_MAX_CONCURRENCY requests open nearly all the time. Fed by Node's
 * diagnostics channels (a request starts; its answer arrives), time-weighted, so the report
 * says what share of the span each count held, not how often it was seen.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

export interface InFlightReport {
  readonly seconds: number;
  /** Time-weighted mean of the open requests. */
  readonly mean: number;
  /** Share of the span (0–1) with at least `atLeast` requests open. */
  readonly shareAtLeast: number;
  readonly atLeast: number;
  /** Share of the span with no request open. */
  readonly shareIdle: number;
  /** Requests that ended in the span. */
  readonly ended: number;
  /** Mean time a request was open, ms (Little's law: mean open × span / requests ended). */
  readonly meanRequestMs: number;
}

export class InFlightGauge {
  private open = 0;
  private since = performance.now();
  private started = this.since;
  /** Milliseconds spent at each count of open requests. */
  private readonly timeAt: number[] = [];
  private readonly requests = new WeakSet<ClientRequest>();
  private ended = 0;

  private readonly onStart = (message: unknown): void => {
    const request = (message as { request: ClientRequest }).request;
    if (!this.matches(request)) return;
    this.requests.add(request);
    this.move(+1);
    // An error ends a request without an answer.
    request.once('close', () => this.settle(request));
  };

  private readonly onAnswer = (message: unknown): void => {
    this.settle((message as { request: ClientRequest }).request);
  };

  constructor(private readonly port: string) {
    subscribe('http.client.request.start', this.onStart);
    subscribe('http.client.response.finish', this.onAnswer);
  }

  private matches(request: ClientRequest): boolean {
    return /:(\d+)$/.exec(String(request.getHeader('host') ?? ''))?.[1] === this.port;
  }

  private settle(request: ClientRequest): void {
    if (!this.requests.has(request)) return;
    this.requests.delete(request);
    this.ended += 1;
    this.move(-1);
  }

  private move(delta: number): void {
    const now = performance.now();
    this.timeAt[this.open] = (this.timeAt[this.open] ?? 0) + (now - this.since);
    this.since = now;
    this.open += delta;
  }

  /** Starts a new span (requests open now stay counted). */
  reset(): void {
    this.timeAt.length = 0;
    this.since = performance.now();
    this.started = this.since;
    this.ended = 0;
  }

  report(atLeast: number): InFlightReport {
    this.move(0);
    const total = performance.now() - this.started;
    const at = (n: number): number => this.timeAt[n] ?? 0;
    let weighted = 0;
    let high = 0;
    this.timeAt.forEach((ms, n) => {
      weighted += (ms ?? 0) * n;
      if (n >= atLeast) high += ms ?? 0;
    });
    return {
      seconds: total / 1000,
      mean: total > 0 ? weighted / total : 0,
      shareAtLeast: total > 0 ? high / total : 0,
      atLeast,
      shareIdle: total > 0 ? at(0) / total : 0,
      ended: this.ended,
      meanRequestMs: this.ended > 0 ? weighted / this.ended : 0,
    };
  }

  close(): void {
    unsubscribe('http.client.request.start', this.onStart);
    unsubscribe('http.client.response.finish', this.onAnswer);
  }
}
