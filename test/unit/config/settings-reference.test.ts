import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSettingsReference } from '../../../tools/settings-reference.js';

describe('settings reference', () => {
  it('when the schema changes, then docs/settings.md has been regenerated (npm run settings:doc)', () => {
    const committed = readFileSync(new URL('../../../docs/settings.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderSettingsReference());
  });
});
