import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../../bench/support/latency-histogram.js';
import { percentile, summary } from '../../../bench/support/measure.js';

/** A deterministic spread of latencies from 0 to a few seconds, heavy-tailed as calls are. */
function latencies(n: number): number[] {
  let seed = 7;
  const next = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: n }, (_, i) => (i % 97 === 0 ? 0 : 0.05 + 3_000 * next() ** 4));
}

describe('LatencyHistogram', () => {
  it('when it holds many samples, then each percentile is within 0.5 % (or 1 µs) of the exact nearest-rank value', () => {
    const values = latencies(20_000);
    const histogram = new LatencyHistogram();
    for (const v of values) histogram.record(v);
    for (const p of [1, 10, 50, 90, 95, 99, 99.9]) {
      const exact = percentile(values, p);
      expect(Math.abs(histogram.percentile(p) - exact)).toBeLessThanOrEqual(Math.max(exact * 0.005, 0.001));
    }
  });

  it('when it holds samples, then count, sum, min and max are exact', () => {
    const values = latencies(5_000);
    const histogram = new LatencyHistogram();
    for (const v of values) histogram.record(v);
    expect(histogram.count).toBe(values.length);
    expect(histogram.sum).toBeCloseTo(values.reduce((a, b) => a + b, 0), 6);
    expect(histogram.percentile(100)).toBe(Math.max(...values));
    expect(histogram.percentile(0)).toBe(Math.min(...values));
  });

  it('when it is empty or reset, then it has no samples', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.percentile(50)).toBeNaN();
    histogram.record(12);
    histogram.reset();
    expect(histogram.count).toBe(0);
    expect(summary(histogram)).toBe('no samples');
  });

  it('when summarised, then it prints as every sample would, within its precision', () => {
    const histogram = new LatencyHistogram();
    for (const v of [10, 20, 30, 40, 1_000]) histogram.record(v);
    expect(summary(histogram)).toBe(summary([10, 20, 30, 40, 1_000]));
  });
});
