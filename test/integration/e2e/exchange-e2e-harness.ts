/**
 * Exchange end to end on the demo organisation: two Exchange mailboxes the service account may
 * impersonate and one outside its scope, the production composition signing in with NTLMv2 and
 * channel binding (Extended Protection: Require) to the EWS emulator, and, when push is on, the
 * webhook functions served over real HTTP for the emulator to call. The product's clock is set
 * (a Wednesday morning, running at the real pace) and moves forward when a test says so; the
 * oracle (tools/demo/expected-activities.ts) learns every change a test makes in the emulator.
 */
import { randomUUID } from 'node:crypto';
import functions from '@azure/functions';
import { subscriptionsTimer } from '../../../functions/subscriptions.js';
import { dispatchTimer } from '../../../functions/dispatch.js';
import { useDeps } from '../../../shared/app/app-context.js';
import { createLogger } from '../../../shared/observability/logger.js';
import type { Subscription } from '../../../shared/store/subscription-repository.js';
import type { ManualClock } from '../../../tools/clock/manual-clock.js';
import { demoOrganisation, type DemoAutomaticReplies, type DemoEvent, type DemoOrganisation, type DemoPerson } from '../../../tools/demo/demo-organisation.js';
import { exchangeItem } from '../../../tools/demo/seed-emulators.js';
import { startEwsEmulator, type RunningEwsEmulator } from '../../../tools/emulators/exchange/ews-emulator.js';
import type { LocalEnvironment } from '../../../tools/local-env/local-environment.js';
import { startWebhooks, type LogRecord, type Webhooks } from '../push/push-harness.js';
import { startE2e, wednesdayClock } from './e2e-harness.js';

const { InvocationContext } = functions;

/** The service account local-environment.ts gives the EWS emulator. */
export const EXCHANGE_ACCOUNT = 'FABRIKAM\\svc-calsync';
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** Wednesday 2026-11-25 08:00 UTC at the real pace, moved on by `jump`. */
export interface SetClock {
  readonly now: () => Date;
  jump(ms: number): void;
}

export function setClock(): SetClock {
  const origin = Date.now();
  let offset = Date.parse('2026-11-25T08:00:00Z') - origin;
  return {
    now: () => new Date(Date.now() + offset),
    jump: (ms) => void (offset += ms),
  };
}

export interface ExchangeE2e {
  readonly env: LocalEnvironment;
  readonly ews: RunningEwsEmulator;
  readonly clock: SetClock;
  /** Present when push is on (WEBHOOK_BASE_URL set). */
  readonly webhooks: Webhooks | undefined;
  /** The two Exchange people the service account may impersonate. */
  readonly synced: readonly [DemoPerson, DemoPerson];
  /** The one outside the impersonation scope. */
  readonly denied: DemoPerson;
  /** The product's log, debug included. */
  readonly logs: LogRecord[];
  runSubscriptionsTimer(): Promise<string[]>;
  runDispatchTimer(): Promise<string[]>;
  /** Exchange rows of the Subscriptions table. */
  stored(): Promise<Subscription[]>;
  /** `sync.done` records of a mailbox, of one reason if given. */
  syncsDone(key: string, reason?: string): LogRecord[];
  close(): Promise<void>;
}

const FOREVER = '9999-12-31T00:00:00.000Z';

/**
 * The demo organisation with three Exchange mailboxes and nobody else (so every request the
 * EWS emulator counts is for them), synced once; the worker runs.
 */
export async function startExchangeE2e(options: { push: boolean; settings?: Record<string, string>; emulatorClock?: ManualClock }): Promise<ExchangeE2e> {
  const clock = setClock();
  const demo = demoOrganisation({ now: clock.now(), graphUsers: 0, googleUsers: 0, exchangeUsers: 3 });
  // The demo's CMG user sharing the first person's address would be a second mailbox on it.
  const org: DemoOrganisation = { ...demo, events: structuredClone(demo.events), automaticReplies: { ...demo.automaticReplies }, otherCmgUsers: demo.otherCmgUsers.filter((u) => u.email !== demo.people[0]!.address) };
  const webhooks = options.push ? await startWebhooks() : undefined;
  const logs: LogRecord[] = [];
  let env: LocalEnvironment;
  try {
    env = await startE2e({
      now: clock.now,
      org,
      logger: createLogger({ level: 'debug', sink: (_level, line) => void logs.push(JSON.parse(line) as LogRecord) }),
      settings: {
        JOB_RETRY_BASE: '200ms',
        JOB_RETRY_MAX: '2s',
        ...(webhooks ? { WEBHOOK_BASE_URL: webhooks.url, PROFILE_ONPREM_PUSH: 'true' } : {}),
        ...options.settings,
      },
      exchange: { extendedProtection: 'require', ...(options.emulatorClock ? { clock: options.emulatorClock } : {}) },
    });
  } catch (error) {
    await webhooks?.close();
    throw error;
  }
  useDeps(env.deps);
  const { refreshRoster } = await import('../../../shared/sync/roster/refresh-roster.js');
  await refreshRoster(env.deps, { full: true });
  env.startWorker();
  await env.queue.whenIdle({ horizonMs: 0 });

  const exchangePeople = org.people.filter((p) => p.provider === 'exchange');
  const deniedKeys = new Set(org.impersonationDenied ?? []);
  const synced = exchangePeople.filter((p) => !deniedKeys.has(p.key));
  const timerContext = (name: string, lines: string[]) =>
    new InvocationContext({ invocationId: randomUUID(), functionName: name, logHandler: (_level, ...args) => void lines.push(args.map(String).join(' ')) });
  const timer = () => {
    const now = clock.now().toISOString();
    return { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: now, next: now, lastUpdated: now } };
  };
  return {
    env,
    ews: env.exchange!,
    clock,
    webhooks,
    synced: [synced[0]!, synced[1]!],
    denied: exchangePeople.find((p) => deniedKeys.has(p.key))!,
    logs,
    async runSubscriptionsTimer() {
      const lines: string[] = [];
      await subscriptionsTimer(timer(), timerContext('subscriptions', lines));
      return lines;
    },
    async runDispatchTimer() {
      const lines: string[] = [];
      await dispatchTimer(timer(), timerContext('dispatch', lines));
      return lines;
    },
    async stored() {
      return (await env.deps.store.subscriptions.listExpiringBefore(FOREVER)).filter((s) => s.provider === 'exchange');
    },
    syncsDone: (key, reason) => logs.filter((r) => r.op === 'sync.done' && r.mailbox === key && (reason === undefined || r.reason === reason)),
    async close() {
      await env.close();
      await webhooks?.close();
    },
  };
}

/** A meeting (or series) added to a person's Exchange calendar and to what the oracle expects; returns its ItemId. */
export function addExchangeEvent(x: ExchangeE2e, person: DemoPerson, event: DemoEvent): string {
  (x.env.org.events as Record<string, DemoEvent[]>)[person.key]!.push(event);
  return x.ews.control.createItem(person.address, exchangeItem(person, event)).itemId;
}

/** Replaces a demo event in what the oracle expects (the emulator is changed by the test). */
export function changeExpectedEvent(x: ExchangeE2e, person: DemoPerson, id: string, changed: DemoEvent): void {
  const list = (x.env.org.events as Record<string, DemoEvent[]>)[person.key]!;
  list[list.findIndex((e) => e.id === id)] = changed;
}

/** Automatic replies on (always) or off, in Exchange and in what the oracle expects. */
export function setAutomaticReplies(x: ExchangeE2e, person: DemoPerson, on: boolean): void {
  x.ews.control.setOof(person.address, { state: on ? 'Enabled' : 'Disabled' });
  const replies = x.env.org.automaticReplies as Record<string, DemoAutomaticReplies>;
  if (on) replies[person.key] = { status: 'alwaysEnabled' };
  else delete replies[person.key];
}

/** Tomorrow's `hh:mm` (UTC) from the set clock, as ISO. */
export function tomorrowAt(x: ExchangeE2e, hh: number, mm = 0): string {
  const day = Math.floor(x.clock.now().getTime() / (24 * HOUR)) * 24 * HOUR + 24 * HOUR;
  return new Date(day + hh * HOUR + mm * MINUTE).toISOString();
}

/** The domain of the ONPREM profile's own EWS emulator (startOnPremE2e). */
export const ONPREM_DOMAIN = 'fabrikam.example';
const ONPREM_PASSWORD = 'Svc-Acc0unt!pw';

/**
 * An EWS emulator of its own (NTLM, Extended Protection: Require) that knows EXCHANGE_ACCOUNT,
 * and the product on the demo's CMG and Graph/Google profiles (one Graph user, to keep the demo's
 * roster whole) with an exchange profile ONPREM for ONPREM_DOMAIN, polled (PUSH=false), on a
 * Wednesday clock; `settings` come last. The test adds the Exchange mailboxes and CMG users.
 */
export async function startOnPremE2e(settings: Record<string, string>): Promise<{ env: LocalEnvironment; ews: RunningEwsEmulator }> {
  const ews = await startEwsEmulator({ accounts: new Map([[EXCHANGE_ACCOUNT, ONPREM_PASSWORD]]), extendedProtection: 'require' });
  try {
    const clock = wednesdayClock();
    const env = await startE2e({
      now: clock,
      org: demoOrganisation({ now: clock(), graphUsers: 1, googleUsers: 0 }),
      settings: {
        PROFILES: 'M365,GWS,ONPREM',
        PROFILE_ONPREM_KIND: 'exchange',
        PROFILE_ONPREM_DOMAINS: ONPREM_DOMAIN,
        PROFILE_ONPREM_EWS_URL: ews.url,
        PROFILE_ONPREM_USER_NAME: EXCHANGE_ACCOUNT,
        PROFILE_ONPREM_PASSWORD: ONPREM_PASSWORD,
        PROFILE_ONPREM_CA_CERTIFICATE: ews.caCertificate,
        PROFILE_ONPREM_PUSH: 'false',
        ...settings,
      },
    });
    return { env, ews };
  } catch (error) {
    await ews.close();
    throw error;
  }
}
