// @ts-check
/**
 * The admin page's script: reads the admin API and shows it; holds no data of its own. Text from
 * the API is inserted with textContent, never as HTML. Every API call carries the Entra ID
 * access token the page obtained with the authorization-code flow with PKCE; where the API
 * admits calls without one (the dev host's local operator), no sign-in is asked for.
 * Inlined at start-up and allowed by its SHA-256 in the CSP (admin-page.ts).
 */

/**
 * @typedef {{ key: string, address: string, state: string, stateReason?: string, profile?: string, lastSyncAt?: string, lastSyncMode?: string, lastError?: string, activities: number }} MailboxStatus
 * @typedef {MailboxStatus & { provider?: string, multiAddress: boolean, failures: number, lastErrorAt?: string, retryAt?: string, refusedSince?: string, timeZone?: string, automaticRepliesSince?: string, window?: { start: string, end: string } }} MailboxFacts
 * @typedef {{ externalId: string, code: string, start: string, end: string, sourceEventId: string, seriesId?: string, acknowledgedAt: string, rejected?: string }} HeldActivity
 * @typedef {{ mailbox: MailboxFacts, subscriptions: Array<{ provider: string, id: string, expiresAt: string }>, activities: HeldActivity[], at: string, current: HeldActivity[], next?: HeldActivity }} MailboxDetail
 * @typedef {{ externalId: string, start: string, end: string, code: string, text: string, forward: boolean, private: boolean }} PreviewActivity
 * @typedef {{ activities: PreviewActivity[], skipped: Array<{ eventId: string, reason: string, detail?: string }>, pending: { upserts: number, deletes: number } }} MailboxPreview
 * @typedef {{ status: string, checks: Record<string, { status?: string, detail?: unknown }> }} StatusBody
 * @typedef {{ pending: boolean, text: string, cls?: string }} Outcome
 */

const root = document.documentElement.dataset;
/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
/** @param {string} id */
const $button = (id) => /** @type {HTMLButtonElement} */ ($(id));
/** @param {string} id */
const $input = (id) => /** @type {HTMLInputElement | HTMLSelectElement} */ ($(id));
/** @param {Element} place */
const resyncButton = (place) => /** @type {HTMLButtonElement} */ (place.querySelector('button.resync'));
/** @param {Element} place */
const outcomeOf = (place) => /** @type {HTMLElement} */ (place.querySelector('[data-outcome]'));

const signIn = $button('sign-in');
const TOKEN = 'calsync.token';
const PENDING = 'calsync.sign-in';
/** @type {string | undefined} */
let token = sessionStorage.getItem(TOKEN) ?? undefined;

/** @param {ArrayBuffer | Uint8Array} bytes */
const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const randomText = () => b64url(crypto.getRandomValues(new Uint8Array(32)));
const entra = root.tenant && root.client ? { endpoint: root.authority + '/' + root.tenant + '/oauth2/v2.0/', client: root.client, scope: root.client + '/.default openid' } : undefined;
const redirectUri = location.origin + location.pathname;

async function startSignIn() {
  if (!entra) return;
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
  /** @type {{ verifier: string, state: string } | null} */
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null');
  if (!entra || !pending || !params.has('state')) return;
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', redirectUri);
  const code = params.get('code');
  if (params.get('state') !== pending.state || !code) throw new Error('sign-in failed: ' + (params.get('error_description') ?? params.get('error') ?? 'the answer did not match the request'));
  const res = await fetch(entra.endpoint + 'token', {
    method: 'POST',
    body: new URLSearchParams({ client_id: entra.client, grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: pending.verifier, scope: entra.scope }),
  });
  const body = await res.json();
  if (!res.ok || typeof body.access_token !== 'string') throw new Error('sign-in failed: ' + (body.error_description ?? res.status));
  token = /** @type {string} */ (body.access_token);
  sessionStorage.setItem(TOKEN, token);
}

class ApiError extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * One API call; answers other than 2xx become an ApiError carrying the API's own message.
 * With accept, a non-2xx answer whose body passes accept is returned too (/status answers 503
 * with its checks when it is failing).
 * @param {string} path
 * @param {RequestInit} [init]
 * @param {(body: any) => boolean} [accept]
 * @returns {Promise<any>}
 */
async function api(path, init = {}, accept) {
  /** @type {Record<string, string>} */
  const headers = token ? { authorization: 'Bearer ' + token } : {};
  const res = await fetch('/api/' + path, { ...init, headers });
  const body = await res.json().catch(() => ({}));
  if (res.status === 401) {
    sessionStorage.removeItem(TOKEN);
    token = undefined;
    signIn.hidden = !entra;
  }
  if (!res.ok && !(accept && accept(body))) throw new ApiError(res.status, body.error ?? 'HTTP ' + res.status);
  return body;
}

/** @param {unknown} error */
const messageOf = (error) => (error instanceof Error ? error.message : String(error));
/** @param {HTMLElement} element @param {string} text @param {string} [cls] */
const say = (element, text, cls) => {
  element.textContent = text;
  element.className = cls ?? '';
};
/** @template {keyof HTMLElementTagNameMap} K @param {K} tag @param {string} [text] @param {string} [cls] @returns {HTMLElementTagNameMap[K]} */
const el = (tag, text, cls) => {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
};
/** @param {HTMLTableRowElement} tr @param {string | undefined} text @param {string} [cls] */
const cell = (tr, text, cls) => {
  const td = el('td', text ?? '', cls);
  tr.append(td);
  return td;
};
/** @param {string | undefined} iso */
const when = (iso) => (iso ? new Date(iso).toLocaleString() : '');
/** @param {{ start: string, end: string }} a */
const span = (a) => when(a.start) + ' – ' + when(a.end);

// ---- status panel ----------------------------------------------------------------------
/** @param {any} body @returns {body is StatusBody} */
const hasChecks = (body) => body && typeof body.status === 'string' && body.checks && typeof body.checks === 'object';
async function loadStatus() {
  const button = $button('status-refresh');
  const rows = $('status-rows');
  button.disabled = true;
  say($('overall'), 'checking…');
  try {
    const body = await api('status', {}, hasChecks);
    if (!hasChecks(body)) throw new Error('the answer has no checks');
    say($('overall'), body.status, body.status);
    rows.replaceChildren();
    /** @type {string[]} */
    const profiles = [];
    for (const [name, check] of Object.entries(body.checks)) {
      if (name.startsWith('profile:')) profiles.push(name.slice('profile:'.length));
      const tr = el('tr');
      tr.dataset.check = name;
      cell(tr, name);
      cell(tr, String(check.status ?? 'unknown'), check.status);
      cell(tr, typeof check.detail === 'string' ? check.detail : JSON.stringify(check.detail ?? ''));
      rows.append(tr);
    }
    $('profiles').replaceChildren(
      ...profiles.map((p) => {
        const o = el('option');
        o.value = p;
        return o;
      }),
    );
    say($('status-at'), 'as of ' + new Date().toLocaleTimeString(), 'note');
  } catch (error) {
    rows.replaceChildren();
    const why = error instanceof ApiError && error.status === 403 ? 'you lack the role: ' + error.message : messageOf(error);
    say($('overall'), 'unknown (the status cannot be read: ' + why + ')', 'error');
    say($('status-at'), '');
  } finally {
    button.disabled = false;
  }
}
$('status-refresh').addEventListener('click', loadStatus);

// ---- the mailbox list: searched and paged by the API -----------------------------------
// pages[i] is the continuationToken of page i (undefined for the first); the API knows no totals.
/** @type {Array<string | undefined>} */
let pages = [undefined];
let pageIndex = 0;
/** @type {string | undefined} */
let nextToken;
/** @type {Map<string, Outcome>} */
const outcomes = new Map();

function query() {
  const q = new URLSearchParams({ pageSize: $input('f-size').value });
  for (const [name, id] of [['state', 'f-state'], ['profile', 'f-profile'], ['address', 'f-address'], ['search', 'f-search']]) {
    const value = $input(/** @type {string} */ (id)).value.trim();
    if (value) q.set(/** @type {string} */ (name), value);
  }
  const at = pages[pageIndex];
  if (at) q.set('continuationToken', at);
  return q;
}

async function loadPage() {
  const summary = $('summary');
  $button('prev').disabled = true;
  $button('next').disabled = true;
  say(summary, 'Loading…');
  try {
    /** @type {{ mailboxes: MailboxStatus[], next?: string, scan?: { read: number, limit: number } }} */
    const body = await api('mailboxes?' + query());
    const rows = $('rows');
    rows.replaceChildren();
    for (const m of body.mailboxes) rows.append(mailboxRow(m));
    nextToken = body.next;
    const shown = 'Page ' + (pageIndex + 1) + ': ' + body.mailboxes.length + (body.mailboxes.length === 1 ? ' mailbox' : ' mailboxes') + (body.next ? '; more on the next page' : '');
    const scan = body.scan ? ' (the search read ' + body.scan.read + ' mailboxes for this page, at most ' + body.scan.limit + (body.next ? '; Next searches on' : '') + ')' : '';
    say(summary, shown + scan);
  } catch (error) {
    say(summary, 'Cannot read the mailboxes: ' + messageOf(error), 'error');
  } finally {
    $button('prev').disabled = pageIndex === 0;
    $button('next').disabled = !nextToken;
  }
}

/** @param {MailboxStatus} m */
function mailboxRow(m) {
  const tr = el('tr');
  tr.dataset.key = m.key;
  tr.dataset.state = m.state;
  const open = el('button', m.key, 'open');
  open.title = 'details';
  open.addEventListener('click', () => openDetail(m.key));
  cell(tr, '').append(open);
  cell(tr, m.address);
  cell(tr, m.state + (m.stateReason ? ' (' + m.stateReason + ')' : ''), m.state);
  cell(tr, m.profile);
  cell(tr, m.lastSyncAt ? when(m.lastSyncAt) + ' ' + (m.lastSyncMode ?? '') : '');
  cell(tr, String(m.activities));
  cell(tr, m.lastError);
  const actions = cell(tr, '');
  const button = el('button', 'resync', 'resync');
  button.addEventListener('click', () => resync(m.key));
  actions.append(button, ' ', outcomeElement());
  showOutcome(m.key, tr);
  return tr;
}

$('filter').addEventListener('submit', (event) => {
  event.preventDefault();
  pages = [undefined];
  pageIndex = 0;
  loadPage();
});
$('next').addEventListener('click', () => {
  pages[pageIndex + 1] = nextToken;
  pageIndex++;
  loadPage();
});
$('prev').addEventListener('click', () => {
  pageIndex--;
  loadPage();
});

// ---- resync: queued, then the job's own result -----------------------------------------
const outcomeElement = () => {
  const s = el('span');
  s.setAttribute('role', 'status');
  s.dataset.outcome = '';
  return s;
};
/**
 * Shows a mailbox's resync outcome wherever its button is: its row and its open detail.
 * @param {string} key
 * @param {HTMLElement} [only]
 */
function showOutcome(key, only) {
  const shown = outcomes.get(key);
  if (!shown) return;
  const places = only ? [only] : [...$('rows').children].filter((tr) => tr instanceof HTMLElement && tr.dataset.key === key);
  if ($('detail').dataset.key === key && !only) places.push($('detail-actions'));
  for (const place of places) {
    resyncButton(place).disabled = shown.pending;
    say(outcomeOf(place), shown.text, shown.cls);
  }
}
/** @param {string} key @param {Outcome} outcome */
const settle = (key, outcome) => {
  outcomes.set(key, outcome);
  showOutcome(key);
};

const POLL_MS = 1000;
const POLL_LIMIT_MS = 120000;
/** @param {string} key */
async function resync(key) {
  settle(key, { pending: true, text: 'requesting…' });
  /** @type {MailboxFacts} */
  let before;
  try {
    before = (await api('mailboxes/' + encodeURIComponent(key))).mailbox;
    await api('mailboxes/' + encodeURIComponent(key) + '/resync', { method: 'POST' });
  } catch (error) {
    settle(key, { pending: false, text: 'not queued: ' + messageOf(error), cls: 'error' });
    return;
  }
  settle(key, { pending: true, text: 'full sync queued, waiting for the job…' });
  const deadline = Date.now() + POLL_LIMIT_MS;
  while (Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, POLL_MS));
    /** @type {MailboxDetail} */
    let detail;
    try {
      detail = await api('mailboxes/' + encodeURIComponent(key));
    } catch (error) {
      settle(key, { pending: false, text: 'queued, but its result cannot be read: ' + messageOf(error), cls: 'error' });
      return;
    }
    const m = detail.mailbox;
    const failed = m.lastErrorAt && m.lastErrorAt !== before.lastErrorAt && m.lastErrorAt !== m.lastSyncAt;
    if (failed) {
      settle(key, { pending: false, text: 'the job failed: ' + (m.lastError ?? 'no reason given'), cls: 'error' });
    } else if (m.lastSyncAt && m.lastSyncAt !== before.lastSyncAt && m.lastSyncMode === 'full') {
      // Only a full sync is the one asked for: a notification's delta job may finish first.
      settle(key, { pending: false, text: 'done: ' + m.lastSyncMode + ' sync at ' + when(m.lastSyncAt) + ', ' + m.activities + ' activities held' + (m.lastError ? '; ' + m.lastError : ''), cls: m.lastError ? 'error' : 'done' });
    } else continue;
    for (const tr of [...$('rows').children].filter((r) => r instanceof HTMLElement && r.dataset.key === key)) {
      const fresh = mailboxRow(m);
      tr.replaceWith(fresh);
    }
    if ($('detail').dataset.key === key) renderDetail(detail);
    return;
  }
  settle(key, { pending: false, text: 'queued; no result after ' + POLL_LIMIT_MS / 60000 + ' minutes (the job may be waiting to retry)', cls: 'error' });
}

// ---- one mailbox: why CMG shows what it shows ------------------------------------------
/** @type {MailboxPreview | undefined} the last preview of the open mailbox */
let preview;
/** @type {MailboxDetail | undefined} the detail on display */
let shown;
/** @param {string} key */
async function openDetail(key) {
  const detail = $('detail');
  detail.dataset.key = key;
  detail.hidden = false;
  preview = undefined;
  say($('detail-title'), 'Mailbox ' + key);
  say($('why'), 'Loading…');
  $('facts').replaceChildren();
  $('held').replaceChildren();
  $('subscriptions').replaceChildren();
  $('preview-rows').replaceChildren();
  $('skipped-rows').replaceChildren();
  say($('preview-out'), '');
  say($('push-secrets-out'), '');
  secretsButton.disabled = false;
  say(outcomeOf($('detail-actions')), '');
  resyncButton($('detail-actions')).disabled = false;
  showOutcome(key);
  detail.scrollIntoView();
  try {
    renderDetail(await api('mailboxes/' + encodeURIComponent(key)));
  } catch (error) {
    say($('why'), 'Cannot read the mailbox: ' + messageOf(error), 'error');
    return;
  }
  runPreview();
}

/** @param {string} name @param {string | number | undefined | null | false} value @param {string} [cls] */
function fact(name, value, cls) {
  if (value === undefined || value === null || value === '' || value === false) return;
  $('facts').append(el('dt', name), el('dd', String(value), cls));
}

/** @param {MailboxDetail} d */
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
  const subs = $('subscriptions');
  subs.replaceChildren();
  for (const s of d.subscriptions) {
    const expired = Date.parse(s.expiresAt) <= Date.now();
    // An Exchange push subscription does not expire: it is replaced once silent past this time.
    const state = s.provider === 'exchange' ? (expired ? ' silent, to be replaced since ' : ' replaced if silent past ') : expired ? ' expired ' : ' expires ';
    subs.append(el('li', s.provider + (s.provider === 'google' ? ' channel ' : ' subscription ') + s.id + state + when(s.expiresAt), expired ? 'error' : ''));
  }
  if (d.subscriptions.length === 0) subs.append(el('li', 'none: changes are found by polling only', 'note'));
  const held = $('held');
  held.replaceChildren();
  const current = new Set(d.current.map((a) => a.externalId));
  for (const a of d.activities) {
    const tr = el('tr', undefined, current.has(a.externalId) ? 'now' : '');
    tr.dataset.externalId = a.externalId;
    cell(tr, span(a));
    cell(tr, a.code);
    cell(tr, a.sourceEventId);
    cell(tr, when(a.acknowledgedAt));
    cell(tr, a.rejected ? 'refused by CMG (' + a.rejected + ')' : current.has(a.externalId) ? 'under way' : '', a.rejected ? 'error' : '');
    held.append(tr);
  }
  if (d.activities.length === 0) {
    const tr = el('tr');
    cell(tr, 'CMG holds no activity for this mailbox', 'note').colSpan = 5;
    held.append(tr);
  }
  $('detail').dataset.current = JSON.stringify(d.current.map((a) => a.externalId));
  $('detail').dataset.next = d.next ? d.next.externalId : '';
  explain(d);
}

/**
 * The answer to "why is this person shown busy": what CMG holds now, and which event made it.
 * @param {MailboxDetail} d
 */
function explain(d) {
  const why = $('why');
  why.replaceChildren();
  /** @param {HeldActivity} a */
  const textOf = (a) => {
    const live = preview && preview.activities.find((p) => p.externalId === a.externalId);
    if (!preview) return '';
    if (!live) return ' It is no longer in the live calendar: the next sync removes it.';
    return ' The event says "' + live.text + '"' + (live.private ? ' (a private appointment: only its masked text is shown)' : '') + '.';
  };
  /** @param {string} text @param {string} [cls] */
  const line = (text, cls) => why.append(el('p', text, cls));
  if (d.current.length === 0) line('Nothing is under way at ' + when(d.at) + ': CMG shows no calendar activity for this person now.', 'done');
  for (const a of d.current) line('Shown as "' + a.code + '" now (' + span(a) + ') because of calendar event ' + a.sourceEventId + (a.seriesId ? ' (series ' + a.seriesId + ')' : '') + '.' + textOf(a), 'error');
  if (d.next) line('Next: "' + d.next.code + '" ' + span(d.next) + ', from event ' + d.next.sourceEventId + '.' + textOf(d.next), 'note');
  if (d.mailbox.state !== 'active') line('This mailbox is not synced now: ' + d.mailbox.state + (d.mailbox.stateReason ? ' (' + d.mailbox.stateReason + ')' : '') + '.', d.mailbox.state);
}

const previewButton = $button('preview');
async function runPreview() {
  const key = $('detail').dataset.key ?? '';
  previewButton.disabled = true;
  say($('preview-out'), 'reading the live calendar…');
  try {
    /** @type {MailboxPreview} */
    const body = await api('mailboxes/' + encodeURIComponent(key) + '/preview');
    if ($('detail').dataset.key !== key) return;
    preview = body;
    const rows = $('preview-rows');
    rows.replaceChildren();
    for (const a of body.activities) {
      const tr = el('tr');
      tr.dataset.externalId = a.externalId;
      cell(tr, span(a));
      cell(tr, a.code);
      cell(tr, a.text + (a.private ? ' (private)' : ''));
      cell(tr, a.forward ? 'yes' : 'no');
      rows.append(tr);
    }
    const skipped = $('skipped-rows');
    skipped.replaceChildren();
    for (const s of body.skipped) {
      const tr = el('tr');
      cell(tr, s.eventId);
      cell(tr, s.reason + (s.detail ? ': ' + s.detail : ''));
      skipped.append(tr);
    }
    say($('preview-out'), body.activities.length + ' activities, ' + body.skipped.length + ' events skipped; the next full sync would send ' + body.pending.upserts + ' and delete ' + body.pending.deletes, 'done');
    if (shown) explain(shown);
  } catch (error) {
    say($('preview-out'), 'preview failed: ' + messageOf(error), 'error');
  } finally {
    previewButton.disabled = false;
  }
}
previewButton.addEventListener('click', runPreview);
resyncButton($('detail-actions')).addEventListener('click', () => resync($('detail').dataset.key ?? ''));
$('close').addEventListener('click', () => {
  $('detail').hidden = true;
  delete $('detail').dataset.key;
});

// ---- push secrets: new clientStates and channel tokens, for a mailbox or a profile ----------
const secretsButton = $button('push-secrets');
/** @param {MailboxDetail} d */
const subscriptionIds = (d) => d.subscriptions.map((s) => s.id);
async function replaceSecrets() {
  const key = $('detail').dataset.key ?? '';
  const out = $('push-secrets-out');
  const path = 'mailboxes/' + encodeURIComponent(key);
  secretsButton.disabled = true;
  say(out, 'requesting…');
  try {
    const before = subscriptionIds(await api(path));
    await api(path + '/push-secrets', { method: 'POST' });
    say(out, 'queued, waiting for the job…');
    // Done once none of the old subscriptions is left and new ones took their place.
    const deadline = Date.now() + POLL_LIMIT_MS;
    while (Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, POLL_MS));
      /** @type {MailboxDetail} */
      const detail = await api(path);
      const now = subscriptionIds(detail);
      if (now.length > 0 && now.every((id) => !before.includes(id))) {
        say(out, 'done: ' + now.length + (now.length === 1 ? ' subscription' : ' subscriptions') + ' with new secrets; the old ones are refused', 'done');
        if ($('detail').dataset.key === key) renderDetail(detail);
        return;
      }
    }
    say(out, 'queued; not replaced after ' + POLL_LIMIT_MS / 60000 + ' minutes (the job may wait for the quiet period, or it failed: see push.secret-replacement-failed in the log)', 'error');
  } catch (error) {
    say(out, 'not replaced: ' + messageOf(error), 'error');
  } finally {
    secretsButton.disabled = false;
  }
}
secretsButton.addEventListener('click', replaceSecrets);

$('profile-secrets').addEventListener('submit', async (event) => {
  event.preventDefault();
  const out = $('profile-secrets-out');
  const name = $input('secrets-profile').value.trim();
  say(out, 'requesting…');
  try {
    /** @type {{ mailboxes: number }} */
    const body = await api('profiles/' + encodeURIComponent(name) + '/push-secrets', { method: 'POST' });
    say(out, 'queued for ' + body.mailboxes + (body.mailboxes === 1 ? ' mailbox' : ' mailboxes') + ': each one\'s job replaces its subscriptions', 'done');
  } catch (error) {
    say(out, 'not queued: ' + messageOf(error), 'error');
  }
});

// ---- connections ------------------------------------------------------------------------
const check = $button('check');
check.addEventListener('click', async () => {
  const out = $('checks');
  check.disabled = true;
  say(out, 'checking…');
  try {
    /** @type {{ checks: Array<{ name: string, ok: boolean, error?: string }> }} */
    const body = await api('connections/check');
    say(out, body.checks.map((c) => c.name + ': ' + (c.ok ? 'ok' : c.error)).join(' · '), body.checks.every((c) => c.ok) ? 'done' : 'error');
  } catch (error) {
    say(out, 'check failed: ' + messageOf(error), 'error');
  } finally {
    check.disabled = false;
  }
});

// ---- reports: the lists an operator works through --------------------------------------
/**
 * Each report: the API path under reports/, the field holding its rows, and its columns.
 * @type {Record<string, { field: string, empty: string, columns: Array<[string, (row: any) => string]> }>}
 */
const REPORTS = {
  invalid: {
    field: 'mailboxes',
    empty: 'No invalid address.',
    columns: [
      ['mailbox', (m) => m.key],
      ['address', (m) => m.address],
      ['why', (m) => m.stateReason ?? ''],
      ['last error', (m) => m.lastError ?? ''],
    ],
  },
  multi: {
    field: 'addresses',
    empty: 'No address is shared by two CMG users.',
    columns: [
      ['address', (a) => a.address],
      ['CMG users', (a) => a.mailboxes.join(', ')],
    ],
  },
  'dead-letters': {
    field: 'deadLetters',
    empty: 'No job was dead-lettered.',
    columns: [
      ['when', (d) => when(d.at)],
      ['mailbox', (d) => d.mailboxKey ?? '(unreadable message)'],
      ['reason', (d) => d.reason],
      ['what went wrong', (d) => d.description],
      ['deliveries', (d) => String(d.deliveryCount)],
    ],
  },
  'rejected-activities': {
    field: 'activities',
    empty: 'CMG refused no activity.',
    columns: [
      ['mailbox', (a) => a.mailbox],
      ['when', (a) => span(a)],
      ['code', (a) => a.code],
      ['calendar event', (a) => a.sourceEventId],
      ["CMG's answer", (a) => a.rejected],
      ['refused at', (a) => when(a.at)],
    ],
  },
};

/** @param {string} name */
async function showReport(name) {
  const report = REPORTS[name];
  if (!report) return;
  const out = $('report-out');
  const table = $('report');
  table.dataset.report = name;
  for (const b of $('report-buttons').querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.report === name));
  say(out, 'Loading…');
  $('report-rows').replaceChildren();
  try {
    const body = await api('reports/' + name);
    if (table.dataset.report !== name) return;
    /** @type {unknown[]} */
    const rows = body[report.field] ?? [];
    $('report-head').replaceChildren(...report.columns.map(([title]) => el('th', title)));
    $('report-rows').replaceChildren(
      ...rows.map((row) => {
        const tr = el('tr');
        for (const [, value] of report.columns) cell(tr, value(row));
        return tr;
      }),
    );
    table.hidden = rows.length === 0;
    say(out, rows.length === 0 ? report.empty : rows.length + (rows.length === 1 ? ' row' : ' rows'), rows.length === 0 ? 'note' : '');
  } catch (error) {
    table.hidden = true;
    say(out, 'Cannot read the report: ' + messageOf(error), 'error');
  }
}
for (const b of $('report-buttons').querySelectorAll('button')) b.addEventListener('click', () => showReport(b.dataset.report ?? ''));

signIn.addEventListener('click', () => {
  startSignIn().catch((error) => say($('summary'), messageOf(error), 'error'));
});

finishSignIn()
  .catch((error) => say($('summary'), messageOf(error), 'error'))
  .then(() => {
    loadStatus();
    loadPage();
  });
