import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METRIC_PREFIX, METRICS } from '../../../shared/observability/metric-names.js';
import { renderMetricsReference } from '../../../tools/metrics-reference.js';

describe('metrics reference', () => {
  it('when a metric name changes, then docs/metrics.md has been regenerated (npm run metrics:doc)', () => {
    const committed = readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderMetricsReference());
  });

  it('when metrics are named, then each name is unique and carries the app prefix', () => {
    const names = Object.values(METRICS).map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(new RegExp(`^${METRIC_PREFIX.replace('.', '\\.')}[a-z_.]+$`));
  });
});
