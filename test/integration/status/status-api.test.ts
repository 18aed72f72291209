/**
 * /api/health and /api/status through the real handlers, the demo organisation synced against the
 * emulators, each degraded case brought about by an emulator's fault switch: CMG down or refusing
 * our credentials, a profile's consent or secret revoked, dead-lettered jobs, subscriptions that
 * Graph does not let us renew. Answers are cached per deps object: a test that changes something
 * installs a fresh copy (`fresh()`) to read the status again at once.
 */
import functions from '@azure/functions';
import { afterEach, describe, expect, it } from 'vitest';
import { resync } from '../../../functions/admin.js';
import { health, status } from '../../../functions/status.js';
import { useDeps } from '../../../shared/app/app-context.js';
import { createDeps } from '../../../shared/app/create-deps.js';
import type { SyncDeps } from '../../../shared/sync/sync-deps.js';
import type { SystemStatus } from '../../../shared/operations/system-status.js';
import { startEntraEmulator, type EntraEmulator } from '../../../tools/emulators/entra/entra-emulator.js';
import type { LocalEnvironment } from '../../../tools/local-env/local-environment.js';
import { startE2e, syncEveryone } from '../e2e/e2e-harness.js';
import { startPush, type PushEnvironment } from '../push/push-harness.js';

const { HttpRequest } = functions;

let env: LocalEnvironment | undefined;
let push: PushEnvironment | undefined;
let entra: EntraEmulator | undefined;
let reader = '';
afterEach(async () => {
  await env?.close();
  await push?.close();
  await entra?.close();
  env = undefined;
  push = undefined;
  entra = undefined;
});

async function signIn(): Promise<Record<string, string>> {
  entra = await startEntraEmulator();
  reader = await entra.token({ roles: ['CalendarSync.Reader'], preferred_username: 'reader@contoso.com' });
  return entra.settings;
}

async function started(settings: Record<string, string> = {}): Promise<LocalEnvironment> {
  const admin = await signIn();
  env = await startE2e({ settings: { ...admin, ...settings } });
  await syncEveryone(env);
  useDeps(env.deps);
  return env;
}

/** A copy of the deps: a new status cache, so the next answer is computed now. */
const fresh = (deps: SyncDeps): void => useDeps({ ...deps });

const get = (path: string, token = reader) =>
  new HttpRequest({ method: 'GET', url: `http://localhost:7071/api/${path}`, headers: token ? { authorization: `Bearer ${token}` } : {} });

async function readStatus(): Promise<SystemStatus> {
  const res = await status(get('status'));
  expect(res.status).toBe(200);
  return res.jsonBody as SystemStatus;
}

async function readHealth(): Promise<{ code: number | undefined; body: unknown }> {
  const res = await health();
  return { code: res.status, body: res.jsonBody };
}

const statuses = (s: SystemStatus): Record<string, string> => Object.fromEntries(Object.entries(s.checks).map(([name, c]) => [name, c.status]));

/** Runs one manual full sync per mailbox, as an operator's resync would, and waits for quiet (retries due within `horizonMs` included). */
async function resyncAll(e: LocalEnvironment, people: ReadonlyArray<{ key: string }>, horizonMs = 0): Promise<void> {
  for (const p of people) await resync(new HttpRequest({ method: 'POST', url: `http://localhost:7071/api/mailboxes/${p.key}/resync`, params: { key: p.key }, headers: { authorization: `Bearer ${await entra!.token({ roles: ['CalendarSync.Operator'] })}` }, body: { string: '' } }));
  await e.queue.whenIdle({ horizonMs });
}

// Each test starts the demo organisation and syncs it: about 20 s alone, more on a busy machine.
describe('/api/status and /api/health', { timeout: 120_000 }, () => {
  it('when the demo organisation is synced and nothing is wrong, then every check is ok with figures and no address or secret, and health is 200 with nothing more than ok', async () => {
    const e = await started();
    const body = await readStatus();
    expect(body.status).toBe('ok');
    expect(statuses(body)).toEqual({
      cmg: 'ok',
      storage: 'ok',
      roster: 'ok',
      'profile:M365': 'ok',
      'profile:GWS': 'ok',
      mailboxes: 'ok',
      queue: 'ok',
      subscriptions: 'ok',
    });
    for (const check of Object.values(body.checks)) expect(check.detail).toEqual(expect.any(String));
    // Every synced mailbox is counted under the profile that served it; 2003's domain has none.
    const graph = body.checks['profile:M365']!.mailboxes as Record<string, number>;
    const google = body.checks['profile:GWS']!.mailboxes as Record<string, number>;
    expect(Object.keys({ ...graph, ...google })).toEqual(['active']);
    expect(graph.active! + google.active!).toBe((body.checks.mailboxes!.byState as Record<string, number>).active);
    expect(graph.active).toBeGreaterThanOrEqual(e.org.people.filter((p) => p.provider === 'graph').length);
    expect(body.checks.mailboxes!.byState).toEqual({ active: e.org.people.length + 1, invalid: 1 });
    expect(await readHealth()).toEqual({ code: 200, body: { status: 'ok' } });
    // Figures, never a secret or an address.
    const text = JSON.stringify(body);
    for (const secret of [e.settings.CMG_PASSWORD!, e.settings.PROFILE_M365_CLIENT_SECRET!]) expect(text).not.toContain(secret);
    for (const p of e.org.people) expect(text).not.toContain(p.address);
  });

  it('when CMG is down, then cmg and the whole status are failing, and health answers 503 failing without a reason', async () => {
    const e = await started();
    e.cmg.switches.down = true;
    const body = await readStatus();
    expect(body.status).toBe('failing');
    expect(body.checks.cmg).toEqual(expect.objectContaining({ status: 'failing', detail: expect.stringMatching(/^CMG cannot be reached: .*503/) }));
    expect(await readHealth()).toEqual({ code: 503, body: { status: 'failing' } });

    e.cmg.switches.down = false;
    fresh(e.deps);
    expect(await readHealth()).toEqual({ code: 200, body: { status: 'ok' } });
  });

  it('when CMG refuses our credentials, then cmg is failing with the settings to check, and the password appears nowhere', async () => {
    const e = await started();
    e.cmg.fault({ kind: 'status', status: 401, times: Infinity, body: { error: { code: 'unauthorized', message: 'application or password is wrong' } } });
    const body = await readStatus();
    expect(body.status).toBe('failing');
    expect(body.checks.cmg!.detail).toMatch(/^CMG refuses us: .*401.*CMG_PASSWORD/);
    expect(JSON.stringify(body)).not.toContain(e.settings.CMG_PASSWORD);
    expect((await readHealth()).code).toBe(503);
  });

  it('when a profile\'s consent is revoked (every Graph mailbox refused), then its circuit opens and profile:M365 is failing while the Google profile keeps the whole degraded, health 200', async () => {
    const e = await started();
    const graph = e.org.people.filter((p) => p.provider === 'graph');
    for (const p of graph) e.graph.control.setMailboxAccess(p.address, 'accessDenied');
    await resyncAll(e, graph);
    const body = await readStatus();
    expect(body.status).toBe('degraded');
    expect(body.checks['profile:M365']).toEqual(expect.objectContaining({ status: 'failing', circuit: 'open', detail: expect.stringMatching(/^circuit open since .*refused mailboxes alike/) }));
    expect(body.checks['profile:GWS']!.status).toBe('ok');
    expect(body.checks.cmg!.status).toBe('ok');
    expect(await readHealth()).toEqual({ code: 200, body: { status: 'ok' } });
  });

  it('when the Graph secret has expired and Google\'s key is refused too, then both profiles fail on their credentials, the whole is failing and health 503', async () => {
    const e = await started();
    e.graph.fault({ kind: 'status', status: 401, path: /\/oauth2\/v2\.0\/token$/, times: Infinity, body: { error: 'invalid_client', error_description: 'AADSTS7000222: The provided client secret keys for app are expired.', error_codes: [7000222] } });
    e.google.fault({ kind: 'status', status: 400, path: /token/, times: Infinity, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } });
    // A new instance: no token cached from before the secret expired.
    const { providers } = await createDeps(e.config, { queue: e.queue, graphTrustedCertificates: [e.graph.certificate] });
    useDeps({ ...e.deps, providers });
    const body = await readStatus();
    expect(body.checks['profile:M365']).toEqual(expect.objectContaining({ status: 'failing', circuit: 'closed', detail: expect.stringMatching(/^the credentials are refused: /) }));
    expect(body.checks['profile:GWS']).toEqual(expect.objectContaining({ status: 'failing', detail: expect.stringMatching(/^the credentials are refused: /) }));
    expect(body.status).toBe('failing');
    expect((await readHealth()).code).toBe(503);
  });

  it('when two mailboxes\' jobs keep failing until they are dead-lettered, then queue is degraded, and so is their profile (over 5 % failing), until later syncs succeed', async () => {
    const e = await started({ JOB_MAX_ATTEMPTS: '2', JOB_RETRY_BASE: '1s' });
    const people = e.org.people.filter((p) => p.provider === 'google').slice(0, 2);
    const locals = people.map((p) => p.address.split('@')[0]!).join('|');
    const fault = e.google.fault({ kind: 'status', status: 500, path: new RegExp(`/calendars/[^/]*(${locals})[^/]*/events$`), times: Infinity, body: { error: { code: 500, message: 'Backend Error', errors: [{ reason: 'backendError' }] } } });
    await resyncAll(e, people, 60_000);
    const body = await readStatus();
    expect(body.checks.queue).toEqual(expect.objectContaining({ status: 'degraded', open: 2, detail: expect.stringContaining('attempts-exhausted') }));
    expect(body.checks['profile:GWS']).toEqual(expect.objectContaining({ status: 'degraded', detail: expect.stringMatching(/^2 of its \d+ synced mailboxes are failing/) }));
    expect((body.checks['profile:GWS']!.mailboxes as Record<string, number>).failing).toBe(2);
    // Two of all the synced mailboxes is under 5 %: the total stays ok.
    expect(body.checks.mailboxes!.status).toBe('ok');
    expect(body.status).toBe('degraded');
    expect((await readHealth()).code).toBe(200);

    fault.times = 0;
    await resyncAll(e, people);
    fresh(e.deps);
    const after = await readStatus();
    expect(after.checks.queue).toEqual(expect.objectContaining({ status: 'ok', deadLetters: 2, open: 0 }));
    expect(after.checks['profile:GWS']!.status).toBe('ok');
  });

  it('when two hours pass with no roster refresh and no job, then roster and mailboxes are degraded; inside a quiet period mailboxes are not', async () => {
    const admin = await signIn();
    let jump = 0;
    const origin = Date.now();
    const clock = () => new Date(Date.parse('2026-11-25T08:00:00Z') + (Date.now() - origin) + jump);
    env = await startE2e({ now: clock, settings: admin });
    await syncEveryone(env);
    jump = 2 * 3_600_000;
    fresh(env.deps);
    const body = await readStatus();
    expect(body.checks.roster).toEqual(expect.objectContaining({ status: 'degraded', detail: expect.stringMatching(/^the last roster refresh finished 120 min ago, more than twice ROSTER_PERIOD/) }));
    expect(body.checks.mailboxes).toEqual(expect.objectContaining({ status: 'degraded', detail: expect.stringMatching(/^the last sync of any mailbox finished 120 min ago: no job has succeeded for two UPDATE_INTERVALs/) }));
    expect(body.status).toBe('degraded');

    // 10:00 UTC inside a quiet period of 09:30–11:00: no job is expected.
    const quiet = { ...env.deps, config: { ...env.deps.config, sync: { ...env.deps.config.sync, subscribeOff: { start: 9 * 60 + 30, end: 11 * 60, timeZone: 'UTC' } } } };
    useDeps(quiet);
    expect((await readStatus()).checks.mailboxes!.status).toBe('ok');
  });

  it('when Graph refuses to renew a subscription that expires within the hour, then subscriptions is degraded; once renewal works it is ok', async () => {
    const admin = await signIn();
    push = await startPush({ settings: admin });
    const { env: e } = push;
    await push.runSubscriptionsTimer();
    const [graphSubscription] = await push.stored('graph');
    const soon = new Date(Date.now() + 30 * 60_000).toISOString();
    e.graph.control.subscriptions().find((s) => s.id === graphSubscription!.id)!.expirationDateTime = soon;
    await e.deps.store.subscriptions.upsert({ ...graphSubscription!, expiresAt: soon });
    const refuse = e.graph.fault({ method: 'PATCH', path: /^\/v1\.0\/subscriptions\//, kind: 'status', status: 503, times: Infinity });
    expect(await push.runSubscriptionsTimer()).toEqual(['subscriptions: 0 created, 0 renewed, 0 deleted, 1 failed']);

    useDeps(e.deps);
    const body = await readStatus();
    expect(body.checks.subscriptions).toEqual(expect.objectContaining({ status: 'degraded', expiringWithinHour: 1, expired: 0 }));
    expect(body.status).toBe('degraded');

    refuse.times = 0;
    expect(await push.runSubscriptionsTimer()).toEqual(['subscriptions: 0 created, 1 renewed, 0 deleted, 0 failed']);
    fresh(e.deps);
    expect((await readStatus()).checks.subscriptions).toEqual(expect.objectContaining({ status: 'ok', push: true }));
  });

  it('when health is asked many times at once and again within the cache period, then CMG is asked once', async () => {
    const e = await started();
    fresh(e.deps);
    e.cmg.clearRecord();
    const answers = await Promise.all(Array.from({ length: 20 }, () => health()));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    await health();
    expect(e.cmg.record.filter((r) => r.path.endsWith('/check'))).toHaveLength(1);
  });
});
