/** Every setting the program reads, grouped as the settings reference presents them. */
import { ADMIN_SETTINGS } from './admin-settings.js';
import { MAPPING_SETTINGS } from './mapping-setting-specs.js';
import { PROFILE_LIST_SETTING, profileSettings } from './profile-settings.js';
import { CMG_SETTINGS, PLATFORM_SETTINGS, PUSH_SETTINGS, SYNC_SETTINGS } from './runtime-settings.js';
import type { SettingSpecs } from './read-settings.js';

export interface SettingGroup {
  readonly title: string;
  readonly intro: string;
  /** Per-profile settings are written `PROFILE_<NAME>_<suffix>`. */
  readonly prefix?: string;
  readonly specs: SettingSpecs;
}

export const SETTING_GROUPS: readonly SettingGroup[] = [
  { title: 'Mapping', intro: 'From calendar event to CMG activity (docs/mapping.md). `calsync preview --settings` reads these.', specs: MAPPING_SETTINGS },
  { title: 'CMG connection', intro: 'The CMG calendar interface (CMG-INTERFACE.md).', specs: CMG_SETTINGS },
  { title: 'Connection profiles', intro: 'Which calendar system serves which mail domains.', specs: PROFILE_LIST_SETTING },
  {
    title: 'Per-profile settings',
    intro: 'For each name N in PROFILES, `PROFILE_N_<suffix>`. Graph profiles need TENANT_ID, CLIENT_ID and CERTIFICATE + CERTIFICATE_THUMBPRINT (or CLIENT_SECRET); Google profiles need SERVICE_ACCOUNT_KEY; Exchange profiles need EWS_URL, USER_NAME and PASSWORD. Each kind ignores the others\' settings.',
    prefix: 'PROFILE_<NAME>_',
    specs: profileSettings,
  },
  { title: 'Who is synced and when', intro: 'Roster, polling, quiet hours, retries (docs/mapping.md §7–8).', specs: SYNC_SETTINGS },
  { title: 'Push', intro: 'Graph change notifications, Google push channels, Exchange push subscriptions, and polling where Exchange cannot push.', specs: PUSH_SETTINGS },
  { title: 'Platform', intro: 'Storage, queue, identity, logging.', specs: PLATFORM_SETTINGS },
  { title: 'Admin sign-in', intro: 'Entra ID access tokens and app roles for the admin API and page.', specs: ADMIN_SETTINGS },
];

/** Names of every fixed setting (per-profile ones excluded: their names depend on PROFILES). */
export const FIXED_SETTING_NAMES: readonly string[] = SETTING_GROUPS.filter((g) => !g.prefix).flatMap((g) => Object.keys(g.specs));
