/**
 * The dev host as `npm start` runs it (built, then `node dist/tools/dev-host/main.js` on a free
 * port): who it answers, what a malformed request gets, and the admin page in headless Chromium
 * (Debian's `chromium`, driven by playwright-core; no browser is downloaded).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableStore } from '../../../shared/store/table-store.js';
import { AZURITE_ACCOUNT, AZURITE_ACCOUNT_KEY } from '../../../tools/azurite/start-azurite.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => path !== undefined && existsSync(path));

let host: ChildProcess | undefined;
let port = 0;
let output = '';
/** The dev host's working directory, where it writes dev-host.log. */
let hostDir = '';

/** The dev host's own log lines that name `mailbox` or are warnings and errors: what a failed wait on a job prints. */
function hostLog(mailbox: string): string {
  const lines = readFileSync(join(hostDir, 'dev-host.log'), 'utf8').split('\n');
  return lines.filter((line) => line.includes(`"mailbox":"${mailbox}"`) || /"level":"(warn|error)"/.test(line)).slice(-40).join('\n');
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as { port: number };
      server.close(() => done(free));
    });
  });
}

beforeAll(async () => {
  // dist/ is built once for the run by test/support/global-setup.ts (tsc, then the admin page's files).
  port = await freePort();
  // Its own working directory: no local.settings.json (embedded defaults), its own dev-host.log.
  hostDir = mkdtempSync(join(tmpdir(), 'dev-host-'));
  host = spawn(process.execPath, [join(ROOT, 'dist', 'tools', 'dev-host', 'main.js')], { cwd: hostDir, env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  host.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  host.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((ready, fail) => {
    const poll = setInterval(() => {
      if (output.includes('Ready in')) {
        clearInterval(poll);
        ready();
      } else if (host!.exitCode !== null) {
        clearInterval(poll);
        fail(new Error(`the dev host stopped: ${output}`));
      }
    }, 100);
  });
}, 240_000);

afterAll(async () => {
  if (host && host.exitCode === null) {
    const exited = new Promise((done) => host!.once('exit', done));
    host.kill('SIGTERM');
    await exited;
  }
});

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** Plain HTTP as curl sends it: node:http, so the Host header can be anything. */
function call(method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((done, fail) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { host: `localhost:${port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.once('error', fail);
    req.end();
  });
}

describe('dev host', () => {
  it('when curl reads the mailbox list as the README shows, then it works without sign-in', async () => {
    const res = await call('GET', '/api/mailboxes');
    expect(res.status).toBe(200);
    expect((JSON.parse(res.body) as { mailboxes: unknown[] }).mailboxes.length).toBeGreaterThan(0);
    expect(res.headers['cache-control']).toBe('no-store');
    expect((await call('GET', '/api/reports/invalid')).status).toBe(200);
  });

  it('when the status is read as the README shows, then the demo organisation is ok in every check', async () => {
    const res = await call('GET', '/api/status');
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { status: string; checks: Record<string, { status: string; detail: string }> };
    const notOk = Object.entries(body.checks).filter(([, c]) => c.status !== 'ok').map(([name, c]) => `${name}: ${c.detail}`);
    expect(notOk).toEqual([]);
    expect(body.status).toBe('ok');
    expect(Object.keys(body.checks)).toEqual(expect.arrayContaining(['cmg', 'queue', 'subscriptions', 'profile:M365', 'profile:GWS']));
  });

  it.each(['evil.example', 'evil.example:7071', '192.168.1.20:7071'])('when the Host header is %j, then 421', async (hostHeader) => {
    const res = await call('GET', '/api/mailboxes', { host: hostHeader });
    expect(res.status).toBe(421);
    expect(res.body).not.toContain('@');
  });

  it.each(['127.0.0.1', '[::1]', 'LOCALHOST'])('when the Host header names the loopback (%s), then it is answered', async (name) => {
    expect((await call('GET', '/api/health', { host: `${name}:${port}` })).status).toBe(200);
  });

  it.each(['https://evil.example', 'http://evil.example:7071', 'null'])('when a page of origin %s posts a resync, then 403', async (origin) => {
    const res = await call('POST', '/api/mailboxes/1002/resync', { origin });
    expect(res.status).toBe(403);
  });

  it.each([
    ['an Origin of another site', { origin: 'https://evil.example' }],
    ['Sec-Fetch-Site cross-site and no Origin (a plain cross-origin GET)', { 'sec-fetch-site': 'cross-site' }],
  ])('when a page sends an operator GET with %s, then 403 and the work is not done', async (_name, headers) => {
    const checks = (await call('GET', '/api/connections/check', headers)).status;
    const preview = await call('GET', '/api/mailboxes/1002/preview', headers);
    expect([checks, preview.status]).toEqual([403, 403]);
    expect(preview.body).not.toContain('activities');
  });

  it('when the page itself or the developer opens a preview, then it is answered', async () => {
    expect((await call('GET', '/api/mailboxes/1002/preview', { origin: `http://localhost:${port}`, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await call('GET', '/api/mailboxes/1002/preview', { 'sec-fetch-site': 'none' })).status).toBe(200);
  });

  it('when the page itself or curl posts a resync, then it is queued', async () => {
    expect((await call('POST', '/api/mailboxes/1002/resync', { origin: `http://localhost:${port}` })).status).toBe(202);
    expect((await call('POST', '/api/mailboxes/1002/resync')).status).toBe(202);
  });

  it.each(['/api/mailboxes/%E0%A4%A/preview', '/api/mailboxes/%/resync', '/api/mailboxes/abc%zz/preview'])('when a route parameter is malformed (%s), then 400 and the host lives on', async (path) => {
    const res = await call(path.endsWith('resync') ? 'POST' : 'GET', path);
    expect(res.status).toBe(400);
    expect((await call('GET', '/api/health')).status).toBe(200);
  });

  it('when a caller brings its own token, then that token is checked, not replaced by the local operator', async () => {
    expect((await call('GET', '/api/mailboxes', { authorization: 'Bearer not.a.token' })).status).toBe(401);
  });
});

describe.skipIf(CHROMIUM === undefined && process.env.CI !== 'true')('admin page in headless Chromium', () => {
  /**
   * How long the page may take to show the dev host's answer: vitest's default of one second is
   * too short when CI runs the test files side by side and the dev host answers in seconds.
   */
  const UNTIL_ANSWERED = { timeout: 15_000 };
  /** How long the page waits for a job's result before it says there is none (POLL_LIMIT_MS in admin.js). */
  const UNTIL_JOB_DONE = { timeout: 120_000 };
  /** A test that waits for a job: its wait, and the browser's work around it. */
  const JOB_TEST_TIMEOUT = 150_000;
  let browser: Browser;
  beforeAll(async () => {
    if (CHROMIUM === undefined) throw new Error('chromium is not installed (apt-get install -y chromium); .ci/run installs it');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  /** The admin page, loaded; `problems` collects console errors, page errors and CSP violations. */
  async function adminPage(prepare: (page: Page) => Promise<unknown> = async () => undefined): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    // Runs in the page before its own script: every CSP violation becomes a console error.
    await page.addInitScript({ content: "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));" });
    await prepare(page);
    const response = await page.goto(`http://localhost:${port}/api/admin`);
    expect(response?.status()).toBe(200);
    await page.waitForSelector('#rows tr');
    return { page, problems };
  }
  const keysShown = (page: Page): Promise<string[]> => page.locator('#rows tr').evaluateAll((rows) => rows.map((tr) => tr.getAttribute('data-key') ?? ''));
  async function search(page: Page, fields: { state?: string; address?: string; search?: string; size?: string }): Promise<void> {
    await page.selectOption('#f-state', fields.state ?? '');
    await page.fill('#f-address', fields.address ?? '');
    await page.fill('#f-search', fields.search ?? '');
    if (fields.size) await page.selectOption('#f-size', fields.size);
    await page.click('#filter button[type=submit]');
    await expect.poll(() => page.textContent('#summary'), UNTIL_ANSWERED).toMatch(/^Page \d+/);
  }

  it('when the page loads, then the status panel shows the overall status and every check of /api/status, with no console error and no CSP violation', async () => {
    const { page, problems } = await adminPage();
    await expect.poll(() => page.textContent('#overall'), UNTIL_ANSWERED).toBe('ok');
    // The status is computed once per 30 s, so the page and this call see the same answer.
    const status = JSON.parse((await call('GET', '/api/status')).body) as { status: string; checks: Record<string, { status: string; detail: string }> };
    const shown = await page.locator('#status-rows tr').evaluateAll((rows) => rows.map((tr) => [...tr.children].map((td) => td.textContent)));
    expect(shown).toEqual(Object.entries(status.checks).map(([name, check]) => [name, check.status, check.detail]));
    expect(shown.map(([name]) => name)).toEqual(expect.arrayContaining(['cmg', 'queue', 'subscriptions']));
    const profiles = Object.keys(status.checks).filter((name) => name.startsWith('profile:')).map((name) => name.slice('profile:'.length));
    expect(profiles.length).toBeGreaterThan(0);
    expect(await page.locator('#profiles option').evaluateAll((options) => options.map((o) => o.getAttribute('value')))).toEqual(profiles);

    await page.click('#check');
    await expect.poll(() => page.textContent('#checks'), UNTIL_ANSWERED).toMatch(/CMG: ok/);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('when /api/status says degraded, then the panel shows it with each check\'s status and detail', async () => {
    const degraded = {
      status: 'degraded',
      checks: {
        cmg: { status: 'ok', detail: 'CMG answered in 12 ms' },
        queue: { status: 'degraded', detail: '2 dead-lettered jobs', deadLetters: 2 },
        'profile:M365': { status: 'failing', detail: 'the credentials were refused' },
      },
    };
    const { page } = await adminPage((p) => p.route('**/api/status', (route) => route.fulfill({ json: degraded })));
    await expect.poll(() => page.textContent('#overall'), UNTIL_ANSWERED).toBe('degraded');
    const shown = await page.locator('#status-rows tr').evaluateAll((rows) => rows.map((tr) => [...tr.children].map((td) => [td.textContent, td.className])));
    expect(shown).toEqual(Object.entries(degraded.checks).map(([name, check]) => [[name, ''], [check.status, check.status], [check.detail, '']]));
    await page.close();
  }, 60_000);

  it('when the caller lacks the role for /api/status, then the panel says the status is unknown and why', async () => {
    const { page } = await adminPage((p) =>
      p.route('**/api/status', (route) => route.fulfill({ status: 403, contentType: 'application/json', body: JSON.stringify({ error: 'this needs the app role CalendarSync.Reader' }) })),
    );
    await expect.poll(() => page.textContent('#overall'), UNTIL_ANSWERED).toBe('unknown (the status cannot be read: you lack the role: this needs the app role CalendarSync.Reader)');
    expect(await page.locator('#status-rows tr').count()).toBe(0);
    await page.click('#status-refresh');
    await expect.poll(() => page.textContent('#overall'), UNTIL_ANSWERED).toMatch(/^unknown/);
    await page.close();
  }, 60_000);

  it('when filters and a search are applied, then the list narrows, and the pages go forward and back without repeating a mailbox', async () => {
    const { page } = await adminPage();
    const all = (JSON.parse((await call('GET', '/api/mailboxes?pageSize=1000')).body) as { mailboxes: Array<{ key: string; address: string }> }).mailboxes;
    await search(page, { state: 'invalid' });
    expect(await keysShown(page)).toEqual(['2003']);
    await search(page, { search: 'ANNA' });
    expect((await keysShown(page)).sort()).toEqual(all.filter((m) => m.address.includes('anna')).map((m) => m.key).sort());
    expect(await page.textContent('#summary')).toMatch(/the search read \d+ mailboxes for this page, at most 2000/);
    await search(page, { address: 'sven.' });
    expect((await keysShown(page)).sort()).toEqual(all.filter((m) => m.address.startsWith('sven.')).map((m) => m.key).sort());

    await search(page, { size: '25' });
    const first = await keysShown(page);
    expect(first).toHaveLength(25);
    expect(await page.isDisabled('#prev')).toBe(true);
    // Forward to the last page (the demo holds more than two pages of 25), then back to the first
    const pages = [first];
    while (!(await page.isDisabled('#next'))) {
      await page.click('#next');
      await expect.poll(() => page.textContent('#summary'), UNTIL_ANSWERED).toMatch(new RegExp(`^Page ${pages.length + 1}: `));
      pages.push(await keysShown(page));
    }
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(pages.flat().sort()).toEqual(all.map((m) => m.key).sort());
    for (let n = pages.length - 1; n >= 1; n -= 1) {
      await page.click('#prev');
      await expect.poll(() => page.textContent('#summary'), UNTIL_ANSWERED).toMatch(new RegExp(`^Page ${n}: `));
    }
    await expect.poll(() => page.textContent('#summary'), UNTIL_ANSWERED).toMatch(/^Page 1: 25 mailboxes/);
    expect(await keysShown(page)).toEqual(first);
    await page.close();
  }, 60_000);

  it('when a mailbox is opened, then its detail shows the state, the activities CMG holds, and the preview with skip reasons', async () => {
    const { page, problems } = await adminPage();
    await search(page, { search: '1005' });
    await page.locator('#rows tr[data-key="1005"] button.open').click();
    await expect.poll(() => page.textContent('#preview-out'), UNTIL_ANSWERED).toMatch(/^\d+ activities, \d+ events skipped/);
    const detail = JSON.parse((await call('GET', '/api/mailboxes/1005')).body) as { mailbox: { address: string }; activities: Array<{ externalId: string; sourceEventId: string }> };
    expect(await page.textContent('#facts')).toContain(`state${'active'}`);
    expect(await page.textContent('#facts')).toContain(detail.mailbox.address);
    expect(await page.locator('#held tr').evaluateAll((rows) => rows.map((tr) => tr.getAttribute('data-external-id')))).toEqual(detail.activities.map((a) => a.externalId));
    // The demo week's cancelled all-hands and declined budget meeting are explained.
    const skipped = await page.locator('#skipped-rows tr').evaluateAll((rows) => rows.map((tr) => tr.lastElementChild?.textContent));
    expect(skipped).toEqual(expect.arrayContaining(['cancelled', 'declined']));
    expect(await page.textContent('#why')).toMatch(/^(Nothing is under way|Shown as)/);
    expect(await page.textContent('#subscriptions')).toMatch(/graph subscription .* expires/);
    // The private dentist appointment shows only what CMG gets.
    expect(await page.textContent('#preview-rows')).toContain('Private appointment (private)');
    expect(await page.content()).not.toContain('Dentist');
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('when an activity is under way, then the detail names its code, its time and the event that caused it, with the text CMG got', async () => {
    // The demo runs on the real clock: the detail is taken as the API gave it and judged at the
    // start of the private dentist appointment, so that one is under way whatever the hour.
    const { page } = await adminPage(async (p) => {
      await p.route('**/api/mailboxes/1005', async (route) => {
        const real = (await (await route.fetch()).json()) as { activities: Array<{ code: string; start: string; externalId: string }>; current: unknown[]; at: string };
        const preview = JSON.parse((await call('GET', '/api/mailboxes/1005/preview')).body) as { activities: Array<{ externalId: string; private: boolean }> };
        const dentist = real.activities.find((a) => preview.activities.some((p) => p.externalId === a.externalId && p.private))!;
        await route.fulfill({ json: { ...real, at: dentist.start, current: [dentist] } });
      });
    });
    await search(page, { search: '1005' });
    await page.locator('#rows tr[data-key="1005"] button.open').click();
    await expect.poll(() => page.textContent('#why'), UNTIL_ANSWERED).toMatch(/Shown as "\d+" now \(.*\) because of calendar event \S+\. The event says "Private appointment" \(a private appointment: only its masked text is shown\)\./);
    expect(await page.locator('#held tr.now').count()).toBe(1);
    await page.close();
  }, 60_000);

  it('when a resync is clicked, then the button shows it queued, is disabled while the job runs, and then shows the job\'s result', async () => {
    const { page } = await adminPage();
    await search(page, { search: '1002' });
    const row = page.locator('#rows tr[data-key="1002"]');
    await row.locator('button.resync').click();
    // The page asks for the job's result once a second: until then the button stays disabled.
    expect(await row.locator('button.resync').isDisabled()).toBe(true);
    expect(await row.locator('[data-outcome]').textContent()).toMatch(/^(requesting…|full sync queued, waiting for the job…)$/);
    try {
      await expect.poll(() => page.locator('#rows tr[data-key="1002"] [data-outcome]').textContent(), UNTIL_JOB_DONE).toMatch(/^done: full sync at .*, \d+ activities held$/);
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\nthe dev host's log for 1002:\n${hostLog('1002')}`, { cause: error });
    }
    expect(await page.locator('#rows tr[data-key="1002"] button.resync').isDisabled()).toBe(false);
    await page.close();
  }, JOB_TEST_TIMEOUT);

  it('when the API refuses a resync, then the button shows the refusal, not "queued"', async () => {
    const { page } = await adminPage((p) =>
      p.route('**/api/mailboxes/1003/resync', (route) =>
        route.fulfill({ status: 403, contentType: 'application/json', body: JSON.stringify({ error: 'this needs the app role CalendarSync.Operator' }) }),
      ),
    );
    await search(page, { search: '1003' });
    const row = page.locator('#rows tr[data-key="1003"]');
    await row.locator('button.resync').click();
    await expect.poll(() => row.locator('[data-outcome]').textContent(), UNTIL_ANSWERED).toBe('not queued: this needs the app role CalendarSync.Operator');
    await page.close();
  }, 60_000);

  it('when "Replace push secrets" is clicked in a mailbox\'s detail, then the page waits for the job and shows the new subscriptions, none of the old ones left', async () => {
    const { page, problems } = await adminPage();
    type Detail = { subscriptions: Array<{ id: string }> };
    const ids = async () => (JSON.parse((await call('GET', '/api/mailboxes/1004')).body) as Detail).subscriptions.map((s) => s.id);
    const before = await ids();
    expect(before.length).toBeGreaterThan(0);
    await search(page, { search: '1004' });
    await page.locator('#rows tr[data-key="1004"] button.open').click();
    await expect.poll(() => page.textContent('#subscriptions'), UNTIL_ANSWERED).toContain(before[0]!);
    await page.click('#push-secrets');
    expect(await page.isDisabled('#push-secrets')).toBe(true);
    await expect.poll(() => page.textContent('#push-secrets-out'), UNTIL_JOB_DONE).toMatch(/^done: \d+ subscriptions? with new secrets; the old ones are refused$/);
    const after = await ids();
    expect(after.length).toBe(before.length);
    expect(after.filter((id) => before.includes(id))).toEqual([]);
    const listed = await page.textContent('#subscriptions');
    for (const id of after) expect(listed).toContain(id);
    for (const id of before) expect(listed).not.toContain(id);
    expect(await page.isDisabled('#push-secrets')).toBe(false);
    expect(problems).toEqual([]);
    await page.close();
  }, JOB_TEST_TIMEOUT);

  it('when a profile\'s push secrets are asked for, then the page says how many mailboxes were queued; when the API refuses a mailbox\'s, then the page shows the refusal', async () => {
    const { page } = await adminPage((p) =>
      p.route('**/api/mailboxes/1003/push-secrets', (route) =>
        route.fulfill({ status: 403, contentType: 'application/json', body: JSON.stringify({ error: 'this needs the app role CalendarSync.Operator' }) }),
      ),
    );
    await page.fill('#secrets-profile', 'GWS');
    await page.click('#profile-secrets button[type=submit]');
    await expect.poll(() => page.textContent('#profile-secrets-out'), UNTIL_ANSWERED).toMatch(/^queued for [1-9]\d* mailboxes?: each one's job replaces its subscriptions$/);
    await page.fill('#secrets-profile', 'NOPE');
    await page.click('#profile-secrets button[type=submit]');
    await expect.poll(() => page.textContent('#profile-secrets-out'), UNTIL_ANSWERED).toBe('not queued: unknown profile');

    await search(page, { search: '1003' });
    await page.locator('#rows tr[data-key="1003"] button.open').click();
    await expect.poll(() => page.textContent('#facts'), UNTIL_ANSWERED).toContain('state');
    await page.click('#push-secrets');
    await expect.poll(() => page.textContent('#push-secrets-out'), UNTIL_ANSWERED).toBe('not replaced: this needs the app role CalendarSync.Operator');
    await page.close();
  }, 60_000);

  it('when the data holds markup, then the page shows it as text and runs none of it', async () => {
    const hostile = '<img src=x onerror="document.title=\'owned\'">';
    const { page } = await adminPage((p) =>
      p.route('**/api/mailboxes?**', (route) =>
        route.fulfill({ json: { mailboxes: [{ key: hostile, address: hostile, state: 'failing', stateReason: hostile, profile: hostile, lastError: hostile, activities: 0 }] } }),
      ),
    );
    expect(await page.locator('#rows td', { hasText: hostile }).count()).toBeGreaterThan(3);
    expect(await page.locator('#rows img').count()).toBe(0);
    expect(await page.title()).toBe('CMG calendar sync');
    await page.close();
  }, 60_000);

  it('when each report is opened, then the Reports section shows the rows of /api/reports/* from the running product', async () => {
    // Real data for all four: the demo holds an invalid address (2003) and a shared one (2004);
    // CMG is made to refuse the next activity PUT and a new meeting is synced; a dead-lettered
    // job is recorded through the product's own repository in the dev host's tables.
    const cmgOrigin = new URL(/cmg +emulator at (\S+)/.exec(output)![1]!).origin;
    const graphOrigin = new URL(/graph +emulator at (\S+?):? /.exec(output)![1]!).origin;
    const tables = /azurite +tables at (\S+)/.exec(output)![1]!;
    const store = createTableStore({ connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_ACCOUNT_KEY};TableEndpoint=${tables};` });
    await store.deadLetters.add({ messageId: 'reports-test', mailboxKey: '1001', reason: 'attempts-exhausted', description: '5 attempts failed; last: CMG answered 503', deliveryCount: 1, at: new Date().toISOString() });
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const anna = JSON.parse((await call('GET', '/api/mailboxes/1001')).body) as { mailbox: { address: string } };
    const hour = Math.ceil(Date.now() / 3_600_000) * 3_600_000;
    expect((await context.request.post(`${graphOrigin}/_control/graph/users/${anna.mailbox.address}/events`, { data: { subject: 'Refused by CMG', start: new Date(hour + 2 * 3_600_000).toISOString(), end: new Date(hour + 3 * 3_600_000).toISOString() } })).status()).toBe(201);
    expect((await context.request.post(`${cmgOrigin}/_control/cmg/faults`, { data: { operation: 'upsertActivity', kind: 'status', status: 422, times: 1 } })).status()).toBe(204);
    expect((await call('POST', '/api/mailboxes/1001/resync')).status).toBe(202);
    const reportRows = async (name: string): Promise<unknown[]> => Object.values(JSON.parse((await call('GET', `/api/reports/${name}`)).body) as Record<string, unknown[]>)[0]!;
    await expect.poll(async () => (await reportRows('rejected-activities')).length, UNTIL_JOB_DONE).toBeGreaterThan(0);
    await context.close();

    const { page, problems } = await adminPage();
    const expected: Record<string, (row: Record<string, unknown>) => string> = {
      invalid: (m) => String(m.key),
      multi: (a) => String(a.address),
      'dead-letters': (d) => String(d.reason),
      'rejected-activities': (a) => String(a.sourceEventId),
    };
    for (const [name, identify] of Object.entries(expected)) {
      const rows = (await reportRows(name)) as Array<Record<string, unknown>>;
      expect(rows.length, name).toBeGreaterThan(0);
      await page.click(`#report-buttons button[data-report="${name}"]`);
      await expect.poll(() => page.locator('#report').getAttribute('data-report'), UNTIL_ANSWERED).toBe(name);
      await expect.poll(() => page.locator('#report-rows tr').count(), UNTIL_ANSWERED).toBe(rows.length);
      const shown = await page.locator('#report-rows tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent ?? '')));
      for (const row of rows) expect(shown.some((cells) => cells.includes(identify(row))), `${name}: ${identify(row)}`).toBe(true);
      if (name === 'dead-letters') expect(shown.flat()).toContain('5 attempts failed; last: CMG answered 503');
    }
    expect(problems).toEqual([]);
    await page.close();
  }, JOB_TEST_TIMEOUT);
});
