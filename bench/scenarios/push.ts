/**
 * Push end to end (issue #7): 1,000 mailboxes (half Graph, half Google, 30 events each) synced
 * once; the subscriptions use case creates a Graph subscription / Google channel per mailbox
 * with WEBHOOK_BASE_URL at a loopback server that runs the real compiled webhook functions
 * (the validation handshake included); the queue runs the real `mailbox-sync` trigger, host.json's
 * sessions at once. Then, for 10 s (--full: 30 s), one event in each of 200 mailboxes per
 * second is renamed in the emulators, which notify over HTTP. Printed: latency from the
 * change in the emulator to CMG's acknowledgement of the renamed activity (the PUT in the CMG
 * emulator's record carrying the new text), p50 / p95 / p99, per 5-second slice too (a growing
 * backlog shows there); notifications per job; and the webhook handlers' own time.
 * Targets printed alongside: p95 < 2 s at 20 ms provider / 10 ms CMG latency; handler p99 < 50 ms.
 */
import type { BenchScenario } from '../run.js';
import { useDeps } from '../../shared/app/app-context.js';
import { maintainSubscriptions } from '../../shared/sync/maintain-subscriptions.js';
import {
  clearRecords,
  CMG_LATENCY_MS,
  cpuPerLine,
  MAX_CONCURRENT_SESSIONS,
  printJobTimes,
  PROVIDER_LATENCY_MS,
  rosterAndFullSweep,
  startBenchEnvironment,
  startProcessesSampler,
  type BenchEnvironment,
} from '../support/bench-environment.js';
import { machineLine, percentile, summary } from '../support/measure.js';
import { startWebhookServer, type WebhookServer } from '../support/webhook-server.js';

const MAILBOXES = 1_000;
const CHANGES_PER_SECOND = 200;
const DRAIN_TIMEOUT_MS = 120_000;
const MARK = 'Bench change ';

const scenario: BenchScenario = {
  name: 'push',
  description: `change → webhook → job → CMG latency: ${MAILBOXES} mailboxes, ${CHANGES_PER_SECOND} changed mailboxes/s for 10 s (--full 30 s), ${PROVIDER_LATENCY_MS} ms provider / ${CMG_LATENCY_MS} ms CMG latency, ${MAX_CONCURRENT_SESSIONS} sessions`,
  async run({ full }) {
    const seconds = full ? 30 : 10;
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
      await changeLoad(bench, webhooks, seconds);
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
  const { graphSubscriptions: graphSubs, googleChannels: channels } = await b.emulators.pushState();
  const validations = webhooks.stats.get('graph-notifications')?.handlerMs.length ?? 0;
  console.log(
    `subscriptions use case: ${JSON.stringify(report)} in ${took.toFixed(1)} s; Graph holds ${graphSubs} subscriptions, Google ${channels} channels; ` +
      `${validations} validation requests answered; webhook errors ${webhooks.errors}`,
  );
}

async function changeLoad(b: BenchEnvironment, webhooks: WebhookServer, seconds: number): Promise<void> {
  const { env, org, emulators } = b;
  await clearRecords(b);
  webhooks.resetStats();

  const total = seconds * CHANGES_PER_SECOND;
  const changedAt: number[] = [];
  const changedProvider: Array<'graph' | 'google'> = [];
  const sampler = await startProcessesSampler(b);
  const started = performance.now();
  let lagMaxMs = 0;
  const changes: Array<Promise<void>> = [];
  // The change's time is the emulator's: when it changed the event and notified.
  const change = (seq: number): void => {
    const person = org.people[seq % org.people.length]!;
    const plain = org.plainEvents[person.key]!;
    const event = plain[Math.floor(seq / org.people.length) % plain.length]!;
    changedProvider[seq] = person.provider;
    changes.push(emulators.renameEvent(person.key, event.id, `${MARK}${seq}`).then((at) => void (changedAt[seq] = at)));
  };
  // A paced loop: every 10 ms, the changes due by now (so a slow tick catches up, and the lag shows).
  await new Promise<void>((resolve) => {
    let done = 0;
    const tick = setInterval(() => {
      const elapsed = performance.now() - started;
      const due = Math.min(total, Math.floor((elapsed * CHANGES_PER_SECOND) / 1000));
      if (due - done > 1) lagMaxMs = Math.max(lagMaxMs, ((due - done) * 1000) / CHANGES_PER_SECOND);
      while (done < due) change(done++);
      if (done >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 10);
  });
  await Promise.all(changes);
  const loadSeconds = (performance.now() - started) / 1000;
  console.log(`load: ${total} changes in ${loadSeconds.toFixed(1)} s (${CHANGES_PER_SECOND} mailboxes/s, each mailbox every ${(org.people.length / CHANGES_PER_SECOND).toFixed(0)} s); generator fell behind by up to ${lagMaxMs.toFixed(0)} ms`);

  const drainStarted = performance.now();
  const drained = await Promise.race([
    (async () => {
      await emulators.flushNotifications();
      await env.queue.whenIdle();
      return true;
    })(),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), DRAIN_TIMEOUT_MS).unref()),
  ]);
  const report = await sampler.stop();
  console.log(`drain: ${drained ? 'idle' : `NOT idle after ${DRAIN_TIMEOUT_MS / 1000} s`} ${((performance.now() - drainStarted) / 1000).toFixed(1)} s after the last change`);

  // CMG's acknowledgement: the first successful PUT carrying the change's text.
  const ackAt = await emulators.acknowledgements(new RegExp(`${MARK}(\\d+)`));
  const all: number[] = [];
  const byProvider = { graph: [] as number[], google: [] as number[] };
  const slices: number[][] = [];
  for (let seq = 0; seq < total; seq += 1) {
    const at = ackAt.get(seq);
    if (at === undefined) continue;
    const latency = at - changedAt[seq]!;
    all.push(latency);
    byProvider[changedProvider[seq]!].push(latency);
    const slice = Math.floor(seq / (5 * CHANGES_PER_SECOND));
    (slices[slice] ??= []).push(latency);
  }
  const p95 = percentile(all, 95);
  console.log(`change → CMG acknowledgement: ${summary(all)}; target p95 < 2000 ms: ${Number.isNaN(p95) ? 'no data' : p95 < 2000 ? 'met' : 'missed'}; ${total - all.length} of ${total} changes never acknowledged`);
  console.log(`  Graph  ${summary(byProvider.graph)}`);
  console.log(`  Google ${summary(byProvider.google)}`);
  console.log(`  per 5 s of load: ${slices.map((s, i) => `${i * 5}-${i * 5 + 5} s p50 ${percentile(s, 50).toFixed(0)} / p95 ${percentile(s, 95).toFixed(0)} ms`).join('; ')}`);

  const received = (name: string): number => [...(webhooks.stats.get(name)?.statuses ?? new Map<number, number>())].reduce((n, [status, c]) => n + (status < 300 ? c : 0), 0);
  const notifications = received('graph-notifications') + received('google-notifications');
  const jobsRun = b.jobs.count('notification');
  const pushed = await emulators.pushState();
  const sent = (counts: Record<string, number>): number => Object.values(counts).reduce((n, c) => n + c, 0);
  const statuses = (counts: Record<string, number>): string => Object.entries(counts).map(([st, n]) => `${n}×${st === '0' ? 'no answer' : st}`).join(', ');
  console.log(
    `notifications: Graph sent ${sent(pushed.graphNotifications)} (as Graph saw the answers: ${statuses(pushed.graphNotifications)}), Google sent ${sent(pushed.googleNotifications)} (${statuses(pushed.googleNotifications)}); ${notifications} accepted by the webhook handlers; ` +
      `${jobsRun} notification jobs ran = ${(notifications / Math.max(1, jobsRun)).toFixed(2)} notifications per job; other jobs: ${[...b.jobs.byReason].filter(([r]) => r !== 'notification').map(([r, n]) => `${n} ${r}`).join(', ') || 'none'}; job failures ${b.jobs.failures}`,
  );
  console.log(`  queue wait (enqueuedAt → job start, includes the 1-second notification bucket): ${summary(b.jobs.waits)}`);
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
  console.log(`  requests the product sent during the load: Table Storage ${b.http.get('tables')}, CMG ${b.http.get('cmg')}, Graph ${b.http.get('graph')}, Google ${b.http.get('google')}`);
  console.log(`  ${report.lines[0]}; ${machineLine()}`);
  for (const line of report.lines.slice(1)) console.log(`  ${line}`);
  console.log(`  ${cpuPerLine(report, b.jobs.durations.length, 'job')}; the product's share includes the webhook handlers (${notifications} notifications)`);
}

export default scenario;
