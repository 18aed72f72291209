/**
 * The admin page: one self-contained HTML document that reads the admin API. It carries the
 * function key it was opened with (`?code=`) to its API calls, so it works behind function keys.
 * Text from the API is inserted with textContent, never as HTML.
 */
export const ADMIN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CMG calendar sync</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body{font:14px system-ui,sans-serif;margin:2rem;color:#222} h1{font-size:1.4rem}
 table{border-collapse:collapse;width:100%} th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left}
 th{background:#f5f5f5} .active{color:#176c2a} .invalid,.failing{color:#b00020} .excluded,.disabled,.over-limit{color:#777}
 #summary span{margin-right:1.5rem} button{font-size:12px}
</style></head>
<body>
<h1>CMG calendar sync</h1>
<p id="summary">Loading…</p>
<p><button id="check">Check connections</button> <span id="checks"></span></p>
<table><thead><tr><th>mailbox</th><th>address</th><th>state</th><th>profile</th><th>last sync</th><th>activities</th><th>last error</th><th></th></tr></thead>
<tbody id="rows"></tbody></table>
<script type="module">
const code = new URLSearchParams(location.search).get('code');
const api = (path) => '/api/' + path + (code ? (path.includes('?') ? '&' : '?') + 'code=' + encodeURIComponent(code) : '');
const cell = (tr, text, cls) => { const td = document.createElement('td'); td.textContent = text ?? ''; if (cls) td.className = cls; tr.append(td); return td; };
async function load() {
  const all = []; let next;
  do {
    const res = await fetch(api('mailboxes?pageSize=500' + (next ? '&continuationToken=' + encodeURIComponent(next) : '')));
    const body = await res.json(); all.push(...body.mailboxes); next = body.next;
  } while (next);
  // Problems first (failing, invalid), then the rest, each by mailbox key.
  const rank = { failing: 0, invalid: 1, 'over-limit': 2, active: 3, excluded: 4, disabled: 5 };
  all.sort((a, b) => (rank[a.state] ?? 9) - (rank[b.state] ?? 9) || a.key.localeCompare(b.key, undefined, { numeric: true }));
  const rows = document.getElementById('rows'); rows.replaceChildren();
  const counts = {};
  for (const m of all) {
    counts[m.state] = (counts[m.state] ?? 0) + 1;
    const tr = document.createElement('tr');
    cell(tr, m.key); cell(tr, m.address); cell(tr, m.state + (m.stateReason ? ' (' + m.stateReason + ')' : ''), m.state);
    cell(tr, m.profile); cell(tr, m.lastSyncAt ? new Date(m.lastSyncAt).toLocaleString() + ' ' + (m.lastSyncMode ?? '') : '');
    cell(tr, String(m.activities)); cell(tr, m.lastError);
    const b = document.createElement('button'); b.textContent = 'resync';
    b.onclick = async () => { b.disabled = true; await fetch(api('mailboxes/' + encodeURIComponent(m.key) + '/resync'), { method: 'POST' }); b.textContent = 'queued'; };
    cell(tr, '').append(b); rows.append(tr);
  }
  const summary = document.getElementById('summary'); summary.replaceChildren();
  const total = document.createElement('span'); total.textContent = all.length + ' mailboxes'; summary.append(total);
  for (const [state, n] of Object.entries(counts)) { const s = document.createElement('span'); s.className = state; s.textContent = state + ': ' + n; summary.append(s); }
}
document.getElementById('check').onclick = async () => {
  const out = document.getElementById('checks'); out.textContent = 'checking…';
  const body = await (await fetch(api('connections/check'))).json();
  out.textContent = body.checks.map((c) => c.name + ': ' + (c.ok ? 'ok' : c.error)).join(' · ');
};
load(); setInterval(load, 10000);
</script></body></html>`;
