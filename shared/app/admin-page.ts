/**
 * The admin page: one self-contained HTML document that reads the admin API. It holds no data
 * itself; every API call carries an Entra ID access token the page obtains with the
 * authorization-code flow with PKCE (the app registration's single-page redirect URI). Where
 * the API admits the call without one (the dev host acts as a local operator), no sign-in is
 * asked for. Text from the API is inserted with textContent, never as HTML.
 *
 * The Content-Security-Policy allows exactly this script and this style by their SHA-256
 * hashes: no 'unsafe-inline', no other origin than the page's own and the Entra authority.
 */
import { createHash } from 'node:crypto';

const STYLE = `
 body{font:14px system-ui,sans-serif;margin:2rem;color:#222} h1{font-size:1.4rem}
 table{border-collapse:collapse;width:100%} th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left}
 th{background:#f5f5f5} .active{color:#176c2a} .invalid,.failing,.error{color:#b00020} .excluded,.disabled,.over-limit{color:#777}
 #summary span{margin-right:1.5rem} button{font-size:12px} .done{color:#176c2a} [hidden]{display:none}
`;

const SCRIPT = `
const root = document.documentElement.dataset;
const signIn = document.getElementById('sign-in');
const TOKEN = 'calsync.token';
const PENDING = 'calsync.sign-in';
let token = sessionStorage.getItem(TOKEN) ?? undefined;

const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
const randomText = () => b64url(crypto.getRandomValues(new Uint8Array(32)));
const entra = root.tenant && root.client ? { endpoint: root.authority + '/' + root.tenant + '/oauth2/v2.0/', client: root.client, scope: root.client + '/.default openid' } : undefined;
const redirectUri = location.origin + location.pathname;

async function startSignIn() {
  const verifier = randomText();
  const state = randomText();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const query = new URLSearchParams({ client_id: entra.client, response_type: 'code', redirect_uri: redirectUri, response_mode: 'query', scope: entra.scope, state, code_challenge: challenge, code_challenge_method: 'S256' });
  location.assign(entra.endpoint + 'authorize?' + query);
}

/** Back from Entra ID with ?code=: redeem it for an access token, then forget the code. */
async function finishSignIn() {
  const params = new URLSearchParams(location.search);
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null');
  if (!entra || !pending || !params.has('state')) return;
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', redirectUri);
  if (params.get('state') !== pending.state || !params.get('code')) throw new Error('sign-in failed: ' + (params.get('error_description') ?? params.get('error') ?? 'the answer did not match the request'));
  const res = await fetch(entra.endpoint + 'token', {
    method: 'POST',
    body: new URLSearchParams({ client_id: entra.client, grant_type: 'authorization_code', code: params.get('code'), redirect_uri: redirectUri, code_verifier: pending.verifier, scope: entra.scope }),
  });
  const body = await res.json();
  if (!res.ok || typeof body.access_token !== 'string') throw new Error('sign-in failed: ' + (body.error_description ?? res.status));
  token = body.access_token;
  sessionStorage.setItem(TOKEN, token);
}

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

/** One API call; answers other than 2xx become an ApiError carrying the API's own message. */
async function api(path, init = {}) {
  const res = await fetch('/api/' + path, { ...init, headers: token ? { authorization: 'Bearer ' + token } : {} });
  const body = await res.json().catch(() => ({}));
  if (res.status === 401) {
    sessionStorage.removeItem(TOKEN); token = undefined;
    signIn.hidden = !entra;
  }
  if (!res.ok) throw new ApiError(res.status, body.error ?? 'HTTP ' + res.status);
  return body;
}

const say = (element, text, cls) => { element.textContent = text; element.className = cls ?? ''; };
const cell = (tr, text, cls) => { const td = document.createElement('td'); td.textContent = text ?? ''; if (cls) td.className = cls; tr.append(td); return td; };
// Problems first (failing, invalid), then the rest, each by mailbox key.
const RANK = { failing: 0, invalid: 1, 'over-limit': 2, active: 3, excluded: 4, disabled: 5 };

// Each mailbox's last resync outcome, kept across refreshes (which rebuild the rows).
const outcomes = new Map();
const rowOf = (key) => [...document.getElementById('rows').children].find((tr) => tr.dataset.key === key);
function showOutcome(key) {
  const tr = rowOf(key); const shown = outcomes.get(key);
  if (!tr || !shown) return;
  tr.querySelector('button').disabled = shown.pending;
  say(tr.querySelector('[role=status]'), shown.text, shown.cls);
}

async function resync(key) {
  outcomes.set(key, { pending: true, text: 'requesting…' }); showOutcome(key);
  try {
    await api('mailboxes/' + encodeURIComponent(key) + '/resync', { method: 'POST' });
    outcomes.set(key, { pending: false, text: 'full sync queued', cls: 'done' });
  } catch (error) {
    outcomes.set(key, { pending: false, text: 'not queued: ' + error.message, cls: 'error' });
  }
  showOutcome(key);
}

async function load() {
  const all = []; let next;
  do {
    const body = await api('mailboxes?pageSize=500' + (next ? '&continuationToken=' + encodeURIComponent(next) : ''));
    all.push(...body.mailboxes); next = body.next;
  } while (next);
  all.sort((a, b) => (RANK[a.state] ?? 9) - (RANK[b.state] ?? 9) || a.key.localeCompare(b.key, undefined, { numeric: true }));
  const rows = document.getElementById('rows'); rows.replaceChildren();
  const counts = {};
  for (const m of all) {
    counts[m.state] = (counts[m.state] ?? 0) + 1;
    const tr = document.createElement('tr'); tr.dataset.key = m.key; tr.dataset.state = m.state;
    cell(tr, m.key); cell(tr, m.address); cell(tr, m.state + (m.stateReason ? ' (' + m.stateReason + ')' : ''), m.state);
    cell(tr, m.profile); cell(tr, m.lastSyncAt ? new Date(m.lastSyncAt).toLocaleString() + ' ' + (m.lastSyncMode ?? '') : '');
    cell(tr, String(m.activities)); cell(tr, m.lastError);
    const actions = cell(tr, '');
    const button = document.createElement('button'); button.textContent = 'resync';
    const outcome = document.createElement('span'); outcome.setAttribute('role', 'status');
    button.addEventListener('click', () => resync(m.key));
    actions.append(button, ' ', outcome); rows.append(tr);
    showOutcome(m.key);
  }
  const summary = document.getElementById('summary'); summary.replaceChildren();
  const total = document.createElement('span'); total.textContent = all.length + ' mailboxes'; summary.append(total);
  for (const [state, n] of Object.entries(counts)) { const s = document.createElement('span'); s.className = state; s.textContent = state + ': ' + n; summary.append(s); }
}

// Refreshes never overlap: the next one is scheduled only when the last has finished.
const REFRESH_MS = 10000;
async function refresh() {
  try {
    await load();
  } catch (error) {
    say(document.getElementById('summary'), 'Cannot read the mailboxes: ' + error.message, 'error');
  }
  setTimeout(refresh, REFRESH_MS);
}

const check = document.getElementById('check');
check.addEventListener('click', async () => {
  const out = document.getElementById('checks');
  check.disabled = true; say(out, 'checking…');
  try {
    const body = await api('connections/check');
    say(out, body.checks.map((c) => c.name + ': ' + (c.ok ? 'ok' : c.error)).join(' · '), body.checks.every((c) => c.ok) ? 'done' : 'error');
  } catch (error) {
    say(out, 'check failed: ' + error.message, 'error');
  } finally {
    check.disabled = false;
  }
});
signIn.addEventListener('click', () => { startSignIn().catch((error) => say(document.getElementById('summary'), error.message, 'error')); });

finishSignIn().catch((error) => say(document.getElementById('summary'), error.message, 'error')).then(refresh);
`;

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const SCRIPT_HASH = sha256(SCRIPT);
const STYLE_HASH = sha256(STYLE);

const escapeAttribute = (value: string): string => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

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
  const html = `<!doctype html>
<html lang="en"${data}><head><meta charset="utf-8"><title>CMG calendar sync</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>${STYLE}</style></head>
<body>
<h1>CMG calendar sync</h1>
<p><button id="sign-in" hidden>Sign in with Entra ID</button></p>
<p id="summary">Loading…</p>
<p><button id="check">Check connections</button> <span id="checks" role="status"></span></p>
<table><thead><tr><th>mailbox</th><th>address</th><th>state</th><th>profile</th><th>last sync</th><th>activities</th><th>last error</th><th></th></tr></thead>
<tbody id="rows"></tbody></table>
<script type="module">${SCRIPT}</script></body></html>`;
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
