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
import { MAILBOX_STATES } from '../domain/mailbox.js';

const STYLE = `
 body{font:14px system-ui,sans-serif;margin:2rem;color:#222} h1{font-size:1.4rem} h2{font-size:1.15rem;margin-top:1.6rem} h3{font-size:1rem}
 table{border-collapse:collapse;width:100%} th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
 th{background:#f5f5f5} .active,.ok,.done{color:#176c2a} .invalid,.failing,.error{color:#b00020} .degraded{color:#8a5a00}
 .excluded,.disabled,.over-limit,.note{color:#777} button{font-size:12px} [hidden]{display:none}
 form label{margin-right:1rem;white-space:nowrap} #detail{border-top:2px solid #888;margin-top:1.5rem}
 dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem} dt{color:#555} dd{margin:0}
 tr.now td{background:#fff4d6} #why{font-size:1.05rem}
`;

const SCRIPT = `
const root = document.documentElement.dataset;
const $ = (id) => document.getElementById(id);
const signIn = $('sign-in');
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

/**
 * One API call; answers other than 2xx become an ApiError carrying the API's own message.
 * With accept, a non-2xx answer whose body passes accept is returned too (/status answers 503
 * with its checks when it is failing).
 */
async function api(path, init = {}, accept) {
  const res = await fetch('/api/' + path, { ...init, headers: token ? { authorization: 'Bearer ' + token } : {} });
  const body = await res.json().catch(() => ({}));
  if (res.status === 401) {
    sessionStorage.removeItem(TOKEN); token = undefined;
    signIn.hidden = !entra;
  }
  if (!res.ok && !(accept && accept(body))) throw new ApiError(res.status, body.error ?? 'HTTP ' + res.status);
  return body;
}

const say = (element, text, cls) => { element.textContent = text; element.className = cls ?? ''; };
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };
const cell = (tr, text, cls) => { const td = el('td', text ?? '', cls); tr.append(td); return td; };
const when = (iso) => (iso ? new Date(iso).toLocaleString() : '');
const span = (a) => when(a.start) + ' – ' + when(a.end);

// ---- status panel ----------------------------------------------------------------------
const hasChecks = (body) => body && typeof body.status === 'string' && body.checks && typeof body.checks === 'object';
async function loadStatus() {
  const button = $('status-refresh'); const rows = $('status-rows');
  button.disabled = true; say($('overall'), 'checking…');
  try {
    const body = await api('status', {}, hasChecks);
    if (!hasChecks(body)) throw new Error('the answer has no checks');
    say($('overall'), body.status, body.status);
    rows.replaceChildren();
    const profiles = [];
    for (const [name, check] of Object.entries(body.checks)) {
      if (name.startsWith('profile:')) profiles.push(name.slice('profile:'.length));
      const tr = el('tr'); tr.dataset.check = name;
      cell(tr, name); cell(tr, String(check.status ?? 'unknown'), check.status);
      cell(tr, typeof check.detail === 'string' ? check.detail : JSON.stringify(check.detail ?? ''));
      rows.append(tr);
    }
    $('profiles').replaceChildren(...profiles.map((p) => { const o = el('option'); o.value = p; return o; }));
    say($('status-at'), 'as of ' + new Date().toLocaleTimeString(), 'note');
  } catch (error) {
    rows.replaceChildren();
    const why = error.status === 403 ? 'you lack the role: ' + error.message : error.message;
    say($('overall'), 'unknown (the status cannot be read: ' + why + ')', 'error');
    say($('status-at'), '');
  } finally {
    button.disabled = false;
  }
}
$('status-refresh').addEventListener('click', loadStatus);

// ---- the mailbox list: searched and paged by the API -----------------------------------
// pages[i] is the continuationToken of page i (undefined for the first); the API knows no totals.
let pages = [undefined]; let pageIndex = 0; let nextToken;
const outcomes = new Map();

function query() {
  const q = new URLSearchParams({ pageSize: $('f-size').value });
  for (const [name, id] of [['state', 'f-state'], ['profile', 'f-profile'], ['address', 'f-address'], ['search', 'f-search']]) {
    const value = $(id).value.trim(); if (value) q.set(name, value);
  }
  if (pages[pageIndex]) q.set('continuationToken', pages[pageIndex]);
  return q;
}

async function loadPage() {
  const summary = $('summary');
  $('prev').disabled = true; $('next').disabled = true; say(summary, 'Loading…');
  try {
    const body = await api('mailboxes?' + query());
    const rows = $('rows'); rows.replaceChildren();
    for (const m of body.mailboxes) rows.append(mailboxRow(m));
    nextToken = body.next;
    const shown = 'Page ' + (pageIndex + 1) + ': ' + body.mailboxes.length + (body.mailboxes.length === 1 ? ' mailbox' : ' mailboxes') + (body.next ? '; more on the next page' : '');
    const scan = body.scan ? ' (the search read ' + body.scan.read + ' mailboxes for this page, at most ' + body.scan.limit + (body.next ? '; Next searches on' : '') + ')' : '';
    say(summary, shown + scan);
  } catch (error) {
    say(summary, 'Cannot read the mailboxes: ' + error.message, 'error');
  } finally {
    $('prev').disabled = pageIndex === 0; $('next').disabled = !nextToken;
  }
}

function mailboxRow(m) {
  const tr = el('tr'); tr.dataset.key = m.key; tr.dataset.state = m.state;
  const open = el('button', m.key, 'open'); open.title = 'details'; open.addEventListener('click', () => openDetail(m.key));
  cell(tr, '').append(open);
  cell(tr, m.address); cell(tr, m.state + (m.stateReason ? ' (' + m.stateReason + ')' : ''), m.state);
  cell(tr, m.profile); cell(tr, m.lastSyncAt ? when(m.lastSyncAt) + ' ' + (m.lastSyncMode ?? '') : '');
  cell(tr, String(m.activities)); cell(tr, m.lastError);
  const actions = cell(tr, '');
  const button = el('button', 'resync', 'resync'); button.addEventListener('click', () => resync(m.key));
  actions.append(button, ' ', outcomeElement());
  showOutcome(m.key, tr);
  return tr;
}

$('filter').addEventListener('submit', (event) => { event.preventDefault(); pages = [undefined]; pageIndex = 0; loadPage(); });
$('next').addEventListener('click', () => { pages[pageIndex + 1] = nextToken; pageIndex++; loadPage(); });
$('prev').addEventListener('click', () => { pageIndex--; loadPage(); });

// ---- resync: queued, then the job's own result -----------------------------------------
const outcomeElement = () => { const s = el('span'); s.setAttribute('role', 'status'); s.dataset.outcome = ''; return s; };
/** Shows a mailbox's resync outcome wherever its button is: its row and its open detail. */
function showOutcome(key, only) {
  const shown = outcomes.get(key); if (!shown) return;
  const places = only ? [only] : [...$('rows').children].filter((tr) => tr.dataset.key === key);
  if ($('detail').dataset.key === key && !only) places.push($('detail-actions'));
  for (const place of places) {
    place.querySelector('button.resync').disabled = shown.pending;
    say(place.querySelector('[data-outcome]'), shown.text, shown.cls);
  }
}
const settle = (key, outcome) => { outcomes.set(key, outcome); showOutcome(key); };

const POLL_MS = 1000;
const POLL_LIMIT_MS = 120000;
async function resync(key) {
  settle(key, { pending: true, text: 'requesting…' });
  let before;
  try {
    before = (await api('mailboxes/' + encodeURIComponent(key))).mailbox;
    await api('mailboxes/' + encodeURIComponent(key) + '/resync', { method: 'POST' });
  } catch (error) {
    settle(key, { pending: false, text: 'not queued: ' + error.message, cls: 'error' });
    return;
  }
  settle(key, { pending: true, text: 'full sync queued, waiting for the job…' });
  const deadline = Date.now() + POLL_LIMIT_MS;
  while (Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, POLL_MS));
    let detail;
    try { detail = await api('mailboxes/' + encodeURIComponent(key)); } catch (error) {
      settle(key, { pending: false, text: 'queued, but its result cannot be read: ' + error.message, cls: 'error' });
      return;
    }
    const m = detail.mailbox;
    const failed = m.lastErrorAt && m.lastErrorAt !== before.lastErrorAt && m.lastErrorAt !== m.lastSyncAt;
    if (failed) {
      settle(key, { pending: false, text: 'the job failed: ' + (m.lastError ?? 'no reason given'), cls: 'error' });
    } else if (m.lastSyncAt && m.lastSyncAt !== before.lastSyncAt) {
      settle(key, { pending: false, text: 'done: ' + m.lastSyncMode + ' sync at ' + when(m.lastSyncAt) + ', ' + m.activities + ' activities held' + (m.lastError ? '; ' + m.lastError : ''), cls: m.lastError ? 'error' : 'done' });
    } else continue;
    for (const tr of [...$('rows').children].filter((r) => r.dataset.key === key)) {
      const fresh = mailboxRow(m); tr.replaceWith(fresh);
    }
    if ($('detail').dataset.key === key) renderDetail(detail);
    return;
  }
  settle(key, { pending: false, text: 'queued; no result after ' + POLL_LIMIT_MS / 60000 + ' minutes (the job may be waiting to retry)', cls: 'error' });
}

// ---- one mailbox: why CMG shows what it shows ------------------------------------------
let preview; // the last preview of the open mailbox
let shown; // the detail on display
async function openDetail(key) {
  const detail = $('detail');
  detail.dataset.key = key; detail.hidden = false; preview = undefined;
  say($('detail-title'), 'Mailbox ' + key);
  say($('why'), 'Loading…'); $('facts').replaceChildren(); $('held').replaceChildren(); $('subscriptions').replaceChildren();
  $('preview-rows').replaceChildren(); $('skipped-rows').replaceChildren(); say($('preview-out'), '');
  say($('detail-actions').querySelector('[data-outcome]'), ''); $('detail-actions').querySelector('button.resync').disabled = false;
  showOutcome(key);
  detail.scrollIntoView();
  try {
    renderDetail(await api('mailboxes/' + encodeURIComponent(key)));
  } catch (error) {
    say($('why'), 'Cannot read the mailbox: ' + error.message, 'error');
    return;
  }
  runPreview();
}

function fact(name, value, cls) {
  if (value === undefined || value === null || value === '') return;
  $('facts').append(el('dt', name), el('dd', String(value), cls));
}

function renderDetail(d) {
  if ($('detail').dataset.key !== d.mailbox.key) return;
  shown = d;
  const m = d.mailbox;
  $('facts').replaceChildren();
  fact('address', m.address);
  fact('state', m.state + (m.stateReason ? ' (' + m.stateReason + ')' : ''), m.state);
  fact('profile', m.profile && m.profile + (m.provider ? ' (' + m.provider + ')' : ''));
  fact('last sync', m.lastSyncAt && when(m.lastSyncAt) + ' ' + (m.lastSyncMode ?? ''));
  fact('last error', m.lastError && m.lastError + (m.lastErrorAt ? ' (' + when(m.lastErrorAt) + ')' : ''), 'error');
  fact('failures in a row', m.failures || undefined);
  fact('next attempt not before', when(m.retryAt));
  fact('provider refusing since', when(m.refusedSince));
  fact('automatic replies on since', when(m.automaticRepliesSince));
  fact('time zone', m.timeZone);
  fact('window', m.window && span(m.window));
  fact('address shared', m.multiAddress ? 'yes: other CMG users have this address too' : undefined);
  const subs = $('subscriptions'); subs.replaceChildren();
  for (const s of d.subscriptions) {
    const expired = Date.parse(s.expiresAt) <= Date.now();
    subs.append(el('li', s.provider + (s.provider === 'google' ? ' channel ' : ' subscription ') + s.id + (expired ? ' expired ' : ' expires ') + when(s.expiresAt), expired ? 'error' : ''));
  }
  if (d.subscriptions.length === 0) subs.append(el('li', 'none: changes are found by polling only', 'note'));
  const held = $('held'); held.replaceChildren();
  const current = new Set(d.current.map((a) => a.externalId));
  for (const a of d.activities) {
    const tr = el('tr', undefined, current.has(a.externalId) ? 'now' : ''); tr.dataset.externalId = a.externalId;
    cell(tr, span(a)); cell(tr, a.code); cell(tr, a.sourceEventId); cell(tr, when(a.acknowledgedAt));
    cell(tr, a.rejected ? 'refused by CMG (' + a.rejected + ')' : current.has(a.externalId) ? 'under way' : '', a.rejected ? 'error' : '');
    held.append(tr);
  }
  if (d.activities.length === 0) { const tr = el('tr'); cell(tr, 'CMG holds no activity for this mailbox', 'note').colSpan = 5; held.append(tr); }
  $('detail').dataset.current = JSON.stringify(d.current.map((a) => a.externalId));
  $('detail').dataset.next = d.next ? d.next.externalId : '';
  explain(d);
}

/** The answer to "why is this person shown busy": what CMG holds now, and which event made it. */
function explain(d) {
  const why = $('why'); why.replaceChildren();
  const textOf = (a) => {
    const live = preview && preview.activities.find((p) => p.externalId === a.externalId);
    if (!preview) return '';
    if (!live) return ' It is no longer in the live calendar: the next sync removes it.';
    return ' The event says "' + live.text + '"' + (live.private ? ' (a private appointment: only its masked text is shown)' : '') + '.';
  };
  const line = (text, cls) => why.append(el('p', text, cls));
  if (d.current.length === 0) line('Nothing is under way at ' + when(d.at) + ': CMG shows no calendar activity for this person now.', 'done');
  for (const a of d.current) line('Shown as "' + a.code + '" now (' + span(a) + ') because of calendar event ' + a.sourceEventId + (a.seriesId ? ' (series ' + a.seriesId + ')' : '') + '.' + textOf(a), 'error');
  if (d.next) line('Next: "' + d.next.code + '" ' + span(d.next) + ', from event ' + d.next.sourceEventId + '.' + textOf(d.next), 'note');
  if (d.mailbox.state !== 'active') line('This mailbox is not synced now: ' + d.mailbox.state + (d.mailbox.stateReason ? ' (' + d.mailbox.stateReason + ')' : '') + '.', d.mailbox.state);
}

const previewButton = $('preview');
async function runPreview() {
  const key = $('detail').dataset.key;
  previewButton.disabled = true; say($('preview-out'), 'reading the live calendar…');
  try {
    const body = await api('mailboxes/' + encodeURIComponent(key) + '/preview');
    if ($('detail').dataset.key !== key) return;
    preview = body;
    const rows = $('preview-rows'); rows.replaceChildren();
    for (const a of body.activities) {
      const tr = el('tr'); tr.dataset.externalId = a.externalId;
      cell(tr, span(a)); cell(tr, a.code); cell(tr, a.text + (a.private ? ' (private)' : '')); cell(tr, a.forward ? 'yes' : 'no');
      rows.append(tr);
    }
    const skipped = $('skipped-rows'); skipped.replaceChildren();
    for (const s of body.skipped) { const tr = el('tr'); cell(tr, s.eventId); cell(tr, s.reason + (s.detail ? ': ' + s.detail : '')); skipped.append(tr); }
    say($('preview-out'), body.activities.length + ' activities, ' + body.skipped.length + ' events skipped; the next full sync would send ' + body.pending.upserts + ' and delete ' + body.pending.deletes, 'done');
    if (shown) explain(shown);
  } catch (error) {
    say($('preview-out'), 'preview failed: ' + error.message, 'error');
  } finally {
    previewButton.disabled = false;
  }
}
previewButton.addEventListener('click', runPreview);
$('detail-actions').querySelector('button.resync').addEventListener('click', () => resync($('detail').dataset.key));
$('close').addEventListener('click', () => { $('detail').hidden = true; delete $('detail').dataset.key; });

// ---- connections ------------------------------------------------------------------------
const check = $('check');
check.addEventListener('click', async () => {
  const out = $('checks');
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
signIn.addEventListener('click', () => { startSignIn().catch((error) => say($('summary'), error.message, 'error')); });

finishSignIn().catch((error) => say($('summary'), error.message, 'error')).then(() => { loadStatus(); loadPage(); });
`;

const STATE_OPTIONS = MAILBOX_STATES.map((state) => `<option>${state}</option>`).join('');

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
<section id="status-panel"><h2>Status: <span id="overall" role="status">loading…</span></h2>
<p><button id="status-refresh">Refresh status</button> <span id="status-at"></span></p>
<table><thead><tr><th>check</th><th>status</th><th>detail</th></tr></thead><tbody id="status-rows"></tbody></table></section>
<p><button id="check">Check connections</button> <span id="checks" role="status"></span></p>
<section><h2>Mailboxes</h2>
<form id="filter"><label>state <select id="f-state"><option value="">any</option>${STATE_OPTIONS}</select></label>
<label>profile <input id="f-profile" list="profiles" size="10"></label><datalist id="profiles"></datalist>
<label>address starts with <input id="f-address" size="16"></label>
<label>address or key contains <input id="f-search" size="12"></label>
<label>per page <select id="f-size"><option>25</option><option selected>50</option><option>100</option></select></label>
<button type="submit">Search</button></form>
<p id="summary" role="status">Loading…</p>
<table><thead><tr><th>mailbox</th><th>address</th><th>state</th><th>profile</th><th>last sync</th><th>activities</th><th>last error</th><th></th></tr></thead>
<tbody id="rows"></tbody></table>
<p><button id="prev" disabled>Previous</button> <button id="next" disabled>Next</button></p></section>
<section id="detail" hidden><h2><span id="detail-title"></span> <button id="close">Close</button></h2>
<div id="why" role="status"></div>
<p id="detail-actions"><button class="resync">Resync</button> <span data-outcome role="status"></span>
<button id="preview">Preview</button> <span id="preview-out" role="status"></span></p>
<dl id="facts"></dl>
<h3>Subscriptions and channels</h3><ul id="subscriptions"></ul>
<h3>Activities CMG holds</h3>
<table><thead><tr><th>when</th><th>code</th><th>calendar event</th><th>acknowledged</th><th></th></tr></thead><tbody id="held"></tbody></table>
<h3>Preview: what a full sync would send now</h3>
<table><thead><tr><th>when</th><th>code</th><th>text</th><th>forward</th></tr></thead><tbody id="preview-rows"></tbody></table>
<h3>Events that give no activity, and why</h3>
<table><thead><tr><th>calendar event</th><th>reason</th></tr></thead><tbody id="skipped-rows"></tbody></table></section>
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
