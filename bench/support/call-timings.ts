/**
 * Where a job's time goes: wraps the async methods of the product's dependencies (CMG client,
 * Table Storage repositories, providers) in place with timers, so a sweep can print the
 * latency of each kind of call as the job saw it — queueing for a socket or a concurrency slot
 * included. Summed times overlap (calls run concurrently); compare per-call percentiles.
 */
import type { SyncDeps } from '../../shared/sync/sync-deps.js';
import { LatencyHistogram } from './latency-histogram.js';

export class CallTimings {
  /** By call kind; a histogram each, so a sweep of any size keeps the same few kilobytes. */
  private readonly timings = new Map<string, LatencyHistogram>();

  record(name: string, ms: number): void {
    let histogram = this.timings.get(name);
    if (!histogram) this.timings.set(name, (histogram = new LatencyHistogram()));
    histogram.record(ms);
  }

  reset(): void {
    this.timings.clear();
  }

  /** One line per call kind, the most total time first; percentiles within the histogram's precision. */
  lines(limit = 12): string[] {
    return [...this.timings]
      .sort(([, a], [, b]) => b.sum - a.sum)
      .slice(0, limit)
      .map(
        ([name, h]) =>
          `${name.padEnd(34)} ${String(h.count).padStart(6)} calls, p50 ${h.percentile(50).toFixed(1).padStart(6)} ms, p95 ${h.percentile(95).toFixed(1).padStart(6)} ms, sum ${(h.sum / 1000).toFixed(1).padStart(6)} s`,
      );
  }
}

/** Replaces every promise-returning method of `target` (own or inherited) with a timed one. */
function instrument(target: object, prefix: string, timings: CallTimings): void {
  const names = new Set<string>();
  for (let o: object | null = target; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const name of Object.getOwnPropertyNames(o)) if (name !== 'constructor') names.add(name);
  }
  const record = target as Record<string, unknown>;
  for (const name of names) {
    const original = record[name];
    if (typeof original !== 'function') continue;
    record[name] = function timed(this: unknown, ...args: unknown[]): unknown {
      const started = performance.now();
      const result: unknown = Reflect.apply(original, target, args);
      if (result instanceof Promise) {
        return result.finally(() => timings.record(`${prefix}.${name}`, performance.now() - started));
      }
      return result;
    };
  }
}

/** Instruments the CMG client, the four repositories and every provider of `deps`. */
export function instrumentDeps(deps: SyncDeps, timings: CallTimings): void {
  instrument(deps.cmg, 'cmg', timings);
  for (const [name, repository] of Object.entries(deps.store)) instrument(repository as object, `tables.${name}`, timings);
  for (const provider of deps.providers.all()) instrument(provider, `provider.${provider.kind}`, timings);
}
