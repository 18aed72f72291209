/**
 * `npm start`: the product on this machine. Azurite, the Graph / Google / EWS / CMG emulators with the
 * demo organisation (ten of its mailboxes on an on-premises Exchange Server), every function wired to its trigger (HTTP on localhost:7071, timers, the
 * queue consumer), one progress line per stage, a summary, and a demo that keeps changing
 * calendars. With a local.settings.json it talks to the systems named there instead.
 * The product's own JSON log goes to dev-host.log.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import { useDeps } from '../../shared/app/app-context.js';
import { createLogger, type LogLevel } from '../../shared/observability/logger.js';
import type { LocalEnvironment } from '../local-env/local-environment.js';
import { EXCHANGE_PROFILE, startLocalEnvironment } from '../local-env/local-environment.js';
import { startRealEnvironment, type RealEnvironment } from './real-environment.js';
import { DEMO_EXCHANGE_DOMAIN, demoOrganisation } from '../demo/demo-organisation.js';
import { loadFunctions } from './functions-host.js';
import { startDemoChanges } from './demo-changes.js';
import { startEntraEmulator } from '../emulators/entra/entra-emulator.js';
import { OPERATOR_ROLE } from '../../shared/auth/admin-caller.js';

/** The identity the dev host acts with, as the log and the admin API see it. */
const LOCAL_OPERATOR = 'local-operator@dev-host';

const here = dirname(fileURLToPath(import.meta.url));
const functionsDir = join(here, '..', '..', 'functions');
const port = Number(process.env.PORT ?? 7071);
const startedAt = Date.now();
let ready = false;

const say = (stage: string, text: string): void => {
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1).padStart(5);
  console.log(`[${seconds}s] ${stage.padEnd(9)} ${text}`);
};

const logFile = createWriteStream('dev-host.log', { flags: 'w' });
/** Every product log line to the file; the interesting ones also to the console, in words. */
const sink = (level: LogLevel, line: string): void => {
  logFile.write(line + '\n');
  const record = JSON.parse(line) as Record<string, unknown>;
  const who = typeof record.mailbox === 'string' ? `${record.mailbox} ` : '';
  if (record.op === 'sync.done' && ready) {
    // A scheduled sync that found nothing is the safety net doing its job quietly.
    if (record.reason !== 'schedule' || Number(record.upserted) + Number(record.deleted) > 0) {
      say('sync', `${who}${String(record.mode)} (${String(record.reason)}): ${String(record.upserted)} upserted, ${String(record.deleted)} deleted`);
    }
  } else if (record.op === 'push.graph-notified' && ready) {
    say('push', `Graph notified ${String(record.items)} change(s) → ${String(record.enqueued)} job(s)`);
  } else if (record.op === 'push.google-notified' && record.outcome === 'enqueued' && ready) {
    say('push', `Google notified ${who}→ job`);
  } else if (level === 'warn' || level === 'error') {
    const { time: _t, level: _l, op, mailbox: _m, ...rest } = record;
    say(level, `${who}${String(op)} ${JSON.stringify(rest)}`);
  }
};
const logger = createLogger({ level: 'info', sink });

async function main(): Promise<void> {
  // The admin API admits Entra ID tokens only. Here a local Entra ID (keys made now, on
  // loopback) stands in for the tenant, and the host acts as a signed-in operator for every
  // request that brings no token of its own: plain curl and the page work without sign-in.
  const entra = await startEntraEmulator();
  const operatorId = randomUUID();
  const localToken = () => entra.token({ roles: [OPERATOR_ROLE], name: 'Local operator', preferred_username: LOCAL_OPERATOR, oid: operatorId });
  const localSettings = join(process.cwd(), 'local.settings.json');
  let env: LocalEnvironment | RealEnvironment;
  let demo: LocalEnvironment | undefined;
  if (existsSync(localSettings)) {
    say('settings', 'local.settings.json found: using the systems it names (no emulators, no demo)');
    const values = (JSON.parse(readFileSync(localSettings, 'utf8')) as { Values?: Record<string, string> }).Values ?? {};
    env = await startRealEnvironment({ ...values, ...definedEnv(), ...entra.settings }, logger, say);
  } else {
    say('start', 'embedded defaults: Azurite, Graph / Google / EWS / CMG emulators, demo organisation');
    demo = await startLocalEnvironment({
      logger,
      // Ten mailboxes on an on-premises Exchange Server beside the Microsoft 365 and Google ones.
      org: demoOrganisation({ now: new Date(), exchangeUsers: 10 }),
      settings: { UPDATE_INTERVAL: '2m', ROSTER_PERIOD: '2m', WEBHOOK_BASE_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'info', ...entra.settings },
    });
    env = demo;
    const endpoint = /TableEndpoint=([^;]+)/.exec(demo.settings.TABLES_CONNECTION_STRING ?? '')?.[1];
    say('azurite', `tables at ${endpoint}`);
    say('cmg', `emulator at ${demo.cmg.baseUrl} with ${demo.cmg.control.users().length} users`);
    say('graph', `emulator at ${demo.graph.url}: ${demo.org.people.filter((p) => p.provider === 'graph').length} mailboxes in contoso.com`);
    say('google', `emulator at ${demo.google.url}: ${demo.org.people.filter((p) => p.provider === 'google').length} calendars in northwind.example`);
    if (demo.exchange) {
      const denied = demo.org.impersonationDenied ?? [];
      say('exchange', `EWS emulator at ${demo.exchange.url} (NTLM): ${demo.org.people.filter((p) => p.provider === 'exchange').length} mailboxes in ${DEMO_EXCHANGE_DOMAIN}, polled every minute; ${denied.length} outside the impersonation scope (refused)`);
    }
  }

  useDeps(env.deps);
  const host = await loadFunctions(
    functionsDir,
    (name, level, message) => {
      if (level === 'error' || level === 'warning') say(level, `${name}: ${message}`);
      else if (ready) say(name, message);
    },
    { localToken },
  );
  let server: Server;
  try {
    server = await host.listen(port);
  } catch (error) {
    throw new Error(`cannot listen on localhost:${port} (${error instanceof Error ? error.message : String(error)}); set PORT to another port`);
  }
  say('admin', `requests without a token act as ${LOCAL_OPERATOR} (CalendarSync.Operator); only localhost is answered`);
  say('functions', `${host.http.length} HTTP routes on http://localhost:${port}/api, timers ${host.timers.map((t) => t.name).join(', ')}, queue ${host.queueTriggers.map((q) => q.name).join(', ')}`);
  env.queue.start(host.queueHandler('mailbox-sync'));

  await host.runTimer('roster-refresh');
  const mailboxes = await countStates(env);
  say('roster', `${Object.values(mailboxes).reduce((a, b) => a + b, 0)} mailboxes: ${Object.entries(mailboxes).map(([s, n]) => `${n} ${s}`).join(', ')}`);
  await env.queue.whenIdle({ horizonMs: 0 });
  const activities = await countActivities(env);
  say('sync', `first sync done: ${mailboxes.active ?? 0} mailboxes synced, ${activities} activities held in CMG`);
  if (demo?.exchange) {
    const rows = await Promise.all(demo.org.people.filter((p) => p.provider === 'exchange').map((p) => env.deps.store.mailboxes.get(p.key)));
    const synced = rows.filter((m) => m?.state === 'active' && m.profile === EXCHANGE_PROFILE).length;
    say('exchange', `${synced} of ${rows.length} on-premises mailboxes synced over EWS; ${rows.length - synced} refused (outside the impersonation scope)`);
  }

  await host.runTimer('subscriptions');
  const subscriptions = await env.deps.store.subscriptions.listExpiringBefore('9999-12-31T00:00:00.000Z');
  say('push', env.deps.config.push.webhookBaseUrl ? `${subscriptions.length} Graph subscriptions / Google channels pointing at ${env.deps.config.push.webhookBaseUrl}` : 'off (WEBHOOK_BASE_URL not set): polling only');
  const stopTimers = host.startTimers();
  const stopDemo = demo ? startDemoChanges(demo, (text) => say('demo', text)) : () => undefined;
  ready = true;

  console.log('');
  console.log(`  Ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s. Admin page: http://localhost:${port}/api/admin`);
  console.log(`  Mailboxes: http://localhost:${port}/api/mailboxes   Reports: /api/reports/invalid, /api/reports/multi, /api/reports/dead-letters, /api/reports/rejected-activities`);
  console.log(`  Preview one mailbox: http://localhost:${port}/api/mailboxes/{key}/preview   Product log: dev-host.log`);
  if (demo) console.log('  The demo changes a few calendars every minute; watch the sync lines. Ctrl-C stops everything.');
  console.log('');

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say('stop', 'stopping…');
    stopDemo();
    stopTimers();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await env.close();
    await entra.close();
    logFile.end();
    say('stop', 'stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

async function countStates(env: { deps: LocalEnvironment['deps'] }): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for await (const m of env.deps.store.mailboxes.listAll()) counts[m.state] = (counts[m.state] ?? 0) + 1;
  return counts;
}

async function countActivities(env: { deps: LocalEnvironment['deps'] }): Promise<number> {
  let total = 0;
  for await (const m of env.deps.store.mailboxes.listAll()) total += (await env.deps.store.activities.listForMailbox(m.key)).length;
  return total;
}

function definedEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
}

main().catch((error: unknown) => {
  console.error(`dev host failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
