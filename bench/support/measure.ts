/**
 * Measuring helpers shared by the benchmarks: percentiles, a resource sampler (peak RSS, CPU
 * used, event-loop delay) and a counter of outgoing HTTP requests by destination, fed by
 * Node's diagnostics channels (node:http clients such as axios and @azure/data-tables, and
 * fetch / undici). Figures are printed, never asserted: the machine is shared and noisy.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { GCProfiler } from 'node:v8';
import { LatencyHistogram } from './latency-histogram.js';

export const MB = 1024 * 1024;

/** Nearest-rank percentile of unsorted values (NaN when empty). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** p50, p95, p99 and max of every sample, or of a histogram's buckets (within its precision). */
export function summary(values: readonly number[] | LatencyHistogram, unit = 'ms', digits = 0): string {
  const n = values instanceof LatencyHistogram ? values.count : values.length;
  if (n === 0) return 'no samples';
  const at = (p: number): number => (values instanceof LatencyHistogram ? values.percentile(p) : percentile(values, p));
  const f = (v: number): string => `${v.toFixed(digits)} ${unit}`;
  return `p50 ${f(at(50))}, p95 ${f(at(95))}, p99 ${f(at(99))}, max ${f(at(100))} (n=${n})`;
}

export function machineLine(): string {
  const [one, five, fifteen] = loadavg().map((v) => v.toFixed(2));
  return `load average ${one} / ${five} / ${fifteen} on ${cpus().length} cores`;
}

export interface ResourceReport {
  readonly seconds: number;
  readonly peakRssMb: number;
  /**
   * V8's heap, MB: the most in use at a sample, and the most left in use by a full (mark-compact)
   * collection, which is what the process kept live (undefined: no full collection in the span).
   * The difference is garbage: V8 lets the heap grow to a few times its live size between full
   * collections.
   */
  readonly heapMb: { readonly inUse: number; readonly liveAfterFullGc: number | undefined };
  /** CPU time of this process over the wall time: 1.0 = one core busy throughout. */
  readonly coresUsed: number;
  /** CPU time of this process (user + system) over the span, s. */
  readonly cpuSeconds: number;
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
}

/**
 * Samples RSS and heap in use every `everyMs` between start and stop, and the heap each full
 * collection leaves; CPU and event-loop delay over the same span. The GC profiler is read and
 * restarted at every sample, so it holds a few entries, not a sweep's thousands.
 */
export function startResourceSampler(everyMs = 100): { stop(): ResourceReport } {
  const started = performance.now();
  const cpu = process.cpuUsage();
  let peak = process.memoryUsage.rss();
  let inUse = 0;
  let live: number | undefined;
  const collections = new GCProfiler();
  collections.start();
  const sample = (): void => {
    const { rss, heapUsed } = process.memoryUsage();
    peak = Math.max(peak, rss);
    inUse = Math.max(inUse, heapUsed);
    for (const gc of collections.stop()?.statistics ?? []) {
      if (gc.gcType === 'MarkSweepCompact') live = Math.max(live ?? 0, gc.afterGC.heapStatistics.usedHeapSize);
    }
  };
  const timer = setInterval(() => {
    sample();
    collections.start();
  }, everyMs);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  return {
    stop() {
      clearInterval(timer);
      loop.disable();
      sample();
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      return {
        seconds,
        peakRssMb: peak / MB,
        heapMb: { inUse: inUse / MB, liveAfterFullGc: live === undefined ? undefined : live / MB },
        coresUsed: (used.user + used.system) / 1e6 / seconds,
        cpuSeconds: (used.user + used.system) / 1e6,
        loopDelayP99Ms: loop.percentile(99) / 1e6,
        loopDelayMaxMs: loop.max / 1e6,
      };
    },
  };
}

export function resourceLine(r: ResourceReport): string {
  const live = r.heapMb.liveAfterFullGc === undefined ? 'no full collection in the span' : `up to ${r.heapMb.liveAfterFullGc.toFixed(0)} MB live after a full collection`;
  return `peak RSS ${r.peakRssMb.toFixed(0)} MB (V8 heap: up to ${r.heapMb.inUse.toFixed(0)} MB in use, ${live}), CPU ${r.coresUsed.toFixed(2)} cores, event-loop delay p99 ${r.loopDelayP99Ms.toFixed(0)} ms / max ${r.loopDelayMaxMs.toFixed(0)} ms`;
}

/**
 * Counts the HTTP requests this process sends, per destination port (named by the caller):
 * what the product's clients send to Table Storage, CMG, Graph and Google, and what the
 * emulators send to the webhooks.
 */
export class HttpRequestCounter {
  private readonly counts = new Map<string, number>();
  private readonly onNode = (message: unknown): void => {
    const request = (message as { request: ClientRequest }).request;
    const port = /:(\d+)$/.exec(String(request.getHeader('host') ?? ''))?.[1] ?? '';
    this.bump(port);
  };
  private readonly onUndici = (message: unknown): void => {
    const origin = String((message as { request: { origin: unknown } }).request.origin);
    this.bump(/:(\d+)\/?$/.exec(origin)?.[1] ?? '');
  };

  constructor(private readonly names: ReadonlyMap<string, string>) {
    subscribe('http.client.request.start', this.onNode);
    subscribe('undici:request:create', this.onUndici);
  }

  private bump(port: string): void {
    const name = this.names.get(port) ?? `port ${port || '?'}`;
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  get(name: string): number {
    return this.counts.get(name) ?? 0;
  }

  reset(): void {
    this.counts.clear();
  }

  close(): void {
    unsubscribe('http.client.request.start', this.onNode);
    unsubscribe('undici:request:create', this.onUndici);
  }
}

export const portOf = (url: string): string => new URL(url).port;
