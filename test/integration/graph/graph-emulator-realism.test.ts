import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGraphEmulator, type RunningGraphEmulator } from '../../../tools/emulators/graph/graph-emulator.js';
import { CLIENT_ID, CLIENT_SECRET, TENANT_ID, at, bearer, call, windowAround } from './graph-harness.js';

const ADELE = 'adele@contoso.com';
const GRADY = 'grady@contoso.com';
/** Mail is nadia.holm@…, but she signs in as nh4521@…: the UPN is not the mail address. */
const NADIA = { address: 'nadia.holm@contoso.com', userPrincipalName: 'nh4521@contoso.onmicrosoft.com', aliases: ['nadia@contoso.com'] };
const now = new Date();
const window = windowAround(now);
const calendarView = (user: string): string => `/v1.0/users/${user}/calendarView?startDateTime=${window.start}&endDateTime=${window.end}`;

describe('Graph emulator, as unkind as Graph', () => {
  let emulator: RunningGraphEmulator;
  let auth: Record<string, string>;
  beforeEach(async () => {
    emulator = await startGraphEmulator({ tenantId: TENANT_ID, apps: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }] });
    for (const address of [ADELE, GRADY]) {
      emulator.control.addUser({ address });
      emulator.control.addEvent(address, { subject: 'Planning', start: at(now, 1), end: at(now, 2) });
    }
    emulator.control.addUser(NADIA);
    auth = await bearer(emulator);
  });
  afterEach(async () => emulator.close());

  describe('mailbox concurrency', () => {
    it('when five requests to one mailbox are in flight at once, then exactly one is refused 429 ApplicationThrottled with Retry-After', async () => {
      // Long enough that all five are in flight together, however slowly the machine connects them.
      emulator.switches.latencyMs = 3_000;
      const answers = await Promise.all(Array.from({ length: 5 }, () => call(emulator, 'GET', calendarView(ADELE), undefined, auth)));

      const refused = answers.filter((a) => a.status === 429);
      expect(answers.filter((a) => a.status === 200)).toHaveLength(4);
      expect(refused).toHaveLength(1);
      expect(refused[0]!.body.error).toMatchObject({ code: 'ApplicationThrottled', message: 'Application is over its MailboxConcurrency limit.' });
      expect(refused[0]!.headers['retry-after']).toBe('1');
    });

    it('when another instance of the app holds four requests on a mailbox, then that mailbox is refused and another is not', async () => {
      const release = emulator.control.holdMailboxRequests(ADELE, 4);
      expect((await call(emulator, 'GET', calendarView(ADELE), undefined, auth)).status).toBe(429);
      expect((await call(emulator, 'GET', calendarView(GRADY), undefined, auth)).status).toBe(200);
      release();
      expect((await call(emulator, 'GET', calendarView(ADELE), undefined, auth)).status).toBe(200);
    });

    it('when a $batch holds more than four steps for one mailbox, then Graph dispatches them four at a time and none is refused, unless other requests take slots', async () => {
      const steps = (n: number) => ({ requests: Array.from({ length: n }, (_, i) => ({ id: String(i), method: 'GET', url: `/users/${ADELE}/mailboxSettings` })) });
      const alone = await call(emulator, 'POST', '/v1.0/$batch', steps(9), auth);
      expect(alone.body.responses.map((r: { status: number }) => r.status)).toEqual(Array(9).fill(200));

      const release = emulator.control.holdMailboxRequests(ADELE, 1);
      const crowded = await call(emulator, 'POST', '/v1.0/$batch', steps(4), auth);
      release();
      const statuses = crowded.body.responses.map((r: { status: number }) => r.status).sort();
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(crowded.body.responses.find((r: { status: number }) => r.status === 429)).toMatchObject({ headers: { 'retry-after': '1' }, body: { error: { code: 'ApplicationThrottled' } } });
    });
  });

  describe('permissions', () => {
    it('when the app lacks the calendar permission, then every mailbox answers 403 ErrorAccessDenied, and the other permissions still work', async () => {
      emulator.control.setAppPermissions(CLIENT_ID, ['MailboxSettings.Read', 'User.Read.All']);
      for (const user of [ADELE, GRADY]) {
        const answer = await call(emulator, 'GET', calendarView(user), undefined, auth);
        expect(answer.status).toBe(403);
        expect(answer.body.error).toMatchObject({ code: 'ErrorAccessDenied', message: 'Access is denied. Check credentials and try again.' });
      }
      expect((await call(emulator, 'GET', `/v1.0/users/${ADELE}/mailboxSettings`, undefined, auth)).status).toBe(200);
    });

    it('when one mailbox is outside the app\'s RBAC for Applications scope, then only that mailbox answers 403 ErrorAccessDenied', async () => {
      emulator.control.setMailboxAccess(ADELE, 'accessDenied');
      const refused = await call(emulator, 'GET', calendarView(ADELE), undefined, auth);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('ErrorAccessDenied');
      expect((await call(emulator, 'GET', calendarView(GRADY), undefined, auth)).status).toBe(200);
    });

    it('when the app lacks User.Read.All, then the directory answers 403 Authorization_RequestDenied', async () => {
      emulator.control.setAppPermissions(CLIENT_ID, ['Calendars.Read', 'MailboxSettings.Read']);
      const answer = await call(emulator, 'GET', `/v1.0/users?$filter=${encodeURIComponent(`mail eq '${NADIA.address}'`)}`, undefined, auth);
      expect(answer.status).toBe(403);
      expect(answer.body.error.code).toBe('Authorization_RequestDenied');
    });
  });

  it('when the tenant is unknown, then discovery and the token endpoint answer 400 invalid_tenant AADSTS90002', async () => {
    const wrong = '00000000-1111-2222-3333-444444444444';
    const discovery = await call(emulator, 'GET', `/${wrong}/v2.0/.well-known/openid-configuration`);
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, scope: `${emulator.url}/.default` });
    const token = await call(emulator, 'POST', `/${wrong}/oauth2/v2.0/token`, form.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
    for (const answer of [discovery, token]) {
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });
      expect(answer.body.error_description).toMatch(/^AADSTS90002: Tenant '00000000-1111-2222-3333-444444444444' not found\./);
    }
  });

  describe('notification URLs', () => {
    const subscribe = (e: RunningGraphEmulator, notificationUrl: string, token: Record<string, string>) =>
      call(e, 'POST', '/v1.0/subscriptions', { changeType: 'created,updated,deleted', notificationUrl, resource: `users/${ADELE}/events`, expirationDateTime: new Date(Date.now() + 86_400_000).toISOString(), clientState: 's' }, token);

    it('when a subscription names an http notificationUrl, then Graph refuses it, loopback included', async () => {
      for (const url of ['http://hooks.contoso.com/api/graph-notifications', 'http://127.0.0.1:7071/api/graph-notifications']) {
        const answer = await subscribe(emulator, url, auth);
        expect(answer.status).toBe(400);
        expect(answer.body.error).toMatchObject({ code: 'InvalidRequest', message: "NotificationUrl scheme='http' is not supported." });
      }
    });

    it('when the emulator is started for local runs, then loopback http passes and any other http does not', async () => {
      const local = await startGraphEmulator({ tenantId: TENANT_ID, apps: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }], allowLoopbackHttpNotifications: true, validationTimeoutMs: 300 });
      try {
        local.control.addUser({ address: ADELE });
        const token = await bearer(local);
        // Nothing listens there: the URL passes the scheme check and fails the validation handshake.
        expect((await subscribe(local, 'http://127.0.0.1:9/api/graph-notifications', token)).body.error.code).toBe('ValidationError');
        expect((await subscribe(local, 'http://hooks.contoso.com/api/graph-notifications', token)).body.error.code).toBe('InvalidRequest');
      } finally {
        await local.close();
      }
    });
  });

  describe('addresses that are not the UPN', () => {
    it('when a mailbox is addressed by a mail address that is not its UPN, then Graph answers 404 ErrorInvalidUser; by UPN or id it is served', async () => {
      const byMail = await call(emulator, 'GET', calendarView(NADIA.address), undefined, auth);
      expect(byMail.status).toBe(404);
      expect(byMail.body.error.code).toBe('ErrorInvalidUser');
      expect((await call(emulator, 'GET', `/v1.0/users/${NADIA.address}`, undefined, auth)).status).toBe(404);

      const byUpn = await call(emulator, 'GET', `/v1.0/users/${NADIA.userPrincipalName}`, undefined, auth);
      expect(byUpn.body).toMatchObject({ mail: NADIA.address, userPrincipalName: NADIA.userPrincipalName });
      expect((await call(emulator, 'GET', calendarView(byUpn.body.id as string), undefined, auth)).status).toBe(200);
    });

    it('when the directory is filtered by mail or by proxy address, then it finds the user, case-insensitively, with only the selected fields', async () => {
      const find = (filter: string, headers: Record<string, string> = {}, extra = '') =>
        call(emulator, 'GET', `/v1.0/users?$filter=${encodeURIComponent(filter)}&$select=id,mail,proxyAddresses${extra}`, undefined, { ...auth, ...headers });

      const byMail = await find(`mail eq 'Nadia.Holm@contoso.com' or proxyAddresses/any(p:p eq 'smtp:Nadia.Holm@contoso.com')`);
      expect(byMail.status).toBe(200);
      expect(byMail.body.value).toEqual([{ id: expect.any(String), mail: NADIA.address, proxyAddresses: ['SMTP:nadia.holm@contoso.com', 'smtp:nadia@contoso.com'] }]);
      const byAlias = await find(`mail eq 'nadia@contoso.com' or proxyAddresses/any(x:x eq 'smtp:nadia@contoso.com')`);
      expect(byAlias.body.value.map((u: { id: string }) => u.id)).toEqual([byMail.body.value[0].id]);
      expect((await find(`mail eq 'nobody@contoso.com'`)).body.value).toEqual([]);
    });

    it('when the directory query asks for $count without ConsistencyLevel, or filters in a way it does not serve, then it answers 400', async () => {
      const counted = await call(emulator, 'GET', `/v1.0/users?$count=true&$filter=${encodeURIComponent(`mail eq '${NADIA.address}'`)}`, undefined, auth);
      expect(counted.status).toBe(400);
      expect(counted.body.error.code).toBe('Request_BadRequest');
      const eventual = await call(emulator, 'GET', `/v1.0/users?$count=true&$filter=${encodeURIComponent(`mail eq '${NADIA.address}'`)}`, undefined, { ...auth, ConsistencyLevel: 'eventual' });
      expect(eventual.body['@odata.count']).toBe(1);
      const unsupported = await call(emulator, 'GET', `/v1.0/users?$filter=${encodeURIComponent(`endsWith(mail,'@contoso.com')`)}`, undefined, auth);
      expect(unsupported.status).toBe(400);
      expect(unsupported.body.error.code).toBe('Request_UnsupportedQuery');
    });
  });
});
