/**
 * The incidents every deployment meets (issue "contain every incident"), each run against the
 * production composition in a ChaosWorld: the incident starts, calendars keep changing, it ends,
 * and the world runs until CMG equals the oracle. `npm run chaos` prints the figures; the
 * vitest suite (test/integration/chaos) asserts on the same runs.
 *
 * `held` means: no activity wrongly deleted, CMG equals the oracle after recovery, and the work
 * during the incident stayed under the bound each scenario states.
 */
import { randomUUID } from 'node:crypto';
import functions from '@azure/functions';
import { graphNotifications } from '../../functions/graph-notifications.js';
import { useDeps } from '../../shared/app/app-context.js';
import { OPERATOR_ROLE, type AdminCaller } from '../../shared/auth/admin-caller.js';
import { requestResync } from '../../shared/operations/operator-actions.js';
import { runMailboxMessage } from '../../shared/sync/job/run-mailbox-job.js';
import { encodeKey } from '../../shared/store/table-key.js';
import { TableClient } from '@azure/data-tables';
import type { RecordedRequest } from '../../tools/emulators/emulator-server.js';
import type { EwsRequestRecord } from '../../tools/emulators/exchange/ews-service.js';
import { EXCHANGE_PROFILE } from '../../tools/local-env/local-environment.js';
import type { CircuitView } from '../../shared/domain/circuit.js';
import { systemStatus, type Check } from '../../shared/operations/system-status.js';
import { circuitOf } from '../../shared/sync/job/profile-circuit.js';
import { ChaosWorld } from './chaos-world.js';

const MINUTE = 60_000;
/** Who asks for the full syncs an operator would ask for after an incident. */
const OPERATOR: AdminCaller = { id: 'chaos', name: 'chaos operator', roles: [OPERATOR_ROLE] };
const INCIDENT_MS = 30 * MINUTE;
// Google's day of quota, in November (PST): noon and the midnight that ends it.
const NOON_PACIFIC = Date.parse('2026-11-25T20:00:00Z');
const MIDNIGHT_PACIFIC = Date.parse('2026-11-26T08:00:00Z');
/** How long recovery may take before the scenario counts as not converged. */
const CONVERGE_LIMIT_MS = 3 * 60 * MINUTE;
/** The demo's on-premises Exchange Server in the Exchange scenarios, as in `npm start`. */
const EXCHANGE_USERS = 10;
/** Longer than the provider sleeps in a job (30 s): the job goes back to the queue for it. */
const BUSY_BACK_OFF_MS = 2 * MINUTE;

export interface ChaosFigures {
  /** Activities CMG held before the incident that we deleted during or after it. */
  readonly wronglyDeleted: number;
  /** Provider requests (API and token endpoints) per affected mailbox during the incident. */
  readonly providerPerMailbox: number;
  /** CMG requests per mailbox during the incident. */
  readonly cmgPerMailbox: number;
  /** DeadLetters rows, by reason. */
  readonly deadLettered: Readonly<Record<string, number>>;
  /** Table reads per webhook request (webhook-flood only). */
  readonly tableReadsPerWebhookRequest: number | undefined;
  /** Simulated minutes from the end of the incident until CMG equalled the oracle; undefined: it did not. */
  readonly convergeMinutes: number | undefined;
  /** What the bound is checked against, and other scenario-specific figures. */
  readonly detail: Readonly<Record<string, number | string>>;
}

export interface ChaosResult {
  readonly name: string;
  readonly held: boolean;
  readonly figures: ChaosFigures;
  readonly bound: string;
  /** Which part of `held` failed, if any. */
  readonly broken: readonly string[];
}

export interface ChaosScenario {
  readonly name: string;
  /** The bound on the work done during the incident, in words. */
  readonly bound: string;
  /** Mailboxes on the on-premises Exchange Server in this scenario's world (none when absent). */
  readonly exchangeUsers?: number;
  run(world: ChaosWorld): Promise<{ figures: ChaosFigures; withinBound: boolean }>;
}

/** Shared measuring around an incident: start, changes during it, end, recovery. */
async function incident(
  world: ChaosWorld,
  options: {
    start(): void | Promise<void>;
    end(): void | Promise<void>;
    /** Mailboxes the incident concerns (the denominator of provider requests). */
    affected?: 'graph' | 'google' | 'exchange' | 'all';
    durationMs?: number;
    /** Calendar changes made during the incident, per provider. */
    changes?: number;
    /** ExternalIds CMG is expected never to hold (asked once the incident ended). */
    exclude?: () => ReadonlySet<string>;
    /** When the incident starts (simulated); right after the quiet start when absent. */
    at?: number;
  },
): Promise<{ figures: Omit<ChaosFigures, 'detail'>; provider: number; cmg: number; cmgDuring: readonly RecordedRequest[] }> {
  await world.settle();
  if (options.at !== undefined) await world.quietUntil(options.at);
  const heldBefore = world.heldIds();
  world.startMeasuring();
  await options.start();
  const changes = options.changes ?? 2;
  const graphPeople = world.people.filter((p) => p.provider === 'graph');
  const googlePeople = world.people.filter((p) => p.provider === 'google');
  const exchangePeople = world.people.filter((p) => p.provider === 'exchange');
  for (let i = 0; i < changes; i += 1) {
    world.addMeeting(graphPeople[i * 3]!, `during-${i}`);
    world.addMeeting(googlePeople[i * 3]!, `during-${i}`);
    if (exchangePeople.length > 0) world.addMeeting(exchangePeople[(i * 3) % exchangePeople.length]!, `during-${i}`);
  }
  await world.advance(options.durationMs ?? INCIDENT_MS);
  const affected = options.affected ?? 'all';
  const mailboxes = { graph: graphPeople.length, google: googlePeople.length, exchange: exchangePeople.length, all: world.people.length }[affected];
  const provider = world.providerRequests(affected === 'all' ? undefined : affected);
  const cmg = world.env.cmg.record.length;
  const deletedDuring = world.deletedIds();
  // Cleared before the recovery starts: its jobs may run while `end` is still going.
  const cmgDuring = [...world.env.cmg.record];
  world.env.cmg.clearRecord();
  await options.end();
  const convergeMinutes = await world.untilConverged(CONVERGE_LIMIT_MS, options.exclude?.());
  const deleted = new Set([...deletedDuring, ...world.deletedIds()]);
  return {
    provider,
    cmg,
    cmgDuring,
    figures: {
      wronglyDeleted: [...deleted].filter((id) => heldBefore.has(id)).length,
      providerPerMailbox: provider / mailboxes,
      cmgPerMailbox: cmg / world.people.length,
      deadLettered: await deadLetterReasons(world),
      tableReadsPerWebhookRequest: undefined,
      convergeMinutes,
    },
  };
}

async function deadLetterReasons(world: ChaosWorld): Promise<Record<string, number>> {
  const reasons: Record<string, number> = {};
  for (const d of await world.deps.store.deadLetters.list(1000)) reasons[d.reason] = (reasons[d.reason] ?? 0) + 1;
  return reasons;
}

export const SCENARIOS: readonly ChaosScenario[] = [
  {
    name: 'consent-revoked',
    bound: 'at most 1 Graph request per Graph mailbox in the 30 minutes (one poll each would be 2)',
    async run(world) {
      const graph = world.people.filter((p) => p.provider === 'graph');
      const { figures, provider } = await incident(world, {
        affected: 'graph',
        // Every mailbox answers 403 ErrorAccessDenied, as after consent or the RBAC scope is withdrawn.
        start: () => graph.forEach((p) => world.env.graph.control.setMailboxAccess(p.address, 'accessDenied')),
        end: () => graph.forEach((p) => world.env.graph.control.setMailboxAccess(p.address, 'ok')),
      });
      return { figures: { ...figures, detail: { 'Graph requests': provider } }, withinBound: figures.providerPerMailbox <= 1 };
    },
  },
  {
    name: 'secret-expired',
    bound: 'at most 1 Graph request (token endpoint included) per Graph mailbox in the 30 minutes',
    async run(world) {
      let fault: { times: number } | undefined;
      const { figures, provider } = await incident(world, {
        affected: 'graph',
        async start() {
          fault = world.env.graph.fault({
            kind: 'status',
            status: 401,
            path: /\/oauth2\/v2\.0\/token$/,
            times: Infinity,
            body: { error: 'invalid_client', error_description: 'AADSTS7000222: The provided client secret keys for app are expired.', error_codes: [7000222] },
          });
          // The cached token outlives the secret by up to an hour: a new instance has none.
          await world.restartInstance();
        },
        end() {
          if (fault) fault.times = 0;
        },
      });
      return { figures: { ...figures, detail: { 'Graph requests': provider } }, withinBound: figures.providerPerMailbox <= 1 };
    },
  },
  {
    name: 'google-delegation-revoked',
    bound: 'at most 1 Google request (token endpoint included) per Google mailbox in the 30 minutes',
    async run(world) {
      const clientEmail = JSON.parse(world.env.settings.PROFILE_GWS_SERVICE_ACCOUNT_KEY!) as { client_email: string };
      const { figures, provider } = await incident(world, {
        affected: 'google',
        async start() {
          world.env.google.control.setDelegation(clientEmail.client_email, undefined);
          // Issued tokens live up to an hour: a new instance must ask for new ones.
          await world.restartInstance();
        },
        end: () => world.env.google.control.setDelegation(clientEmail.client_email, ['https://www.googleapis.com/auth/calendar.readonly']),
      });
      return { figures: { ...figures, detail: { 'Google requests': provider } }, withinBound: figures.providerPerMailbox <= 1 };
    },
  },
  {
    name: 'google-quota-exhausted',
    bound: "at most 5 Google requests (token endpoint included) per Google mailbox from noon to midnight Pacific Time, the project's day of quota gone (failing jobs alone would make 8 each, then one per JOB_RETRY_MAX: 30 more)",
    async run(world) {
      let until = 0;
      const { figures, provider } = await incident(world, {
        affected: 'google',
        at: NOON_PACIFIC,
        // Nothing ends it but the quota's own reset at midnight Pacific Time.
        start: () => void (until = world.env.google.control.exhaustDailyQuota()),
        durationMs: MIDNIGHT_PACIFIC - NOON_PACIFIC,
        end: () => undefined,
      });
      return {
        figures: { ...figures, detail: { 'Google requests': provider, 'quota back at': new Date(until).toISOString() } },
        withinBound: figures.providerPerMailbox <= 5 && until === MIDNIGHT_PACIFIC,
      };
    },
  },
  {
    name: 'exchange-impersonation-revoked',
    exchangeUsers: EXCHANGE_USERS,
    bound: 'at most 2 EWS requests (NTLM legs included) per Exchange mailbox in the 30 minutes (polling alone would make 30)',
    async run(world) {
      const account = exchangeAccount(world);
      const exchange = world.people.filter((p) => p.provider === 'exchange');
      let circuit: CircuitView | undefined;
      let refusals = 0;
      const { figures, provider } = await incident(world, {
        affected: 'exchange',
        // The ApplicationImpersonation role assignment removed: every mailbox answers ErrorImpersonateUserDenied.
        start: () => world.exchange.control.revokeImpersonation(account),
        async end() {
          circuit = await circuitOf(world.deps, EXCHANGE_PROFILE);
          refusals = world.ewsRecords().filter((r) => r.responseCodes.includes('ErrorImpersonateUserDenied')).length;
          for (const p of exchange) world.exchange.control.grantImpersonation(account, p.address);
        },
      });
      return {
        figures: { ...figures, detail: { 'EWS requests': provider, 'ErrorImpersonateUserDenied answers': refusals, 'circuit at the end': circuitLine(circuit) } },
        withinBound: figures.providerPerMailbox <= 2 && circuit?.open === true && circuit.code === 'mailbox-unavailable',
      };
    },
  },
  {
    name: 'exchange-server-busy',
    exchangeUsers: EXCHANGE_USERS,
    bound: `no request of a mailbox before the BackOffMilliseconds (${BUSY_BACK_OFF_MS / 1000} s) of its last ErrorServerBusy ended; no activity created twice; at most 8 EWS requests per Exchange mailbox in the 30 minutes (one per attempt, JOB_MAX_ATTEMPTS; polling alone would make 30)`,
    async run(world) {
      let fault: { clear(): void } | undefined;
      let busy = 0;
      const { figures, provider, cmgDuring } = await incident(world, {
        affected: 'exchange',
        // Every request answers HTTP 500 ErrorServerBusy with BackOffMilliseconds, as when the
        // service account's budget is spent (MS:ews-throttling-in-exchange.md).
        start: () => void (fault = world.exchange.control.addFault({ kind: 'ErrorServerBusy', backOffMs: BUSY_BACK_OFF_MS })),
        end() {
          busy = world.ewsRecords().filter((r) => r.responseCodes.includes('ErrorServerBusy')).length;
          fault?.clear();
        },
      });
      const backOff = backOffKept(world.ewsRecords(), BUSY_BACK_OFF_MS);
      const createdTwice = activitiesCreatedTwice([...cmgDuring, ...world.env.cmg.record]);
      return {
        figures: {
          ...figures,
          detail: {
            'EWS requests': provider,
            'ErrorServerBusy answers': busy,
            'requests before the back-off ended': backOff.early,
            'shortest wait after ErrorServerBusy': backOff.shortestMs === undefined ? '-' : `${(backOff.shortestMs / 1000).toFixed(0)} s`,
            'activities created twice': createdTwice,
          },
        },
        withinBound: busy > 0 && backOff.early === 0 && createdTwice === 0 && figures.providerPerMailbox <= 8,
      };
    },
  },
  {
    name: 'exchange-password-changed',
    exchangeUsers: EXCHANGE_USERS,
    bound: "at most 2 NTLM handshakes per Exchange mailbox in the 30 minutes (polling alone would make 30); /api/status names the profile's refused credentials",
    async run(world) {
      const account = exchangeAccount(world);
      const changed = `changed-${randomUUID()}`;
      let authentication = { handshakes: 0, rejections: 0 };
      let profileCheck: Check | undefined;
      const { figures, provider } = await incident(world, {
        affected: 'exchange',
        start() {
          // The service account's password changed in Active Directory; Exchange's front drops
          // the connections it had authenticated, as after an IIS reset or their idle timeout.
          world.exchange.server.setPassword(account, changed);
          world.exchange.server.dropConnections();
        },
        async end() {
          authentication = world.ewsAuthentication();
          profileCheck = (await systemStatus(world.deps)).checks[`profile:${EXCHANGE_PROFILE}`];
          // The operator puts the new password in the setting (Key Vault) and the app restarts.
          await world.restartInstance({ [`PROFILE_${EXCHANGE_PROFILE}_PASSWORD`]: changed });
        },
      });
      const mailboxes = world.people.filter((p) => p.provider === 'exchange').length;
      const statusNamesIt = profileCheck?.status === 'failing' && profileCheck.code === 'exchange-credentials-rejected';
      return {
        figures: {
          ...figures,
          detail: {
            'EWS requests': provider,
            'NTLM handshakes': authentication.handshakes,
            'credentials refused': authentication.rejections,
            [`status profile:${EXCHANGE_PROFILE}`]: profileCheck ? `${profileCheck.status} (${String(profileCheck.code)})` : 'absent',
          },
        },
        withinBound: authentication.handshakes / mailboxes <= 2 && authentication.rejections > 0 && statusNamesIt,
      };
    },
  },
  {
    name: 'cmg-outage',
    bound: 'at most 8 CMG requests and 8 provider requests per mailbox in the 30 minutes (JOB_MAX_ATTEMPTS jobs at most, each backing off)',
    async run(world) {
      const { figures, provider, cmg } = await incident(world, {
        start: () => void (world.env.cmg.switches.down = true),
        end: () => void (world.env.cmg.switches.down = false),
      });
      return {
        figures: { ...figures, detail: { 'CMG requests': cmg, 'provider requests': provider } },
        withinBound: figures.cmgPerMailbox <= 8 && figures.providerPerMailbox <= 8,
      };
    },
  },
  {
    name: 'cmg-refuses-one',
    bound: 'the refused activity is sent once per content, a full sync of everyone included; the rest of its mailbox syncs',
    async run(world) {
      const person = world.people.find((p) => p.provider === 'graph')!;
      let refusedId = '';
      const { figures, cmgDuring } = await incident(world, {
        changes: 1,
        start() {
          refusedId = world.addMeeting(person, 'refused');
          const event = world.env.org.events[person.key]!.at(-1)!;
          world.excludedShapes.set(refusedId, { key: person.key, start: Date.parse(event.start) });
          // Permanent for this one activity: 422 (any 4xx but auth and configuration).
          world.env.cmg.fault({ kind: 'status', status: 422, method: 'PUT', path: new RegExp(`/activities/${refusedId}$`), times: Infinity, body: { error: { code: 'invalid_activity', message: 'text not allowed' } } });
          world.addMeeting(person, 'accepted');
        },
        end: async () => {
          // A full sync of everyone, as after a settings change: the refusal is not sent again.
          for (const p of world.people) await requestResync(world.deps, p.key, OPERATOR);
        },
        exclude: () => new Set([refusedId]),
      });
      const refusedPuts = countPuts(cmgDuring, refusedId) + countPuts(world.env.cmg.record, refusedId);
      const reported = (await world.deps.store.activities.listRejected()).filter((r) => r.externalId === refusedId).length;
      return {
        figures: { ...figures, detail: { 'PUTs of the refused activity (incident and full sync)': refusedPuts, 'reported as refused': reported } },
        withinBound: refusedPuts <= 1 && reported === 1,
      };
    },
  },
  {
    name: 'webhook-flood',
    bound: 'at most 5 table reads per webhook request and no job enqueued (1,000 requests of 1,000 random ids each)',
    async run(world) {
      await world.settle();
      const heldBefore = world.heldIds();
      world.startMeasuring();
      useDeps(world.deps);
      const requests = 1_000;
      let sent = 0;
      const statuses: Record<string, number> = {};
      const queuedBefore = [...world.deliveries.values()].reduce((a, b) => a + b, 0);
      // Stops as soon as the reads exceed the bound for the requests sent so far: beyond that the
      // figure is known, and the rest of the flood would only take the machine's time.
      for (; sent < requests && world.tables.counts.reads <= 5 * sent; sent += 1) {
        const value = Array.from({ length: 1_000 }, () => ({ subscriptionId: randomUUID(), clientState: randomUUID(), changeType: 'updated', resource: `users/${randomUUID()}/events/x` }));
        const answer = await graphNotifications(
          new functions.HttpRequest({ method: 'POST', url: 'http://localhost/api/graph-notifications', headers: { 'content-type': 'application/json' }, body: { string: JSON.stringify({ value }) } }),
        );
        statuses[String(answer.status ?? 200)] = (statuses[String(answer.status ?? 200)] ?? 0) + 1;
      }
      const reads = world.tables.counts.reads;
      await world.advance(2 * MINUTE);
      const jobs = [...world.deliveries.values()].reduce((a, b) => a + b, 0) - queuedBefore;
      const perRequest = reads / Math.max(sent, 1);
      const notification = [...world.deliveriesByMessage.keys()].filter((id) => id.startsWith('notification:')).length;
      return {
        figures: {
          wronglyDeleted: world.deletedIds().filter((id) => heldBefore.has(id)).length,
          providerPerMailbox: world.providerRequests() / world.people.length,
          cmgPerMailbox: world.env.cmg.record.length / world.people.length,
          deadLettered: await deadLetterReasons(world),
          tableReadsPerWebhookRequest: perRequest,
          convergeMinutes: (await world.converged()) ? 0 : undefined,
          detail: {
            'requests sent': sent < requests ? `${sent} of ${requests} (stopped once over the bound)` : sent,
            answers: Object.entries(statuses).map(([s, n]) => `${n}×${s}`).join(' '),
            'notification jobs': notification,
            'jobs run': jobs,
          },
        },
        withinBound: sent === requests && perRequest <= 5 && notification === 0,
      };
    },
  },
  {
    name: 'poison-message',
    bound: 'each unreadable message delivered once; a mailbox whose job always fails runs at most JOB_MAX_ATTEMPTS (8) jobs, then one per JOB_RETRY_MAX (30 min): 12 in the 2 hours',
    async run(world) {
      const victim = world.people.find((p) => p.provider === 'google')!;
      const activities = TableClient.fromConnectionString(world.tables.connectionString, `${world.tablePrefix}Activities`, { allowInsecureConnection: true });
      const bodies: unknown[] = ['not json', { mailboxKey: '', reason: 'nope' }, Buffer.from([0xff, 0xfe])];
      let poisonJobs = 0;
      const { figures } = await incident(world, {
        durationMs: 4 * INCIDENT_MS,
        start: async () => {
          for (const [i, body] of bodies.entries()) await runMailboxMessage(world.deps, body, { messageId: `poison-${i}`, deliveryCount: 1, deadLetter: async () => undefined });
          // A row no version of us wrote: every job of this mailbox fails reading it.
          await activities.upsertEntity({ partitionKey: encodeKey(victim.key), rowKey: 'corrupt', hash: 42 }, 'Replace');
          await requestResync(world.deps, victim.key, OPERATOR);
        },
        end: async () => {
          poisonJobs = [...world.deliveriesByMessage.keys()].filter((id) => id.includes(victim.key)).length;
          await activities.deleteEntity(encodeKey(victim.key), 'corrupt');
        },
      });
      const deliveries = Math.max(...[0, 1, 2].map((i) => world.deliveriesByMessage.get(`poison-${i}`) ?? 1));
      return {
        figures: { ...figures, detail: { 'deliveries per unreadable message': deliveries, 'jobs of the poisoned mailbox': poisonJobs } },
        withinBound: deliveries === 1 && poisonJobs <= 8 + 4 && (figures.deadLettered['invalid-message'] ?? 0) === bodies.length && (figures.deadLettered['attempts-exhausted'] ?? 0) >= 1,
      };
    },
  },
  {
    name: 'table-throttled',
    bound: 'at most 8 provider and 8 CMG requests per mailbox while a third of table requests answer 503 ServerBusy for 10 minutes',
    async run(world) {
      const { figures, provider, cmg } = await incident(world, {
        // Each 503 costs the SDK's own retry about a second of real time: 10 simulated minutes keep the run short.
        durationMs: 10 * MINUTE,
        start: () => void (world.tables.busyRate = 1 / 3),
        end: () => void (world.tables.busyRate = 0),
      });
      return {
        figures: { ...figures, detail: { 'provider requests': provider, 'CMG requests': cmg, 'table answers 503': world.tables.counts.busy } },
        withinBound: figures.providerPerMailbox <= 8 && figures.cmgPerMailbox <= 8,
      };
    },
  },
  {
    name: 'cmg-restored',
    bound: 'the repairing full sync costs one list request per user plus one write per difference',
    async run(world) {
      const strays = world.people.slice(0, 3);
      let differences = 0;
      const { figures } = await incident(world, {
        changes: 0,
        durationMs: 5 * MINUTE,
        start: async () => {
          // CMG comes back from a backup: every activity gone, and strays with our sign that we never knew.
          const held = world.env.cmg.control.allActivities();
          for (const [userId, list] of Object.entries(held)) {
            for (const a of list) {
              await world.deps.cmg.deleteActivity(userId, a.externalId);
              differences += 1;
            }
          }
          for (const [i, p] of strays.entries()) {
            const start = new Date(world.clock.now() + (3 + i) * 3_600_000).toISOString();
            const end = new Date(world.clock.now() + (4 + i) * 3_600_000).toISOString();
            await world.deps.cmg.upsertActivity(p.key, `stray-${i}`, {
              code: '11', start, end, text: 'Left over', forward: false, inConference: false,
              sign: world.env.config.mapping.sign, messageSystems: world.env.config.cmg.messageSystems, source: { provider: p.provider, eventId: `gone-${i}` },
            });
            differences += 1;
          }
          world.startMeasuring();
        },
        // The operator asks for the next full sync (a window roll does the same at midnight).
        end: async () => {
          for (const p of world.people) await requestResync(world.deps, p.key, OPERATOR);
        },
      });
      const repairRequests = world.env.cmg.record.filter((r) => r.path.includes('/users/')).length;
      const lists = world.env.cmg.record.filter((r) => r.method === 'GET' && r.path.endsWith('/activities')).length;
      return {
        figures: { ...figures, detail: { 'differences planted': differences, 'list requests': lists, 'CMG requests to repair': repairRequests } },
        withinBound: lists <= world.people.length && repairRequests <= world.people.length + differences,
      };
    },
  },
];

function exchangeAccount(world: ChaosWorld): string {
  return world.env.settings[`PROFILE_${EXCHANGE_PROFILE}_USER_NAME`]!;
}

function circuitLine(circuit: CircuitView | undefined): string {
  return circuit?.open ? `open (${circuit.code ?? '?'})` : 'closed';
}

/**
 * Whether every mailbox waited out Exchange's BackOffMilliseconds: for each ErrorServerBusy
 * answer, the mailbox's next request (in the emulator's record, on the simulated clock).
 */
export function backOffKept(records: readonly EwsRequestRecord[], backOffMs: number): { early: number; shortestMs: number | undefined } {
  const byMailbox = new Map<string, EwsRequestRecord[]>();
  for (const r of records) if (r.mailbox !== undefined) byMailbox.set(r.mailbox, [...(byMailbox.get(r.mailbox) ?? []), r]);
  let early = 0;
  let shortestMs: number | undefined;
  for (const list of byMailbox.values()) {
    for (const [i, r] of list.entries()) {
      const next = list[i + 1];
      if (!next || !r.responseCodes.includes('ErrorServerBusy')) continue;
      const waited = next.atMs - r.atMs;
      if (waited < backOffMs) early += 1;
      shortestMs = Math.min(shortestMs ?? waited, waited);
    }
  }
  return { early, shortestMs };
}

/** Activities CMG created (201) more than once: a retry or replay that made a second one. */
function activitiesCreatedTwice(records: readonly RecordedRequest[]): number {
  const created = new Map<string, number>();
  for (const r of records) if (r.method === 'PUT' && r.status === 201) created.set(r.path, (created.get(r.path) ?? 0) + 1);
  return [...created.values()].filter((n) => n > 1).length;
}

function countPuts(records: readonly RecordedRequest[], externalId: string): number {
  return records.filter((r) => r.method === 'PUT' && r.path.endsWith(`/activities/${externalId}`)).length;
}

/** Runs one scenario in a world of its own. */
export async function runScenario(scenario: ChaosScenario, tables: { connectionString: string; tablePrefix: string }): Promise<ChaosResult> {
  const world = await ChaosWorld.start({ tablesConnectionString: tables.connectionString, tablePrefix: tables.tablePrefix, exchangeUsers: scenario.exchangeUsers });
  try {
    const { figures, withinBound } = await scenario.run(world);
    const broken: string[] = [];
    if (figures.wronglyDeleted > 0) broken.push(`${figures.wronglyDeleted} activities wrongly deleted`);
    if (figures.convergeMinutes === undefined) broken.push('CMG did not come to equal the oracle');
    if (!withinBound) broken.push(`over the bound: ${scenario.bound}`);
    return { name: scenario.name, held: broken.length === 0, figures, bound: scenario.bound, broken };
  } finally {
    await world.close();
  }
}

/** `scenario NAME: held|broken — figures`. */
export function resultLine(result: ChaosResult): string {
  const f = result.figures;
  const dead = Object.entries(f.deadLettered);
  const parts = [
    `wrongly deleted ${f.wronglyDeleted}`,
    `provider ${f.providerPerMailbox.toFixed(2)}/mailbox and CMG ${f.cmgPerMailbox.toFixed(2)}/mailbox during the incident`,
    `dead-lettered ${dead.length === 0 ? 0 : dead.map(([reason, n]) => `${n} ${reason}`).join(', ')}`,
    `table reads/webhook request ${f.tableReadsPerWebhookRequest === undefined ? '-' : f.tableReadsPerWebhookRequest.toFixed(1)}`,
    `converged ${f.convergeMinutes === undefined ? 'never' : `${f.convergeMinutes} min`} after`,
    ...Object.entries(f.detail).map(([k, v]) => `${k} ${v}`),
    `bound: ${result.bound}`,
    ...(result.broken.length > 0 ? [`broken: ${result.broken.join('; ')}`] : []),
  ];
  return `scenario ${result.name}: ${result.held ? 'held' : 'broken'} — ${parts.join('; ')}`;
}
