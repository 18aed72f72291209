import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIXED_SETTING_NAMES } from '../../../shared/config/all-settings.js';
import { profileSettings } from '../../../shared/config/profile-settings.js';

const sample = JSON.parse(readFileSync(new URL('../../../local.settings.sample.json', import.meta.url), 'utf8')) as {
  IsEncrypted: boolean;
  Values: Record<string, string>;
};
const FUNCTIONS_HOST = ['AzureWebJobsStorage', 'FUNCTIONS_WORKER_RUNTIME'];

describe('local.settings.sample.json', () => {
  it('when a setting exists in the schema, then the sample shows it', () => {
    const missing = FIXED_SETTING_NAMES.filter((name) => !(name in sample.Values));
    expect(missing).toEqual([]);
  });

  it('when the sample names a setting, then the program reads it', () => {
    const profileSuffixes = Object.keys(profileSettings);
    const unknown = Object.keys(sample.Values).filter(
      (name) =>
        !FIXED_SETTING_NAMES.includes(name) &&
        !FUNCTIONS_HOST.includes(name) &&
        !profileSuffixes.some((suffix) => new RegExp(`^PROFILE_[A-Z0-9_]+_${suffix}$`).test(name)),
    );
    expect(unknown).toEqual([]);
    expect(sample.IsEncrypted).toBe(false);
  });
});
