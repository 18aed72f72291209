/**
 * The dev host as `npm start` runs it (built, then `node dist/tools/dev-host/main.js` on a free
 * port): who it answers, what a malformed request gets, and the admin page in headless Chromium
 * (Debian's `chromium`, driven by playwright-core; no browser is downloaded).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => path !== undefined && existsSync(path));

let host: ChildProcess | undefined;
let port = 0;
let output = '';

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
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'pipe' });
  port = await freePort();
  // Its own working directory: no local.settings.json (embedded defaults), its own dev-host.log.
  host = spawn(process.execPath, [join(ROOT, 'dist', 'tools', 'dev-host', 'main.js')], { cwd: mkdtempSync(join(tmpdir(), 'dev-host-')), env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
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
  let browser: Browser;
  beforeAll(async () => {
    if (CHROMIUM === undefined) throw new Error('chromium is not installed (apt-get install -y chromium); .ci/run installs it');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('when the page loads and a resync is clicked, then problem mailboxes come first, the outcome shows, with no console error and no CSP violation', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    // Runs in the page before its own script: every CSP violation becomes a console error.
    await page.addInitScript({ content: "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));" });

    const response = await page.goto(`http://localhost:${port}/api/admin`);
    expect(response?.status()).toBe(200);
    await page.waitForSelector('#rows tr');
    const states = await page.locator('#rows tr').evaluateAll((rows) => rows.map((tr) => tr.getAttribute('data-state') ?? ''));
    const listed = JSON.parse((await call('GET', '/api/mailboxes?pageSize=1000')).body) as { mailboxes: Array<{ state: string }> };
    expect(states).toHaveLength(listed.mailboxes.length);
    expect(states[0]).toBe('invalid');
    const firstHealthy = states.indexOf('active');
    expect(states.slice(firstHealthy).every((s) => !['failing', 'invalid'].includes(s))).toBe(true);
    expect(await page.textContent('#summary')).toMatch(/\d+ mailboxes.*invalid: 1/);

    const row = page.locator('#rows tr[data-key="1002"]');
    await row.locator('button').click();
    await expect.poll(() => row.locator('[role=status]').textContent(), { timeout: 15_000 }).toBe('full sync queued');

    await page.click('#check');
    await expect.poll(() => page.textContent('#checks'), { timeout: 15_000 }).toMatch(/CMG: ok/);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('when the API refuses a resync, then the button shows the refusal, not "queued"', async () => {
    const page = await browser.newPage();
    await page.route('**/api/mailboxes/1003/resync', (route) =>
      route.fulfill({ status: 403, contentType: 'application/json', body: JSON.stringify({ error: 'this needs the app role CalendarSync.Operator' }) }),
    );
    await page.goto(`http://localhost:${port}/api/admin`);
    const row = page.locator('#rows tr[data-key="1003"]');
    await row.locator('button').click();
    await expect.poll(() => row.locator('[role=status]').textContent(), { timeout: 15_000 }).toBe('not queued: this needs the app role CalendarSync.Operator');
    await page.close();
  }, 60_000);
});
