/**
 * The world a chaos scenario runs in: the production composition (tools/local-env) against the
 * emulators, Table Storage behind a fault-injecting proxy, and a simulated clock. `advance`
 * moves the clock minute by minute and runs what the Functions host would in that minute — the
 * dispatch and roster timers, then every queued job that became due — so an incident of 30
 * minutes, its backoffs and its recovery take seconds. Scenarios read figures off the emulators'
 * request records, the proxy's counts and the DeadLetters table.
 */
import { createDeps } from '../../shared/app/create-deps.js';
import { externalIdFor } from '../../shared/domain/external-id.js';
import { dispatch } from '../../shared/sync/roster/dispatch-jobs.js';
import { refreshRoster, refreshRosterIfDue } from '../../shared/sync/roster/refresh-roster.js';
import { runMailboxJob, type JobResult } from '../../shared/sync/job/run-mailbox-job.js';
import type { SyncDeps } from '../../shared/sync/sync-deps.js';
import type { RecordedRequest } from '../../tools/emulators/emulator-server.js';
import { ManualClock } from '../../tools/clock/manual-clock.js';
import { startTableFaultProxy, type TableFaultProxy } from '../../tools/azurite/table-fault-proxy.js';
import { demoOrganisation, type DemoEvent, type DemoPerson } from '../../tools/demo/demo-organisation.js';
import { exchangeItem, googleEvent, graphEvent } from '../../tools/demo/seed-emulators.js';
import type { RunningEwsEmulator } from '../../tools/emulators/exchange/ews-emulator.js';
import { readConfig } from '../../shared/config/config.js';
import { describeProblems } from '../../shared/config/read-settings.js';
import { EXCHANGE_PROFILE, startLocalEnvironment, type LocalEnvironment } from '../../tools/local-env/local-environment.js';
import { cmgActivities, expectedFor } from '../../tools/local-env/oracle.js';
import type { ExpectedActivity } from '../../tools/demo/expected-activities.js';

/** A Wednesday morning: the demo week, and so the oracle, is the same whatever day it runs. */
export const CHAOS_START = Date.parse('2026-11-25T08:00:00Z');
const MINUTE = 60_000;

/**
 * Production defaults, but for the waits that take real time inside one request (the
 * emulators answer at once, so in-request retries only slow the run down).
 */
export const CHAOS_SETTINGS: Readonly<Record<string, string>> = {
  CMG_MAX_RETRIES: '1',
  PROVIDER_MAX_RETRIES: '1',
  JOB_RETRY_BASE: '30s',
  JOB_RETRY_MAX: '30m',
};

export interface ChaosWorldOptions {
  readonly tablesConnectionString: string;
  readonly tablePrefix: string;
  readonly settings?: Readonly<Record<string, string>>;
  /** Mailboxes on the on-premises Exchange Server besides the demo's Graph and Google ones (none by default). */
  readonly exchangeUsers?: number;
}

/** What the EWS emulator had served when measuring started: its records and its front's counters. */
interface ExchangeMark {
  readonly records: number;
  readonly handshakes: number;
  readonly rejections: number;
  readonly requests: number;
}

export class ChaosWorld {
  /** Deliveries the queue made, by job status (`thrown` when the handler threw). */
  readonly deliveries = new Map<string, number>();
  /** Deliveries per message id. */
  readonly deliveriesByMessage = new Map<string, number>();
  /** Timer runs that threw (the store or CMG failing under them). */
  timerFailures = 0;
  private current: SyncDeps;
  private exchangeMark: ExchangeMark = { records: 0, handshakes: 0, rejections: 0, requests: 0 };

  private constructor(
    readonly env: LocalEnvironment,
    readonly clock: ManualClock,
    readonly tables: TableFaultProxy,
    /** The prefix of this world's table names (`${tablePrefix}Activities` …). */
    readonly tablePrefix: string,
  ) {
    this.current = env.deps;
  }

  static async start(options: ChaosWorldOptions): Promise<ChaosWorld> {
    const clock = new ManualClock(CHAOS_START);
    const tables = await startTableFaultProxy(options.tablesConnectionString);
    try {
      const env = await startLocalEnvironment({
        now: () => clock.date,
        ...(options.exchangeUsers ? { org: demoOrganisation({ now: clock.date, exchangeUsers: options.exchangeUsers }) } : {}),
        tablesConnectionString: tables.connectionString,
        tablePrefix: options.tablePrefix,
        queue: { clock },
        settings: { ...CHAOS_SETTINGS, ...options.settings },
      });
      const world = new ChaosWorld(env, clock, tables, options.tablePrefix);
      // The demo leaves one Exchange mailbox outside the impersonation scope; an incident here
      // starts from a profile that serves every mailbox, so that the oracle holds for everyone.
      for (const key of env.org.impersonationDenied ?? []) {
        const person = env.org.people.find((p) => p.key === key)!;
        env.exchange?.control.grantImpersonation(env.settings[`PROFILE_${EXCHANGE_PROFILE}_USER_NAME`]!, person.address);
      }
      env.queue.start(async (job, delivery) => {
        world.deliveriesByMessage.set(delivery.messageId, (world.deliveriesByMessage.get(delivery.messageId) ?? 0) + 1);
        let result: JobResult;
        try {
          result = await runMailboxJob(world.deps, job, delivery);
        } catch (error) {
          world.count('thrown');
          throw error;
        }
        world.count(result.status);
      });
      return world;
    } catch (error) {
      await tables.close();
      throw error;
    }
  }

  /** The dependencies jobs and timers run with now. */
  get deps(): SyncDeps {
    return this.current;
  }

  get people(): readonly DemoPerson[] {
    return this.env.org.people;
  }

  /** The EWS emulator; only worlds started with `exchangeUsers` have one. */
  get exchange(): RunningEwsEmulator {
    if (!this.env.exchange) throw new Error('this chaos world has no Exchange mailboxes');
    return this.env.exchange;
  }

  /**
   * A new instance of the app: fresh token caches (msal, Google) and EWS connections, same tables
   * and queue. `settings`: app settings changed first, as an operator does in Key Vault before
   * the app restarts.
   */
  async restartInstance(settings: Readonly<Record<string, string>> = {}): Promise<void> {
    let config = this.env.config;
    if (Object.keys(settings).length > 0) {
      const read = readConfig({ ...this.env.settings, ...settings });
      if (!read.ok) throw new Error(describeProblems(read.problems));
      config = read.config;
    }
    this.current = await createDeps(config, {
      logger: this.env.deps.logger,
      queue: this.env.queue,
      now: () => this.clock.date,
      graphTrustedCertificates: [this.env.graph.certificate],
      tablePrefix: this.tablePrefix,
    });
  }

  /** Roster, every mailbox's first sync: the quiet start of every scenario. */
  async settle(): Promise<void> {
    await refreshRoster(this.deps, { full: true });
    await this.env.queue.whenIdle({ horizonMs: 0 });
    await this.advance(2 * MINUTE);
  }

  /**
   * Quiet hours pass at once: the clock jumps to `at`, then two minutes run, so that every
   * mailbox due meanwhile has synced. For incidents that start at a given time of day.
   */
  async quietUntil(at: number): Promise<void> {
    if (at > this.clock.now()) this.clock.advance(at - this.clock.now() - 2 * MINUTE);
    await this.advance(2 * MINUTE);
  }

  /** Moves the clock minute by minute, running the timers and every job that came due. */
  async advance(ms: number, afterEachMinute?: () => Promise<boolean>): Promise<number> {
    let passed = 0;
    while (passed < ms) {
      const step = Math.min(MINUTE, ms - passed);
      this.clock.advance(step);
      passed += step;
      await this.timers();
      await this.env.queue.whenIdle({ horizonMs: 0 });
      if (afterEachMinute && (await afterEachMinute())) return passed;
    }
    return passed;
  }

  /** Advances until CMG equals the oracle; the simulated minutes it took, or undefined within `limitMs`. */
  async untilConverged(limitMs: number, exclude: ReadonlySet<string> = new Set()): Promise<number | undefined> {
    await this.env.queue.whenIdle({ horizonMs: 0 });
    if (await this.converged(exclude)) return 0;
    let done = false;
    const passed = await this.advance(limitMs, async () => (done = await this.converged(exclude)));
    return done ? passed / MINUTE : undefined;
  }

  /** CMG holds exactly what the oracle expects for every person (`exclude`: externalIds CMG may lack). */
  async converged(exclude: ReadonlySet<string> = new Set()): Promise<boolean> {
    for (const person of this.people) {
      const held = cmgActivities(this.env, person.key);
      const expected = (await expectedFor(this.env, person.key)).filter((a) => !this.excluded(person, a, exclude));
      if (JSON.stringify(held) !== JSON.stringify(expected)) return false;
    }
    return true;
  }

  /** Every externalId CMG holds now. */
  heldIds(): Set<string> {
    return new Set(Object.values(this.env.cmg.control.allActivities()).flatMap((list) => list.map((a) => a.externalId)));
  }

  /** A new one-hour meeting for the person, in the calendar and in the oracle; its externalId. */
  addMeeting(person: DemoPerson, label: string): string {
    const hour = Math.ceil(this.clock.now() / 3_600_000) * 3_600_000;
    const index = (this.env.org.events[person.key] ?? []).length;
    const event: DemoEvent = {
      id: `${person.key}-${label}`,
      subject: `Chaos meeting ${label}`,
      start: new Date(hour + (2 + (index % 6)) * 3_600_000).toISOString(),
      end: new Date(hour + (2 + (index % 6)) * 3_600_000 + 30 * MINUTE).toISOString(),
    };
    (this.env.org.events as Record<string, DemoEvent[]>)[person.key]!.push(event);
    if (person.provider === 'google') {
      const created = this.env.google.control.putEvent(person.address, googleEvent(person, event));
      return externalIdFor('google', person.key, String(created.id));
    }
    if (person.provider === 'exchange') {
      // A single item's activity is named by its UID (normalize-exchange-event.ts).
      const created = this.exchange.control.createItem(person.address, exchangeItem(person, event));
      return externalIdFor('exchange', person.key, created.uid);
    }
    return externalIdFor('graph', person.key, this.env.graph.control.addEvent(person.address, graphEvent(event)));
  }

  /** Clears the emulators' request records and the proxy's counts: the start of a measured span. */
  startMeasuring(): void {
    this.env.graph.clearRecord();
    this.env.google.clearRecord();
    this.env.cmg.clearRecord();
    this.tables.resetCounts();
    if (this.env.exchange) {
      const front = this.env.exchange.server.counters();
      this.exchangeMark = { records: this.env.exchange.control.requests().length, handshakes: front.handshakes, rejections: front.rejections, requests: front.requests };
    }
  }

  /** Provider requests (API and token endpoints; EWS with its NTLM legs) since `startMeasuring`. */
  providerRequests(provider?: 'graph' | 'google' | 'exchange'): number {
    const graph = this.env.graph.record.length;
    const google = this.env.google.record.length;
    const exchange = this.ewsHttpRequests();
    return provider === 'graph' ? graph : provider === 'google' ? google : provider === 'exchange' ? exchange : graph + google + exchange;
  }

  /**
   * HTTP requests that reached the EWS front since `startMeasuring`: each NTLM NEGOTIATE (answered
   * with its challenge), each AUTHENTICATE refused, and each request let through to Exchange.
   */
  ewsHttpRequests(): number {
    if (!this.env.exchange) return 0;
    const front = this.env.exchange.server.counters();
    return front.handshakes - this.exchangeMark.handshakes + (front.rejections - this.exchangeMark.rejections) + (front.requests - this.exchangeMark.requests);
  }

  /** NTLM handshakes begun and credentials refused at the EWS front since `startMeasuring`. */
  ewsAuthentication(): { handshakes: number; rejections: number } {
    if (!this.env.exchange) return { handshakes: 0, rejections: 0 };
    const front = this.env.exchange.server.counters();
    return { handshakes: front.handshakes - this.exchangeMark.handshakes, rejections: front.rejections - this.exchangeMark.rejections };
  }

  /** What Exchange itself answered since `startMeasuring` (requests past sign-in), in order. */
  ewsRecords(): ReturnType<RunningEwsEmulator['control']['requests']> {
    return this.env.exchange ? this.env.exchange.control.requests().slice(this.exchangeMark.records) : [];
  }

  /** ExternalIds CMG deleted (204) since `startMeasuring`. */
  deletedIds(records: readonly RecordedRequest[] = this.env.cmg.record): string[] {
    return records.filter((r) => r.method === 'DELETE' && r.status === 204).map((r) => r.path.slice(r.path.lastIndexOf('/') + 1));
  }

  async close(): Promise<void> {
    try {
      await this.env.close();
    } finally {
      await this.tables.close();
    }
  }

  private excluded(person: DemoPerson, activity: ExpectedActivity, exclude: ReadonlySet<string>): boolean {
    if (exclude.size === 0) return false;
    // The oracle has no ids: an excluded activity is matched by what CMG would have held.
    return [...exclude].some((id) => this.excludedShapes.get(id)?.key === person.key && this.excludedShapes.get(id)?.start === activity.start);
  }

  /** Remembers where an activity CMG will never hold would have started (cmg-refuses-one). */
  readonly excludedShapes = new Map<string, { key: string; start: number }>();

  private count(status: string): void {
    this.deliveries.set(status, (this.deliveries.get(status) ?? 0) + 1);
  }

  private async timers(): Promise<void> {
    for (const timer of [() => dispatch(this.deps), () => refreshRosterIfDue(this.deps, new Date(CHAOS_START))]) {
      try {
        await timer();
      } catch {
        // A failed timer run is not retried by the host; the next tick runs it again.
        this.timerFailures += 1;
      }
    }
  }
}
