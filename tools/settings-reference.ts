/**
 * Renders docs/settings.md from the settings schema, so the reference cannot drift from the
 * code (test/unit/config/settings-reference.test.ts compares them).
 * Regenerate: `npm run settings:doc`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SETTING_GROUPS } from '../shared/config/all-settings.js';

const cell = (text: string): string => text.replace(/\|/g, '\\|');

export function renderSettingsReference(): string {
  const out: string[] = [
    '# Settings reference',
    '',
    '<!-- Generated from shared/config by `npm run settings:doc`; edit the schema, not this file. -->',
    '',
    'App settings are strings. Booleans are `true` / `false`; lists are separated as stated; maps are a JSON object',
    'written as the value; durations are written `90s`, `30m`, `12h`, `7d` (a bare number is minutes). An empty',
    'value counts as not set, except for text settings whose empty value means something (e.g. no prefix).',
    'Invalid settings stop start-up with one message naming every bad setting; secret values are never shown.',
    'So does a value that is still a Key Vault reference (`@Microsoft.KeyVault(…)`): the platform could not resolve it.',
    'URLs must be https; plain http is accepted for a loopback host only (emulators, the dev host). A proxy',
    'variable (`HTTPS_PROXY`, `HTTP_PROXY`) that carries a user and password must be https too, unless on loopback.',
    '',
  ];
  for (const group of SETTING_GROUPS) {
    out.push(`## ${group.title}`, '', group.intro, '', '| setting | default | expected | meaning |', '| --- | --- | --- | --- |');
    for (const [name, spec] of Object.entries(group.specs)) {
      const m = spec.meta;
      const dflt = m.required ? '*required*' : m.default === undefined ? '*(not set)*' : m.default === '' ? '*(empty)*' : `\`${m.default}\``;
      out.push(`| \`${group.prefix ?? ''}${name}\` | ${cell(dflt)} | ${cell(m.expected)} | ${cell(m.doc)}${m.secret ? ' 🔒' : ''} |`);
    }
    out.push('');
  }
  out.push('🔒 secret: in Azure, a Key Vault reference; never logged.', '');
  return out.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = new URL('../../docs/settings.md', import.meta.url);
  writeFileSync(target, renderSettingsReference());
  console.log(`wrote ${fileURLToPath(target)}`);
}
