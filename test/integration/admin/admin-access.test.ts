/**
 * Who may call which admin route: Entra ID access tokens from a local Entra ID on loopback (its
 * keys made for this run), checked by the real handlers. Also the headers of every answer.
 */
import functions, { type HttpResponseInit } from '@azure/functions';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminPage, connections, invalidMailboxes, mailbox, mailboxes, mailboxPushSecrets, multiAddresses, preview, profilePushSecrets, resync } from '../../../functions/admin.js';
import { status } from '../../../functions/status.js';
import { useDeps } from '../../../shared/app/app-context.js';
import { createLogger, type LogLevel } from '../../../shared/observability/logger.js';
import { startEntraEmulator, type EntraEmulator } from '../../../tools/emulators/entra/entra-emulator.js';
import type { LocalEnvironment } from '../../../tools/local-env/local-environment.js';
import { startE2e, syncEveryone } from '../e2e/e2e-harness.js';

const { HttpRequest } = functions;

let env: LocalEnvironment;
let entra: EntraEmulator;
const lines: string[] = [];

beforeAll(async () => {
  entra = await startEntraEmulator();
  const logger = createLogger({ level: 'debug', sink: (_level: LogLevel, line: string) => lines.push(line) });
  env = await startE2e({ logger, settings: entra.settings });
  await syncEveryone(env);
});
beforeEach(() => {
  useDeps(env.deps);
  entra.server.switches.down = false;
});
afterAll(async () => {
  await env?.close();
  await entra?.close();
});

type Handler = (request: InstanceType<typeof HttpRequest>) => Promise<HttpResponseInit>;
interface RouteCase {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly handler: Handler;
  readonly role: 'CalendarSync.Reader' | 'CalendarSync.Operator';
  readonly success: number;
}

const KEY = '1002';
const ROUTES: RouteCase[] = [
  { name: 'mailbox list', method: 'GET', path: 'mailboxes', handler: mailboxes, role: 'CalendarSync.Reader', success: 200 },
  { name: 'invalid report', method: 'GET', path: 'reports/invalid', handler: invalidMailboxes, role: 'CalendarSync.Reader', success: 200 },
  { name: 'multi-address report', method: 'GET', path: 'reports/multi', handler: multiAddresses, role: 'CalendarSync.Reader', success: 200 },
  { name: 'resync', method: 'POST', path: `mailboxes/${KEY}/resync`, handler: resync, role: 'CalendarSync.Operator', success: 202 },
  { name: 'preview', method: 'GET', path: `mailboxes/${KEY}/preview`, handler: preview, role: 'CalendarSync.Operator', success: 200 },
  { name: 'connection check', method: 'GET', path: 'connections/check', handler: connections, role: 'CalendarSync.Operator', success: 200 },
  // Push is off here (no WEBHOOK_BASE_URL): an operator gets the action's own answer, 409; test/integration/admin/push-secrets.test.ts replaces them.
  { name: 'push secrets of a mailbox', method: 'POST', path: `mailboxes/${KEY}/push-secrets`, handler: mailboxPushSecrets, role: 'CalendarSync.Operator', success: 409 },
  { name: 'push secrets of a profile', method: 'POST', path: 'profiles/M365/push-secrets', handler: profilePushSecrets, role: 'CalendarSync.Operator', success: 409 },
  { name: 'status', method: 'GET', path: 'status', handler: status, role: 'CalendarSync.Reader', success: 200 },
  { name: 'mailbox detail', method: 'GET', path: `mailboxes/${KEY}`, handler: mailbox, role: 'CalendarSync.Reader', success: 200 },
];

const request = (route: RouteCase, headers: Record<string, string> = {}, query = '') =>
  new HttpRequest({
    method: route.method,
    url: `http://localhost:7071/api/${route.path}${query}`,
    params: route.path.includes(KEY) ? { key: KEY } : {},
    headers,
    ...(route.method === 'POST' ? { body: { string: '' } } : {}),
  });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const WRONG_ROLE = { 'CalendarSync.Reader': ['Some.Other.Role'], 'CalendarSync.Operator': ['CalendarSync.Reader'] } as const;

describe('admin routes by app role', () => {
  for (const route of ROUTES) {
    it(`when the ${route.name} is called without a token, then 401 with a Bearer challenge`, async () => {
      const res = await route.handler(request(route));
      expect(res.status).toBe(401);
      expect((res.headers as Record<string, string>)['www-authenticate']).toMatch(/^Bearer/);
    });

    it(`when the ${route.name} is called with only a function key, then 401`, async () => {
      const res = await route.handler(request(route, { 'x-functions-key': 'a-valid-looking-key' }, '?code=a-valid-looking-key'));
      expect(res.status).toBe(401);
    });

    it(`when the ${route.name} is called with the wrong role, then 403`, async () => {
      const res = await route.handler(request(route, bearer(await entra.token({ roles: WRONG_ROLE[route.role] }))));
      expect(res.status).toBe(403);
      expect(JSON.stringify(res.jsonBody)).toContain(route.role);
    });

    it(`when the ${route.name} is called with ${route.role}, then ${route.success}`, async () => {
      const res = await route.handler(request(route, bearer(await entra.token({ roles: [route.role] }))));
      expect(res.status).toBe(route.success);
    });
  }

  it('when an operator reads the mailbox list, then the operator role includes reading', async () => {
    const res = await mailboxes(request(ROUTES[0]!, bearer(await entra.token({ roles: ['CalendarSync.Operator'] }))));
    expect(res.status).toBe(200);
  });
});

describe('tokens that prove nothing', () => {
  const reader = ROUTES[0]!;
  it.each([
    ['signed with a key the tenant never published', { signWith: 'stranger' as const }, {}],
    ['expired an hour ago', { expiresInSeconds: -3600 }, {}],
    ['for another app', {}, { aud: '11111111-2222-3333-4444-555555555555' }],
    ['from another tenant', {}, { iss: 'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0' }],
    ['without an expiry', { expiresInSeconds: null }, {}],
    ['valid for ten years', { expiresInSeconds: 10 * 365 * 86_400 }, {}],
    ['issued an hour from now', { issuedAtSeconds: 3600 }, {}],
    ['issued two days ago and valid for three', { issuedAtSeconds: -2 * 86_400, expiresInSeconds: 3 * 86_400 }, {}],
    ['the admin page\'s ID token (no azp, a nonce)', { shape: 'id' as const }, {}],
  ])('when the token is %s, then 401 invalid_token', async (_name, options, claims) => {
    const token = await entra.token({ roles: ['CalendarSync.Operator'], ...claims }, options);
    const res = await reader.handler(request(reader, bearer(token)));
    expect(res.status).toBe(401);
    expect((res.headers as Record<string, string>)['www-authenticate']).toContain('invalid_token');
  });

  it('when the token is not a JWT at all, then 401', async () => {
    expect((await reader.handler(request(reader, bearer('not.a.jwt')))).status).toBe(401);
    expect((await reader.handler(request(reader, { authorization: 'Basic dXNlcjpwYXNz' }))).status).toBe(401);
  });

  it('when the tenant’s keys cannot be read, then 503, not a caller error', async () => {
    // A fresh app registration, so no key set is cached yet.
    const other = await startEntraEmulator();
    try {
      const e = await startE2e({ settings: other.settings });
      try {
        useDeps(e.deps);
        other.server.switches.down = true;
        const res = await reader.handler(request(reader, bearer(await other.token({ roles: ['CalendarSync.Reader'] }))));
        expect(res.status).toBe(503);
      } finally {
        await e.close();
      }
    } finally {
      await other.close();
    }
  });
});

describe('caller identity in the log', () => {
  it('when an operator resyncs and previews, then each is logged with the caller’s identity and never the token', async () => {
    lines.length = 0;
    const token = await entra.token({ roles: ['CalendarSync.Operator'], preferred_username: 'ops@contoso.com', oid: '0a1b2c3d-0000-4000-8000-000000000001' });
    expect((await resync(request(ROUTES[3]!, bearer(token)))).status).toBe(202);
    expect((await preview(request(ROUTES[4]!, bearer(token)))).status).toBe(200);
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.find((r) => r.op === 'admin.resync-requested')).toMatchObject({ mailbox: KEY, caller: 'ops@contoso.com', callerId: '0a1b2c3d-0000-4000-8000-000000000001' });
    expect(records.find((r) => r.op === 'admin.preview')).toMatchObject({ mailbox: KEY, caller: 'ops@contoso.com' });
    expect(lines.join('\n')).not.toContain(token.split('.')[2]);
  });

  it('when a reader tries to resync, then the refusal is logged with who tried', async () => {
    lines.length = 0;
    await resync(request(ROUTES[3]!, bearer(await entra.token({ roles: ['CalendarSync.Reader'], preferred_username: 'reader@contoso.com' }))));
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.op === 'admin.forbidden')).toMatchObject({ caller: 'reader@contoso.com', needs: 'CalendarSync.Operator' });
  });
});

describe('headers', () => {
  it('when the page is served, then its CSP allows its own script and style by hash, no inline code, no framing', async () => {
    const res = await adminPage();
    const headers = res.headers as Record<string, string>;
    const csp = headers['content-security-policy']!;
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/connect-src 'self' http:\/\/127\.0\.0\.1:\d+/);
    expect(headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' });
    const html = String(res.body);
    const script = /<script type="module">([\s\S]*?)<\/script>/.exec(html)![1]!;
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    expect(csp).toContain(`script-src ${hash(script)}`);
    expect(csp).toContain(`style-src ${hash(style)}`);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).toContain(`data-client="${entra.clientId}"`);
  });

  it('when JSON with addresses is answered, then it is not cached and not sniffed', async () => {
    const token = await entra.token({ roles: ['CalendarSync.Operator'] });
    for (const route of ROUTES.filter((r) => r.method === 'GET')) {
      const res = await route.handler(request(route, bearer(token)));
      expect(res.headers, route.name).toMatchObject({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    }
    expect((await mailboxes(request(ROUTES[0]!))).headers).toMatchObject({ 'cache-control': 'no-store' });
  });
});
