/**
 * Who may use the admin API and page: Entra ID access tokens for one app registration, with
 * its app roles (docs/provider-setup.md). Empty tenant or client id: the admin API answers 401
 * to everyone.
 */
import { z } from 'zod';
import { optional, url, type Setting } from './setting.js';

const GUID = z.string().trim().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'not a GUID').transform((v) => v.toLowerCase());

export const ADMIN_SETTINGS = {
  ADMIN_TENANT_ID: optional({ schema: GUID, meta: { doc: 'Entra ID tenant (directory) id whose tokens the admin API accepts.', expected: 'a GUID' } }),
  ADMIN_CLIENT_ID: optional({ schema: GUID, meta: { doc: 'Application (client) id of the admin app registration: the tokens\' audience.', expected: 'a GUID' } }),
  ADMIN_AUTHORITY: url({ default: 'https://login.microsoftonline.com' }, 'Entra ID authority host that issues the admin tokens and publishes their keys (another cloud\'s, or a local one on the dev host).'),
} satisfies Record<string, Setting<unknown>>;
