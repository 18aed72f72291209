/**
 * Latencies as counts in log-spaced buckets rather than every sample, so the benchmarks'
 * bookkeeping in the product's process stays the same size however many calls a sweep makes
 * (a 10,000-mailbox sweep times ~300,000 dependency calls). Each bucket spans 1 %; a percentile
 * is the geometric middle of the bucket holding the nearest-rank sample, so it is within 0.5 %
 * of the exact value (values of 1 µs and below share one bucket). Count, sum, min and max are
 * exact.
 */

const RATIO = 1.01;
const LOG_RATIO = Math.log(RATIO);
/** ms; smaller values (0, or a negative wait from coarse clocks) count in its bucket. */
const FLOOR_MS = 0.001;
const FLOOR_BUCKET = Math.floor(Math.log(FLOOR_MS) / LOG_RATIO);

/** How the figures printed from a histogram are rounded, for the lines that print them. */
export const HISTOGRAM_PRECISION = 'percentiles within 0.5 %';

export class LatencyHistogram {
  private readonly buckets = new Map<number, number>();
  private total = 0;
  private n = 0;
  private low = Number.POSITIVE_INFINITY;
  private high = Number.NEGATIVE_INFINITY;

  record(ms: number): void {
    const bucket = Math.max(FLOOR_BUCKET, Math.floor(Math.log(Math.max(ms, FLOOR_MS)) / LOG_RATIO));
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + 1);
    this.total += ms;
    this.n += 1;
    this.low = Math.min(this.low, ms);
    this.high = Math.max(this.high, ms);
  }

  get count(): number {
    return this.n;
  }

  get sum(): number {
    return this.total;
  }

  /** Nearest-rank percentile, as `percentile` of measure.ts gives it for every sample (NaN when empty). */
  percentile(p: number): number {
    if (this.n === 0) return Number.NaN;
    if (p >= 100) return this.high;
    const rank = Math.max(1, Math.ceil((p / 100) * this.n));
    let seen = 0;
    for (const bucket of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(bucket)!;
      if (seen < rank) continue;
      // The lowest bucket holds everything from the minimum up to 1 µs.
      if (bucket <= FLOOR_BUCKET) return this.low;
      return Math.min(this.high, Math.max(this.low, Math.exp((bucket + 0.5) * LOG_RATIO)));
    }
    return this.high;
  }

  reset(): void {
    this.buckets.clear();
    this.total = 0;
    this.n = 0;
    this.low = Number.POSITIVE_INFINITY;
    this.high = Number.NEGATIVE_INFINITY;
  }
}
