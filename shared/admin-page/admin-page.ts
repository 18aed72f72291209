/**
 * The admin page: admin.html with admin.css and admin.js inlined, read once when this module is
 * loaded (the build copies them beside the compiled module). It holds no data itself; the
 * script reads the admin API (see admin.js for sign-in).
 *
 * The Content-Security-Policy allows exactly this script and this style by their SHA-256
 * hashes: no 'unsafe-inline', no other origin than the page's own and the Entra authority.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { MAILBOX_STATES } from '../domain/mailbox.js';

const read = (name: string): string => readFileSync(new URL(name, import.meta.url), 'utf8');
const TEMPLATE = read('./admin.html');
const STYLE = read('./admin.css');
const SCRIPT = read('./admin.js');

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const SCRIPT_HASH = sha256(SCRIPT);
const STYLE_HASH = sha256(STYLE);

const STATE_OPTIONS = MAILBOX_STATES.map((state) => `<option>${state}</option>`).join('');

const escapeAttribute = (value: string): string => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** Fills each `{{name}}` of the template once; a name the template lacks is a bug in this module. */
function fill(template: string, values: Readonly<Record<string, string>>): string {
  let html = template;
  for (const [name, value] of Object.entries(values)) {
    const slot = `{{${name}}}`;
    if (!html.includes(slot)) throw new Error(`admin.html has no ${slot}`);
    // A function, so `$` in the script is never read as a replacement pattern.
    html = html.replace(slot, () => value);
  }
  return html;
}

export interface AdminPageOptions {
  /** The Entra ID app the page signs in with; absent: no sign-in offered. */
  readonly entra?: { readonly tenantId: string; readonly clientId: string; readonly authority: string } | undefined;
}

export interface AdminPage {
  readonly html: string;
  /** The page's own headers: CSP by hash, no framing, no sniffing, no referrer, no caching. */
  readonly headers: Readonly<Record<string, string>>;
}

export function renderAdminPage(options: AdminPageOptions = {}): AdminPage {
  const { entra } = options;
  const data = entra
    ? ` data-tenant="${escapeAttribute(entra.tenantId)}" data-client="${escapeAttribute(entra.clientId)}" data-authority="${escapeAttribute(entra.authority)}"`
    : '';
  const html = fill(TEMPLATE, { entra: data, style: STYLE, states: STATE_OPTIONS, script: SCRIPT });
  const connect = entra ? `'self' ${new URL(entra.authority).origin}` : "'self'";
  const csp = [
    "default-src 'none'",
    `script-src ${SCRIPT_HASH}`,
    `style-src ${STYLE_HASH}`,
    `connect-src ${connect}`,
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    html,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'x-frame-options': 'DENY',
    },
  };
}
