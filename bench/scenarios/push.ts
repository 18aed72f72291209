/**
 * Push end to end (issues #7, #17): 1,000 mailboxes (half Graph, half Google, 30 events each)
 * synced once; the subscriptions use case creates a Graph subscription / Google channel per
 * mailbox with WEBHOOK_BASE_URL at a loopback server that runs the real compiled webhook
 * functions (the validation handshake included); the queue runs the real `mailbox-sync` trigger,
 * host.json's sessions at once. The emulators run in their own process and rename events on
 * request; they notify over HTTP. Latency is from the change in the emulator to CMG's
 * acknowledgement of the renamed activity (the first successful PUT carrying the new text).
 *
 * Each step changes one event in each of `rate` mailboxes per second for a few seconds, then
 * drains. Three parts, every line with the load average:
 * 1. the coalescing window (NOTIFICATION_WINDOW_MS), for 1000, 500, 250 and 100 ms: p50 / p95
 *    / p99 at 50 changes/s (each in another mailbox, so nothing to coalesce: the latency side),
 *    then bursts of 10 changes 100 ms apart in 20 mailboxes (jobs and requests per burst: what
 *    a longer window saves);
 * 2. 50 changes/s with the default window in detail: per provider, per slice of the load, the
 *    queue wait, the webhook handlers' own time, job times, and each process's CPU and memory;
 * 3. the knee: the highest rate at which p95 stays under 2 s, by doubling from 100 changes/s
 *    until p95 reaches 2 s (or the queue does not drain), then halving the gap twice.
 * Targets printed alongside: p95 < 1 s at 50 changes/s; webhook handler p99 < 50 ms.
 */
import type { BenchScenario } from '../run-bench.js';
import { useDeps } from '../../shared/app/app-context.js';
import { PUSH_SETTINGS } from '../../shared/config/runtime-settings.js';
import { maintainSubscriptions } from '../../shared/sync/push/maintain-subscriptions.js';
import {
  clearRecords,
  CMG_LATENCY_MS,
  MAX_CONCURRENT_SESSIONS,
  PROVIDER_LATENCY_MS,
  startBenchEnvironment,
  startProcessesSampler,
  type BenchEnvironment,
  type ProcessesReport,
} from '../support/bench-environment.js';
import { cpuPerLine, printJobTimes } from '../support/bench-printers.js';
import { rosterAndFullSweep } from '../support/bench-sweeps.js';
import type { DemoPerson } from '../../tools/demo/demo-organisation.js';
import { machineLine, percentile, summary } from '../support/measure.js';
import { startWebhookServer, type WebhookServer } from '../support/webhook-server.js';

const MAILBOXES = 1_000;
const WINDOWS_MS = [1_000, 500, 250, 100];
const STEADY_RATE = 50;
/** Each window's bursts: this many changes of one event in each of BURST_MAILBOXES mailboxes, BURST_EVERY_MS apart. */
const BURST_MAILBOXES = 20;
const BURST_CHANGES = 10;
const BURST_EVERY_MS = 100;
const STEADY_TARGET_MS = 1_000;
const KNEE_P95_MS = 2_000;
const KNEE_FIRST_RATE = 100;
const KNEE_MAX_RATE = 1_600;
/** After the doubling, the gap between the last rate under the bound and the first over it is halved this often. */
const KNEE_REFINEMENTS = 2;
const DRAIN_TIMEOUT_MS = 60_000;
const MARK = 'Bench change ';
/** The product's default coalescing window, as the settings schema declares it. */
const DEFAULT_WINDOW_MS = PUSH_SETTINGS.NOTIFICATION_WINDOW_MS.schema.parse(PUSH_SETTINGS.NOTIFICATION_WINDOW_MS.meta.default);

interface BurstFigures {
  readonly windowMs: number;
  readonly mailboxes: number;
  readonly changes: number;
  readonly everyMs: number;
  readonly jobsPerBurst: number;
  /** Graph, Google and CMG requests the product sent, per burst. */
  readonly requestsPerBurst: number;
  /** Each burst's last change → CMG, ms. */
  readonly lastLatencies: readonly number[];
  /** Bursts whose last text never reached CMG. */
  readonly lost: number;
  readonly load: string;
}

/** A step's figures: what its play recorded, with the latencies drawn from it. */
interface StepFigures extends Omit<Played, 'changedAt' | 'ackAt'> {
  readonly rate: number;
  readonly windowMs: number;
  readonly changes: number;
  /** Change → CMG acknowledgement, ms, in change order. */
  readonly latencies: readonly number[];
  readonly byProvider: { readonly graph: readonly number[]; readonly google: readonly number[] };
  readonly p95: number;
}

const scenario: BenchScenario = {
  name: 'push',
  description:
    `change → webhook → job → CMG latency: ${MAILBOXES} mailboxes, ${PROVIDER_LATENCY_MS} ms provider / ${CMG_LATENCY_MS} ms CMG latency, ${MAX_CONCURRENT_SESSIONS} sessions; ` +
    `coalescing windows ${WINDOWS_MS.join(' / ')} ms at ${STEADY_RATE} changes/s, then the knee (p95 < ${KNEE_P95_MS / 1000} s) at the default window of ${DEFAULT_WINDOW_MS} ms; 6 s per step (--full 20 s)`,
  async run({ full }) {
    const stepSeconds = full ? 20 : 6;
    const webhooks = await startWebhookServer();
    let bench: BenchEnvironment | undefined;
    try {
      bench = await startBenchEnvironment({
        mailboxes: MAILBOXES,
        settings: { WEBHOOK_BASE_URL: webhooks.url },
        handler: async (_env, job, delivery) => {
          await webhooks.queueHandler(job, delivery);
          return undefined;
        },
        extraPorts: new Map([[String(webhooks.port), 'webhooks']]),
      });
      useDeps(bench.env.deps);
      await rosterAndFullSweep(bench, { quiet: true });
      await subscribe(bench, webhooks);
      const run = new ChangeRunner(bench, webhooks);

      console.log(`coalescing window (NOTIFICATION_WINDOW_MS) at ${STEADY_RATE} changes/s, ${stepSeconds} s each:`);
      let steady: StepFigures | undefined;
      for (const windowMs of WINDOWS_MS) {
        const figures = await run.step({ rate: STEADY_RATE, windowMs, seconds: stepSeconds });
        console.log(`  ${String(windowMs).padStart(4)} ms: ${stepLine(figures)}`);
        // The details come from the step just run (the bursts reset the counters).
        if (windowMs === DEFAULT_WINDOW_MS) {
          steady = figures;
          printSteady(bench, webhooks, steady);
        }
        const bursts = await run.bursts({ windowMs, mailboxes: BURST_MAILBOXES, changes: BURST_CHANGES, everyMs: BURST_EVERY_MS });
        console.log(`          bursts: ${burstLine(bursts)}`);
      }
      if (!steady) {
        steady = await run.step({ rate: STEADY_RATE, windowMs: DEFAULT_WINDOW_MS, seconds: stepSeconds });
        printSteady(bench, webhooks, steady);
      }
      if (!steady.drained) {
        console.log('knee: not searched, the queue did not drain at the steady rate');
        return;
      }
      await findKnee(run, steady, stepSeconds);
    } finally {
      await bench?.close();
      await webhooks.close();
    }
  },
};

async function subscribe(b: BenchEnvironment, webhooks: WebhookServer): Promise<void> {
  const started = performance.now();
  const report = await maintainSubscriptions(b.env.deps);
  const took = (performance.now() - started) / 1000;
  await b.emulators.flushNotifications();
  const { graphSubscriptions, googleChannels } = await b.emulators.pushState();
  const validations = webhooks.stats.get('graph-notifications')?.handlerMs.length ?? 0;
  console.log(
    `subscriptions use case: ${JSON.stringify(report)} in ${took.toFixed(1)} s; Graph holds ${graphSubscriptions} subscriptions, Google ${googleChannels} channels; ` +
      `${validations} validation requests answered; webhook errors ${webhooks.errors}`,
  );
}

/** One change of a step: when, after the step's start, which person's which event. */
interface PlannedChange {
  readonly atMs: number;
  readonly person: DemoPerson;
  readonly eventId: string;
}

interface Played {
  readonly changedAt: readonly number[];
  /** By change index: the first successful CMG PUT carrying its text. */
  readonly ackAt: readonly (number | undefined)[];
  readonly drained: boolean;
  readonly drainSeconds: number;
  readonly generatorLagMs: number;
  readonly notificationJobs: number;
  readonly notifications: number;
  readonly processes: ProcessesReport;
  readonly load: string;
}

/** Runs steps of changes one after the other, each on a drained queue, with the change numbers running on. */
class ChangeRunner {
  private seq = 0;

  constructor(
    private readonly b: BenchEnvironment,
    private readonly webhooks: WebhookServer,
  ) {}

  /** One event in each of `rate` mailboxes per second, round the organisation. */
  async step(options: { rate: number; windowMs: number; seconds: number }): Promise<StepFigures> {
    const { org } = this.b;
    const { rate, windowMs, seconds } = options;
    const total = Math.round(seconds * rate);
    const plan: PlannedChange[] = [];
    for (let i = 0; i < total; i += 1) {
      const n = this.seq + i;
      const person = org.people[n % org.people.length]!;
      const plain = org.plainEventIds(person.key);
      plan.push({ atMs: (i * 1000) / rate, person, eventId: plain[Math.floor(n / org.people.length) % plain.length]! });
    }
    const played = await this.play(plan, windowMs);
    const latencies: number[] = [];
    const byProvider = { graph: [] as number[], google: [] as number[] };
    for (const [i, change] of plan.entries()) {
      const at = played.ackAt[i];
      if (at === undefined) continue;
      latencies.push(at - played.changedAt[i]!);
      // The bench organisation has Graph and Google people only.
      if (change.person.provider !== 'exchange') byProvider[change.person.provider].push(at - played.changedAt[i]!);
    }
    return {
      rate,
      windowMs,
      changes: total,
      latencies,
      byProvider,
      // Changes never acknowledged count as over any bound.
      p95: latencies.length < total * 0.95 ? Number.POSITIVE_INFINITY : percentile(latencies, 95),
      ...played,
    };
  }

  /**
   * Bursts, as a series edit or a flurry of replies makes them: `changes` renames of one event
   * in each of `mailboxes` mailboxes, one every `everyMs`. Only the last text of a burst must
   * reach CMG; the figures are jobs and requests per burst, and the last change's latency.
   */
  async bursts(options: { windowMs: number; mailboxes: number; changes: number; everyMs: number }): Promise<BurstFigures> {
    const { org } = this.b;
    const stride = Math.floor(org.people.length / options.mailboxes);
    const people = Array.from({ length: options.mailboxes }, (_, m) => org.people[m * stride]!);
    const plan: PlannedChange[] = [];
    for (let k = 0; k < options.changes; k += 1) {
      for (const person of people) plan.push({ atMs: k * options.everyMs, person, eventId: org.plainEventIds(person.key)[0]! });
    }
    const played = await this.play(plan, options.windowMs);
    const lastLatencies: number[] = [];
    let lost = 0;
    for (let i = plan.length - people.length; i < plan.length; i += 1) {
      const at = played.ackAt[i];
      if (at === undefined) lost += 1;
      else lastLatencies.push(at - played.changedAt[i]!);
    }
    const requests = this.b.http.get('graph') + this.b.http.get('google') + this.b.http.get('cmg');
    return { ...options, jobsPerBurst: played.notificationJobs / people.length, requestsPerBurst: requests / people.length, lastLatencies, lost, load: played.load };
  }

  private async play(plan: readonly PlannedChange[], windowMs: number): Promise<Played> {
    const { b, webhooks } = this;
    const { env, emulators } = b;
    // The webhooks read the window from the configuration on every notification.
    useDeps({ ...env.deps, config: { ...env.config, push: { ...env.config.push, notificationWindowMs: windowMs } } });
    await clearRecords(b);
    webhooks.resetStats();

    const first = this.seq;
    this.seq += plan.length;
    const changedAt: number[] = [];
    const changes: Array<Promise<void>> = [];
    // The changes due at one tick go to the emulators in one message. A change's time is the
    // emulator's: when it changed the event (and notified).
    const send = (from: number, to: number): void => {
      const renames = plan.slice(from, to).map((c, k) => ({ personKey: c.person.key, eventId: c.eventId, text: `${MARK}${first + from + k}` }));
      changes.push(emulators.renameEvents(renames).then((ats) => ats.forEach((at, k) => (changedAt[from + k] = at))));
    };
    const sampler = await startProcessesSampler(b);
    const started = performance.now();
    let lagMs = 0;
    // A paced loop: every 10 ms, the changes due by now (so a slow tick catches up, and the lag shows).
    await new Promise<void>((resolve) => {
      let done = 0;
      const tick = setInterval(() => {
        const elapsed = performance.now() - started;
        let due = done;
        while (due < plan.length && plan[due]!.atMs <= elapsed) due += 1;
        if (due > done) {
          lagMs = Math.max(lagMs, elapsed - plan[done]!.atMs);
          send(done, due);
        }
        done = due;
        if (done >= plan.length) {
          clearInterval(tick);
          resolve();
        }
      }, 10);
    });
    await Promise.all(changes);

    const drainStarted = performance.now();
    const drained = await Promise.race([
      (async () => {
        await emulators.flushNotifications();
        await env.queue.whenIdle();
        return true;
      })(),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), DRAIN_TIMEOUT_MS).unref()),
    ]);
    const drainSeconds = (performance.now() - drainStarted) / 1000;
    const processes = await sampler.stop();
    const load = machineLine();

    const acks = await emulators.acknowledgements(new RegExp(`${MARK}(\\d+)`));
    const received = (name: string): number => [...(webhooks.stats.get(name)?.statuses ?? new Map<number, number>())].reduce((n, [status, c]) => n + (status < 300 ? c : 0), 0);
    return {
      changedAt,
      ackAt: plan.map((_, i) => acks.get(first + i)),
      drained,
      drainSeconds,
      generatorLagMs: lagMs,
      notificationJobs: b.jobs.count('notification'),
      notifications: received('graph-notifications') + received('google-notifications'),
      processes,
      load,
    };
  }
}

function stepLine(f: StepFigures): string {
  const missing = f.changes - f.latencies.length;
  const p = (q: number): string => (f.latencies.length === 0 ? '-' : `${percentile(f.latencies, q).toFixed(0)}`);
  return (
    `p50 ${p(50)} / p95 ${p(95)} / p99 ${p(99)} ms (n=${f.latencies.length}${missing > 0 ? `, ${missing} of ${f.changes} never acknowledged` : ''}); ` +
    `${(f.notifications / Math.max(1, f.notificationJobs)).toFixed(2)} notifications per job (${f.notificationJobs} jobs); ` +
    `drain ${f.drained ? `${f.drainSeconds.toFixed(1)} s` : `NOT idle after ${DRAIN_TIMEOUT_MS / 1000} s`}` +
    (f.generatorLagMs > 100 ? `; generator fell behind by up to ${f.generatorLagMs.toFixed(0)} ms` : '') +
    `; product CPU ${f.processes.product.coresUsed.toFixed(2)} cores; ${f.load}`
  );
}

function burstLine(f: BurstFigures): string {
  const p = (q: number): string => (f.lastLatencies.length === 0 ? '-' : percentile(f.lastLatencies, q).toFixed(0));
  return (
    `${f.mailboxes} mailboxes × ${f.changes} changes ${f.everyMs} ms apart: ${f.jobsPerBurst.toFixed(2)} jobs and ${f.requestsPerBurst.toFixed(1)} Graph / Google / CMG requests per burst; ` +
    `last change → CMG p50 ${p(50)} / p95 ${p(95)} ms${f.lost > 0 ? `; ${f.lost} bursts' last change never reached CMG` : ''}; ${f.load}`
  );
}

function printSteady(b: BenchEnvironment, webhooks: WebhookServer, f: StepFigures): void {
  const p95 = percentile(f.latencies, 95);
  console.log(
    `at ${f.rate} changes/s, default window ${f.windowMs} ms: change → CMG acknowledgement ${summary(f.latencies)}; ` +
      `target p95 < ${STEADY_TARGET_MS} ms: ${Number.isNaN(p95) ? 'no data' : Number.isFinite(f.p95) && p95 < STEADY_TARGET_MS ? 'met' : 'missed'}; ${f.load}`,
  );
  console.log(`  Graph  ${summary(f.byProvider.graph)}`);
  console.log(`  Google ${summary(f.byProvider.google)}`);
  const slices: number[][] = [];
  for (const [i, latency] of f.latencies.entries()) (slices[Math.floor(i / (2 * f.rate))] ??= []).push(latency);
  console.log(`  per 2 s of load: ${slices.map((s, i) => `${i * 2}-${i * 2 + 2} s p50 ${percentile(s, 50).toFixed(0)} / p95 ${percentile(s, 95).toFixed(0)} ms`).join('; ')}`);
  console.log(`  queue wait (enqueuedAt → job start, includes the ${f.windowMs} ms coalescing window): ${summary(b.jobs.waits)}`);
  for (const name of ['graph-notifications', 'google-notifications']) {
    const s = webhooks.stats.get(name);
    if (!s) continue;
    const p99 = percentile(s.handlerMs, 99);
    console.log(
      `  webhook ${name}: handler ${summary(s.handlerMs, 'ms', 1)}; target p99 < 50 ms: ${p99 < 50 ? 'met' : 'missed'}; whole exchange ${summary(s.exchangeMs, 'ms', 1)}; ` +
        `statuses ${[...s.statuses].map(([st, n]) => `${n}×${st}`).join(', ')}`,
    );
  }
  if (webhooks.errors > 0) console.log(`  webhook errors: ${webhooks.errors}`);
  printJobTimes(b);
  console.log(`  requests the product sent: Table Storage ${b.http.get('tables')}, CMG ${b.http.get('cmg')}, Graph ${b.http.get('graph')}, Google ${b.http.get('google')}`);
  console.log(`  ${f.processes.lines[0]}`);
  for (const line of f.processes.lines.slice(1)) console.log(`  ${line}`);
  console.log(`  ${cpuPerLine(f.processes, b.jobs.durations.count, 'job')}; the product's share includes the webhook handlers (${f.notifications} notifications)`);
}

/** Doubles the rate while p95 stays under the bound, then halves the gap between the last rate under it and the first over it. */
async function findKnee(run: ChangeRunner, steady: StepFigures, seconds: number): Promise<void> {
  console.log(`knee at the default window (${DEFAULT_WINDOW_MS} ms), ${seconds} s per rate:`);
  const measure = async (rate: number): Promise<StepFigures> => {
    const f = await run.step({ rate, windowMs: DEFAULT_WINDOW_MS, seconds });
    console.log(`  ${String(rate).padStart(4)} changes/s: ${stepLine(f)}`);
    return f;
  };
  const under = (f: StepFigures): boolean => f.drained && f.p95 < KNEE_P95_MS;
  let good: StepFigures | undefined = under(steady) ? steady : undefined;
  let bad: StepFigures | undefined = good ? undefined : steady;
  for (let rate = KNEE_FIRST_RATE; good && !bad && rate <= KNEE_MAX_RATE; rate *= 2) {
    const f = await measure(rate);
    if (under(f)) good = f;
    else bad = f;
    // A queue that did not drain leaves work behind: stop rather than measure the next step on it.
    if (!f.drained) break;
  }
  for (let i = 0; i < KNEE_REFINEMENTS && good && bad?.drained && bad.rate - good.rate > 10; i += 1) {
    const f = await measure(Math.round((good.rate + bad.rate) / 2));
    if (under(f)) good = f;
    else bad = f;
    if (!f.drained) break;
  }
  if (!good) console.log(`knee: below ${steady.rate} changes/s (p95 ${fmt(steady.p95)} there); ${machineLine()}`);
  else if (!bad) console.log(`knee: at least ${good.rate} changes/s (p95 ${fmt(good.p95)}; not measured beyond ${KNEE_MAX_RATE}); ${machineLine()}`);
  else console.log(`knee: ${good.rate} changes/s (p95 ${fmt(good.p95)}); at ${bad.rate} changes/s p95 ${fmt(bad.p95)}; ${machineLine()}`);
}

const fmt = (ms: number): string => (Number.isFinite(ms) ? `${ms.toFixed(0)} ms` : 'unbounded (changes left unacknowledged)');

export default scenario;
