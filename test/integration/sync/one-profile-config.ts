/** The settings of the timer tests: one Graph profile serving example.com (and what `extra` adds), nothing else called. */
import { readConfig, type Config } from '../../../shared/config/config.js';

export function oneProfileConfig(extra: Record<string, string> = {}): Config {
  const read = readConfig({
    OOF_CODE: '13',
    DEFAULT_CODE: '30',
    CMG_BASE_URL: 'https://cmg.example.com/CMG Office',
    CMG_PASSWORD: 'x',
    CMG_MESSAGE_SYSTEMS: '1',
    PROFILES: 'M365',
    PROFILE_M365_KIND: 'graph',
    PROFILE_M365_DOMAINS: 'example.com',
    PROFILE_M365_TENANT_ID: 'example.onmicrosoft.com',
    PROFILE_M365_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
    PROFILE_M365_CLIENT_SECRET: 'unused',
    TABLES_CONNECTION_STRING: 'UseDevelopmentStorage=true',
    ...extra,
  });
  if (!read.ok) throw new Error(JSON.stringify(read.problems));
  return read.config;
}
