import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { resourceLine, startResourceSampler } from '../../../bench/support/measure.js';

setFlagsFromString('--expose-gc');
const fullCollection = runInNewContext('gc') as () => void;

describe('the resource sampler', () => {
  it('when a full collection runs during the span, then the report carries the heap it left live, no more than the most in use', async () => {
    const sampler = startResourceSampler(10);
    let garbage: number[][] = [];
    for (let i = 0; i < 200; i += 1) garbage.push(Array.from({ length: 10_000 }, (_, k) => k + i));
    await new Promise((resolve) => setTimeout(resolve, 30));
    garbage = [];
    fullCollection();
    await new Promise((resolve) => setTimeout(resolve, 30));
    const report = sampler.stop();

    expect(garbage).toHaveLength(0);
    expect(report.heapMb.liveAfterFullGc).toBeGreaterThan(0);
    expect(report.heapMb.liveAfterFullGc!).toBeLessThan(report.heapMb.inUse);
    expect(report.peakRssMb).toBeGreaterThan(0);
    expect(resourceLine(report)).toMatch(/V8 heap: up to \d+ MB in use, up to \d+ MB live after a full collection/);
  });
});
