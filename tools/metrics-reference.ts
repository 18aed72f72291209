/**
 * Renders docs/metrics.md from shared/observability/metric-names.ts, so the reference cannot
 * drift from the names the code records (test/unit/observability/metrics-reference.test.ts
 * compares them). Regenerate: `npm run metrics:doc`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { METRICS } from '../shared/observability/metric-names.js';

const cell = (text: string): string => text.replace(/\|/g, '\\|');

export function renderMetricsReference(): string {
  const out: string[] = [
    '# Metrics reference',
    '',
    '<!-- Generated from shared/observability/metric-names.ts by `npm run metrics:doc`; edit the module, not this file. -->',
    '',
    'The app records these metrics through OpenTelemetry (README, "Telemetry"). In Application Insights they are',
    'custom metrics under the same names; the attributes are their dimensions. No attribute ever holds a mailbox',
    'address, an appointment text or a secret.',
    '',
    '| metric | kind | unit | attributes | meaning |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const spec of Object.values(METRICS)) {
    const attributes = Object.keys(spec.attributes).map((a) => `\`${a}\``).join(', ') || '—';
    out.push(`| \`${spec.name}\` | ${spec.kind} | \`${cell(spec.unit)}\` | ${attributes} | ${cell(spec.meaning)} |`);
  }
  out.push('', '## Attributes', '');
  for (const spec of Object.values(METRICS)) {
    const entries = Object.entries(spec.attributes);
    if (entries.length === 0) continue;
    out.push(`### \`${spec.name}\``, '');
    for (const [name, values] of entries) out.push(`- \`${name}\`: ${values}`);
    out.push('');
  }
  return out.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = new URL('../../docs/metrics.md', import.meta.url);
  writeFileSync(target, renderMetricsReference());
  console.log(`wrote ${fileURLToPath(target)}`);
}
