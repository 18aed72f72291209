/**
 * The alert rules and the action group (infra/app/alerts.bicep) as `bicep snapshot` predicts them
 * for real deployments: one rule per condition of the runbook, each with its threshold and window,
 * all on the app's Application Insights and notifying the action group, whose email receivers come
 * from the alertEmail parameter. Every metric a query names exists in
 * shared/observability/metric-names.ts, with the dimensions it uses.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '../../shared/observability/metric-names.js';
import { SYNC_SETTINGS } from '../../shared/config/runtime-settings.js';
import { FAKE_AZD_ENVIRONMENT } from './azd-environment.js';
import { buildParams, copyOfInfra, describeWithBicep, inTurn, ROOT, snapshot, type PredictedResource, type Snapshot } from './bicep.js';
import { ofType, one } from './predicted.js';
import { FAILING_SHARE_LIMIT } from '../../shared/operations/system-status.js';
import { Datetime, Dynamic, run, type Row, type Value } from './kql.js';

const OPERATIONS_DOC = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');
const CUSTOMERS = ['contoso', 'fabrikam', 'northwind'];

interface Condition {
  query: string;
  timeAggregation: string;
  metricMeasureColumn: string;
  operator: string;
  threshold: number;
  dimensions?: Array<{ name: string; operator: string; values: string[] }>;
  failingPeriods: { numberOfEvaluationPeriods: number; minFailingPeriodsToAlert: number };
}

/** The rules by the name they are deployed under, less the deployment's token. */
function rules(s: Snapshot): Record<string, PredictedResource> {
  return Object.fromEntries(ofType(s, 'Microsoft.Insights/scheduledQueryRules').map((r) => [r.name.replace(/^alert-/, '').replace(/-[a-z0-9]{13}$/, '').replace(/-x$/, ''), r]));
}
const condition = (rule: PredictedResource): Condition => (rule.properties.criteria.allOf as Condition[])[0]!;

// Application Insights' customMetrics columns that the queries may read
const CUSTOM_METRICS = ['timestamp', 'name', 'value', 'valueCount', 'valueSum', 'valueMin', 'valueMax', 'customDimensions'];
const MINUTE = 60_000;

/** One customMetrics row: a metric's value for one export interval, its attributes in customDimensions. */
function metric(name: string, at: Date, value: number, dimensions: Record<string, string> = {}): Row {
  return { timestamp: Datetime.of(at), name, value, valueCount: 1n, valueSum: value, valueMin: value, valueMax: value, customDimensions: new Dynamic(dimensions) };
}

/** ISO 8601 durations as the rules use them (PT5M, PT15M, P2D) in milliseconds. */
function duration(iso: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso);
  if (!m) throw new Error(`Not a duration this test reads: ${iso}`);
  return (((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60 + Number(m[4] ?? 0)) * 1000;
}

const at = (t: Value): number => (t as Datetime).ms;

/**
 * A rule's verdict at `now` on the given customMetrics rows, modelled on how a log alert reads its
 * query: the query runs on the rows of its time range (overrideQueryTimeRange, else windowSize);
 * the rows it returns for the window ending at `now` are split by the rule's dimensions, and each
 * split's measure, aggregated by timeAggregation, is compared with the threshold. A period with no
 * row is not a violation. With several evaluation periods, each earlier window is evaluated the
 * same way, ending one window earlier. Returns the query's rows of the last window too.
 */
function evaluateRule(rule: PredictedResource, metrics: readonly Row[], now: Date): { fires: boolean; rows: Row[] } {
  const c = condition(rule);
  const window = duration(rule.properties.windowSize as string);
  const range = duration((rule.properties.overrideQueryTimeRange as string | undefined) ?? (rule.properties.windowSize as string));
  const periods = Array.from({ length: c.failingPeriods.numberOfEvaluationPeriods }, (_, i) => {
    const end = now.getTime() - i * window;
    const input = metrics.filter((r) => at(r.timestamp!) > end - range && at(r.timestamp!) <= end);
    const out = run(c.query, { tables: { customMetrics: { columns: CUSTOM_METRICS, rows: input } }, now: new Date(end) });
    const rows = out.rows.filter((r) => at(r.timestamp!) > end - window && at(r.timestamp!) <= end);
    const splits = new Map<string, number[]>();
    for (const r of rows) {
      const key = JSON.stringify((c.dimensions ?? []).map((d) => r[d.name]));
      splits.set(key, [...(splits.get(key) ?? []), Number(r[c.metricMeasureColumn])]);
    }
    const violated = [...splits.values()].some((values) => compareWith(c, aggregate(c.timeAggregation, values)));
    return { violated, rows };
  });
  return { fires: periods.filter((p) => p.violated).length >= c.failingPeriods.minFailingPeriodsToAlert, rows: periods[0]!.rows };
}

function aggregate(how: string, values: number[]): number {
  switch (how) {
    case 'Maximum':
      return Math.max(...values);
    case 'Minimum':
      return Math.min(...values);
    case 'Total':
      return values.reduce((a, b) => a + b, 0);
    default:
      throw new Error(`timeAggregation ${how} is not modelled here`);
  }
}

function compareWith(c: Condition, v: number): boolean {
  switch (c.operator) {
    case 'GreaterThan':
      return v > c.threshold;
    case 'LessThan':
      return v < c.threshold;
    default:
      throw new Error(`operator ${c.operator} is not modelled here`);
  }
}

describeWithBicep('alert rules by bicep snapshot', () => {
  let work: ReturnType<typeof copyOfInfra>;
  let minimal: Snapshot;
  const customers = new Map<string, { snapshot: Snapshot; parameters: Record<string, unknown> }>();
  /** The alerts module alone, for one parameter value each. */
  const module = new Map<string, Snapshot>();

  const MODULE_VARIANTS: Record<string, string> = {
    'interval-default': '',
    'interval-90': "param updateInterval = '90'",
    'interval-1.5h': "param updateInterval = '1.5 h'",
    'interval-90s': "param updateInterval = '90s'",
    'interval-1d': "param updateInterval = '1d'",
    'failing-10': 'param failingMailboxesPercent = 10',
    'flood-300': 'param notificationFloodThreshold = 300',
    emails: "param alertEmail = 'ops@contoso.com, , oncall@contoso.com '",
  };

  beforeAll(async () => {
    work = copyOfInfra();
    for (const [name, line] of Object.entries(MODULE_VARIANTS)) {
      // The module's own defaults, as main.bicep passes them unless a file says otherwise
      const interval = line.startsWith('param updateInterval') ? '' : `param updateInterval = '${SYNC_SETTINGS.UPDATE_INTERVAL.meta.default!}'`;
      writeFileSync(join(work.infra, `alerts-${name}.bicepparam`), `using './app/alerts.bicep'\nparam name = 'x'\nparam location = 'swedencentral'\nparam applicationInsightsName = 'appi-x'\n${interval}\n${line}\n`);
    }
    await inTurn(
      [
        async () => {
          minimal = await snapshot(join(work.infra, 'main.bicepparam'), { env: FAKE_AZD_ENVIRONMENT });
        },
        ...CUSTOMERS.map((c) => async () => {
          const file = join(work.infra, 'customers', `${c}.bicepparam`);
          customers.set(c, { snapshot: await snapshot(file), parameters: (await buildParams(file)).parameters ?? {} });
        }),
        ...Object.keys(MODULE_VARIANTS).map((name) => async () => {
          module.set(name, await snapshot(join(work.infra, `alerts-${name}.bicepparam`), { resourceGroup: 'rg-x' }));
        }),
      ],
      (run) => run(),
    );
  }, 180_000);
  afterAll(() => work?.remove());

  it('when the rules are listed, then there is one per condition, each a log alert on the app\'s Application Insights that notifies the action group and resolves itself', () => {
    const all = rules(minimal);
    expect(Object.keys(all).sort()).toEqual(['cmg-credentials', 'dead-letters', 'failing-mailboxes', 'no-job-succeeded', 'notification-flood', 'profile-failing', 'subscription-renewals']);
    const insights = one(minimal, 'Microsoft.Insights/components').id;
    const group = one(minimal, 'Microsoft.Insights/actionGroups').id;
    for (const [name, rule] of Object.entries(all)) {
      expect(rule.kind, name).toBe('LogAlert');
      expect(rule.properties.enabled, name).toBe(true);
      expect(rule.properties.autoMitigate, name).toBe(true);
      expect(rule.properties.scopes, name).toEqual([insights]);
      expect(rule.properties.actions.actionGroups, name).toEqual([group]);
      expect(rule.properties.criteria.allOf, name).toHaveLength(1);
      // The rule aggregates by time bins of `timestamp`: every query's result carries it.
      expect(condition(rule).query, name).toMatch(/\| project timestamp[ ,=]/);
    }
  });

  it('when each rule is read, then its measure, threshold and windows are the runbook\'s', () => {
    const summary = Object.fromEntries(
      Object.entries(rules(minimal)).map(([name, rule]) => {
        const c = condition(rule);
        const periods = `${c.failingPeriods.minFailingPeriodsToAlert}/${c.failingPeriods.numberOfEvaluationPeriods}`;
        return [name, `${c.timeAggregation}(${c.metricMeasureColumn}) ${c.operator} ${c.threshold} over ${rule.properties.windowSize} × ${periods}, every ${rule.properties.evaluationFrequency}, severity ${rule.properties.severity}`];
      }),
    );
    expect(summary).toEqual({
      'profile-failing': 'Maximum(openCircuits) GreaterThan 0 over PT5M × 1/1, every PT5M, severity 1',
      'cmg-credentials': 'Total(refusals) GreaterThan 0 over PT5M × 1/1, every PT5M, severity 1',
      // The gauge's lowest value over 15 minutes above 0: dead letters the whole time.
      'dead-letters': 'Minimum(deadLetters) GreaterThan 0 over PT15M × 1/1, every PT5M, severity 2',
      'failing-mailboxes': 'Maximum(failingPercent) GreaterThan 5 over PT15M × 1/1, every PT5M, severity 2',
      // Two of the last three runs of the subscriptions timer (every 10 minutes).
      'subscription-renewals': 'Total(failures) GreaterThan 0 over PT10M × 2/3, every PT10M, severity 2',
      'no-job-succeeded': 'Minimum(succeeded) LessThan 1 over PT5M × 1/1, every PT5M, severity 1',
      // Far more than any mailbox's own changes produce in 5 minutes (docs/operations.md, "A replay flood").
      'notification-flood': 'Total(notifications) GreaterThan 1000 over PT5M × 1/1, every PT5M, severity 2',
    });
    expect(condition(rules(minimal)['profile-failing']!).dimensions).toEqual([{ name: 'profile', operator: 'Include', values: ['*'] }]);
    expect(condition(rules(minimal)['subscription-renewals']!).dimensions).toEqual([{ name: 'provider', operator: 'Include', values: ['*'] }]);
    expect(condition(rules(minimal)['notification-flood']!).dimensions).toEqual([
      { name: 'provider', operator: 'Include', values: ['*'] },
      { name: 'subscription', operator: 'Include', values: ['*'] },
    ]);
  });

  it('when a query names a metric or a dimension, then the metric module has it (as telemetry writes it)', () => {
    const known = new Map<string, readonly string[]>(Object.values(METRICS).map((m) => [m.name, Object.keys(m.attributes)]));
    const used: Record<string, string[]> = {};
    const problems: string[] = [];
    for (const [name, rule] of Object.entries(rules(minimal))) {
      const query = condition(rule).query;
      const names = [...new Set([...query.matchAll(/name == "([^"]+)"/g)].map((m) => m[1]!))];
      used[name] = names;
      for (const metric of names) if (!known.has(metric)) problems.push(`${name}: no metric ${metric}`);
      // Each `customDimensions.x` must be an attribute of a metric the same query reads.
      for (const [, dimension] of query.matchAll(/customDimensions\.(\w+)/g)) {
        if (!names.some((n) => known.get(n)?.includes(dimension!))) problems.push(`${name}: no metric of ${names.join(', ')} has attribute ${dimension}`);
      }
    }
    expect(problems).toEqual([]);
    expect(used).toEqual({
      'profile-failing': [METRICS.openCircuits.name],
      'cmg-credentials': [METRICS.cmgCredentialRefusals.name],
      'dead-letters': [METRICS.deadLetters.name],
      'failing-mailboxes': [METRICS.mailboxes.name],
      'subscription-renewals': [METRICS.subscriptionRenewals.name],
      'no-job-succeeded': [METRICS.mailboxes.name, METRICS.jobs.name],
      'notification-flood': [METRICS.notificationsAccepted.name],
    });
    // The values the queries compare with are ones the metric takes.
    expect(METRICS.subscriptionRenewals.attributes.result).toContain('`failed`');
    expect(METRICS.jobs.attributes.result).toContain('`synced`');
    expect(METRICS.mailboxes.attributes.state).toContain('`failing`');
  });

  it('when UPDATE_INTERVAL is given in any form the app reads, then the no-success query looks back twice that', () => {
    const lookBack = (variant: string) => {
      const query = condition(rules(module.get(variant)!)['no-job-succeeded']!).query;
      expect(query).toContain('where timestamp > ago(2 * updateInterval)');
      return /let updateInterval = (.+);/.exec(query)?.[1];
    };
    expect(lookBack('interval-default')).toBe('15m');
    expect(lookBack('interval-90')).toBe('90m');
    expect(lookBack('interval-1.5h')).toBe('1.5h');
    expect(lookBack('interval-90s')).toBe('90s');
    expect(lookBack('interval-1d')).toBe('1d');
    // Two days of data at most: the time range the query may read.
    expect(rules(minimal)['no-job-succeeded']!.properties.overrideQueryTimeRange).toBe('P2D');
  });

  it('when no roster refresh has found mailboxes yet, then the no-success query says nothing (onboarding), and once one has, it alerts as before', () => {
    const query = condition(rules(minimal)['no-job-succeeded']!).query;
    // Mailboxes written by a roster refresh: the mailbox gauge above 0 in some state, within the range
    expect(query).toContain('let rostered = toscalar(customMetrics\n    | where name == "calsync.mailboxes"\n    | summarize countif(value > 0)) > 0;');
    expect(query).toContain('| where rostered and toSync != 0 and not(quiet)');
    expect(query.indexOf('let rostered')).toBeLessThan(query.indexOf('| where rostered'));
  });

  describe('the no-success query, evaluated on customMetrics rows built from a set clock', () => {
    const NOW = new Date('2026-03-10T12:00:00.000Z');
    const before = (minutes: number, now = NOW) => new Date(now.getTime() - minutes * MINUTE);
    const STATES = ['active', 'invalid', 'excluded', 'disabled', 'over-limit', 'failing'];
    /** What one dispatch reports: the mailbox gauge for every state (0 for each before a roster refresh). */
    const mailboxes = (when: Date, counts: Partial<Record<string, number>> = {}) => STATES.map((state) => metric(METRICS.mailboxes.name, when, counts[state] ?? 0, { state }));
    const job = (when: Date, result: string, count = 1) => metric(METRICS.jobs.name, when, count, { result, reason: 'schedule' });
    const noJob = (s: Snapshot) => rules(s)['no-job-succeeded']!;

    it('when the app has not refreshed its roster yet (no metric at all, or the gauge at 0 in every state for two days), then it returns no row: silent', () => {
      const rule = noJob(minimal);
      expect(condition(rule).query).toContain('let updateInterval = 15m;');
      expect(evaluateRule(rule, [], NOW)).toEqual({ fires: false, rows: [] });
      const dispatchesOnly = [before(5), before(20), before(35), before(47 * 60)].flatMap((t) => mailboxes(t));
      expect(evaluateRule(rule, dispatchesOnly, NOW)).toEqual({ fires: false, rows: [] });
    });

    it('when a roster refresh has found mailboxes and no job synced one for two intervals, then it returns succeeded = 0: it fires', () => {
      const rule = noJob(minimal);
      const rostered = [...mailboxes(before(5), { active: 12 }), ...mailboxes(before(20), { active: 12 })];
      // A synced job 45 minutes ago is older than 2 × 15m; a synced row of 0 and other results do not count.
      const jobs = [job(before(45), 'synced', 3), job(before(10), 'synced', 0), job(before(10), 'deferred', 4)];
      expect(evaluateRule(rule, [...rostered, ...jobs], NOW)).toEqual({ fires: true, rows: [{ timestamp: Datetime.of(NOW), succeeded: 0n }] });
      // The same with no job metric at all
      expect(evaluateRule(rule, rostered, NOW).fires).toBe(true);
    });

    it('when a roster refresh has found mailboxes and a job synced one within two intervals, then succeeded >= 1: silent', () => {
      const rule = noJob(minimal);
      const data = [...mailboxes(before(5), { active: 12, failing: 1 }), job(before(25), 'synced', 2)];
      expect(evaluateRule(rule, data, NOW)).toEqual({ fires: false, rows: [{ timestamp: Datetime.of(NOW), succeeded: 1n }] });
    });

    it('when every mailbox is in a state that is not synced (the newest count to sync is 0), then it is silent', () => {
      const rule = noJob(minimal);
      const data = [...mailboxes(before(24 * 60), { active: 12 }), ...mailboxes(before(5), { excluded: 10, disabled: 2 })];
      expect(evaluateRule(rule, data, NOW)).toEqual({ fires: false, rows: [] });
    });

    it('when a rostered app stopped reporting hours ago, then its last count to sync stands and it fires', () => {
      const rule = noJob(minimal);
      expect(evaluateRule(rule, mailboxes(before(20 * 60), { active: 12 }), NOW).fires).toBe(true);
    });

    it('when now or the two intervals before it fall in the quiet period (in its time zone, daylight saving included), then it is silent; just after, it fires', () => {
      const rule = noJob(customers.get('contoso')!.snapshot);
      const query = condition(rule).query;
      // contoso: 01:00–03:00 Europe/Stockholm (UTC+1 in January, UTC+2 in July), every 15 minutes
      expect(query).toContain('let updateInterval = 15m;');
      expect(query).toContain('strcat("01:00", ":00")');
      const verdict = (iso: string) => {
        const now = new Date(iso);
        return evaluateRule(rule, mailboxes(before(5, now), { active: 12 }), now).fires;
      };
      expect(verdict('2026-01-15T01:00:00Z')).toBe(false); // 02:00 local
      expect(verdict('2026-01-15T02:20:00Z')).toBe(false); // 03:20 local, 30 minutes ago was 02:50
      expect(verdict('2026-01-15T02:31:00Z')).toBe(true); // 03:31 local
      expect(verdict('2026-01-15T01:31:00Z')).toBe(false); // 02:31 local in winter …
      expect(verdict('2026-07-15T01:31:00Z')).toBe(true); // … 03:31 local in summer
      expect(verdict('2026-07-15T00:30:00Z')).toBe(false); // 02:30 local
      expect(verdict('2026-01-14T23:30:00Z')).toBe(true); // 00:30 local, before the quiet period
    });
  });

  it('when the other rules\' queries are evaluated, then each fires on its condition and stays silent without it', () => {
    const all = rules(minimal);
    const NOW = new Date('2026-03-10T12:00:00.000Z');
    const before = (minutes: number) => new Date(NOW.getTime() - minutes * MINUTE);
    const verdict = (name: string, data: Row[]) => evaluateRule(all[name]!, data, NOW).fires;
    const mailboxes = (when: Date, active: number, failing: number) => [metric(METRICS.mailboxes.name, when, active, { state: 'active' }), metric(METRICS.mailboxes.name, when, failing, { state: 'failing' })];

    expect(verdict('profile-failing', [metric(METRICS.openCircuits.name, before(2), 1, { profile: 'GRAPH' }), metric(METRICS.openCircuits.name, before(2), 0, { profile: 'GOOGLE' })])).toBe(true);
    expect(evaluateRule(all['profile-failing']!, [metric(METRICS.openCircuits.name, before(2), 1, { profile: 'GRAPH' })], NOW).rows).toEqual([{ timestamp: Datetime.of(before(2)), profile: 'GRAPH', openCircuits: 1 }]);
    expect(verdict('profile-failing', [metric(METRICS.openCircuits.name, before(2), 0, { profile: 'GRAPH' })])).toBe(false);

    expect(verdict('cmg-credentials', [metric(METRICS.cmgCredentialRefusals.name, before(3), 2, { status: '401' })])).toBe(true);
    expect(verdict('cmg-credentials', [metric(METRICS.cmgCredentialRefusals.name, before(7), 2, { status: '401' })])).toBe(false);

    // Dead letters the whole 15 minutes fire; one count of 0 in between does not.
    expect(verdict('dead-letters', [12, 7, 2].map((m) => metric(METRICS.deadLetters.name, before(m), 3)))).toBe(true);
    expect(verdict('dead-letters', [12, 7, 2].map((m, i) => metric(METRICS.deadLetters.name, before(m), i === 1 ? 0 : 3)))).toBe(false);

    // 10 of 100 synced mailboxes failing is over 5 %; the newest count of each state decides.
    expect(verdict('failing-mailboxes', mailboxes(before(5), 90, 10))).toBe(true);
    expect(verdict('failing-mailboxes', [...mailboxes(before(12), 50, 50), ...mailboxes(before(2), 99, 1)])).toBe(false);
    expect(verdict('failing-mailboxes', [])).toBe(false);

    // Renewals failing in two of the last three 10-minute runs fire; in one, they do not.
    const renewal = (m: number, result: string) => metric(METRICS.subscriptionRenewals.name, before(m), 1, { provider: 'graph', result });
    expect(verdict('subscription-renewals', [renewal(25, 'renewed'), renewal(15, 'failed'), renewal(5, 'failed')])).toBe(true);
    expect(verdict('subscription-renewals', [renewal(25, 'failed'), renewal(15, 'renewed'), renewal(5, 'renewed')])).toBe(false);
  });

  describe('the replay-flood query, evaluated on customMetrics rows built from a set clock', () => {
    const NOW = new Date('2026-03-10T12:00:00.000Z');
    const before = (minutes: number) => new Date(NOW.getTime() - minutes * MINUTE);
    const SUBSCRIPTIONS = Array.from({ length: 40 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    /** One export interval's row of one subscription: the notifications accepted in that minute (a delta). */
    const accepted = (minutesAgo: number, subscription: string, count: number, provider = 'graph', kind = 'change') =>
      metric(METRICS.notificationsAccepted.name, before(minutesAgo), count, { provider, subscription, kind });
    /**
     * A busy working day, every minute of the window: 40 mailboxes with a few changes each, and
     * one organiser whose 500-attendee meeting (Graph's most) collects every response within
     * the 5 minutes, each response an update of the organiser's event.
     */
    const busy = (): Row[] => [
      ...[1, 2, 3, 4].flatMap((m) => SUBSCRIPTIONS.slice(1).map((s, i) => accepted(m, s, 1 + (i % 4), i % 2 ? 'google' : 'graph'))),
      ...[1, 2, 3, 4].map((m) => accepted(m, SUBSCRIPTIONS[0]!, 125)),
    ];

    it('when traffic is busy but genuine, then it is silent; when one subscription is replayed past the threshold, then it fires for that subscription alone', () => {
      const rule = rules(minimal)['notification-flood']!;
      expect(evaluateRule(rule, busy(), NOW)).toEqual({ fires: false, rows: [] });
      // A replay script at 4 requests a second for one Google channel, among the same busy traffic
      const replayed = SUBSCRIPTIONS[8]!;
      const data = [...busy(), ...[1, 2, 3, 4, 5].map((m) => accepted(m - 0.5, replayed, 240, 'google'))];
      const verdict = evaluateRule(rule, data, NOW);
      expect(verdict.fires).toBe(true);
      expect(verdict.rows).toEqual([{ timestamp: Datetime.of(before(0.5)), provider: 'google', subscription: replayed, notifications: 1200 + 16 }]);
    });

    it('when a flood is spread over instances and kinds, then their rows add up; rows older than the window do not count', () => {
      const rule = rules(minimal)['notification-flood']!;
      const target = SUBSCRIPTIONS[3]!;
      // Two instances export a row each per minute; some are lifecycle events.
      const spread = [1, 2, 3, 4].flatMap((m) => [accepted(m, target, 200), accepted(m, target, 50, 'graph', 'lifecycle')]);
      expect(evaluateRule(rule, spread, NOW).fires).toBe(false);
      expect(evaluateRule(rule, [...spread, accepted(2, target, 1)], NOW).fires).toBe(true);
      expect(evaluateRule(rule, [...spread, accepted(6, target, 500)], NOW).fires).toBe(false);
    });

    it("when the SDK folds subscriptions into its overflow row (no subscription), then that row is left out: it is many mailboxes, not one", () => {
      const rule = rules(minimal)['notification-flood']!;
      const overflow = metric(METRICS.notificationsAccepted.name, before(1), 5000, { 'otel.metric.overflow': 'true' });
      expect(evaluateRule(rule, [...busy(), overflow], NOW).fires).toBe(false);
    });

    it('when the threshold is set, then the query and the rule both use it', () => {
      const rule = rules(module.get('flood-300')!)['notification-flood']!;
      expect(condition(rule).threshold).toBe(300);
      expect(condition(rule).query).toContain('| where notifications > 300');
      const data = [1, 2, 3].map((m) => accepted(m, SUBSCRIPTIONS[5]!, 101));
      expect(evaluateRule(rule, data, NOW).fires).toBe(true);
      expect(evaluateRule(rules(minimal)['notification-flood']!, data, NOW).fires).toBe(false);
    });
  });

  it('when a customer has a quiet period, then the no-success query knows it, and no placeholder is left in any query', () => {
    for (const [c, { snapshot: s, parameters }] of customers) {
      const query = condition(rules(s)['no-job-succeeded']!).query;
      for (const rule of Object.values(rules(s))) expect(condition(rule).query, c).not.toMatch(/\{(interval|quietStart|quietEnd|timeZone|threshold)\}/);
      const start = (parameters.subscribeOffStart as string | undefined) ?? '';
      expect(query, c).toContain(`iff("${start}" == "", -1`);
      expect(query, c).toContain(`datetime_utc_to_local(t, "${(parameters.subscribeOffTimezone as string | undefined) ?? 'UTC'}")`);
    }
    expect([...customers.values()].some(({ parameters }) => parameters.subscribeOffStart)).toBe(true);
  });

  it('when the failing share is set, then the rule follows it, and the default is the share that makes /api/status degraded', () => {
    expect(condition(rules(module.get('failing-10')!)['failing-mailboxes']!).threshold).toBe(10);
    expect(condition(rules(minimal)['failing-mailboxes']!).threshold / 100).toBe(FAILING_SHARE_LIMIT);
  });

  it('when a rule is described, then its description points to its section of docs/operations.md', () => {
    for (const [name, rule] of Object.entries(rules(minimal))) {
      const section = /docs\/operations\.md, "([^"]+)"/.exec(rule.properties.description as string)?.[1];
      expect(section, name).toBeDefined();
      expect(OPERATIONS_DOC, name).toMatch(new RegExp(`^#+ ${section!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
    }
  });

  it('when no address is given, then the action group exists without an email receiver (alerts show in the portal)', () => {
    const group = one(minimal, 'Microsoft.Insights/actionGroups');
    expect(group.location).toBe('global');
    expect(group.properties.enabled).toBe(true);
    expect(String(group.properties.groupShortName).length).toBeLessThanOrEqual(12);
    expect(group.properties.emailReceivers).toEqual([]);
  });

  it('when addresses are given, comma-separated with spaces, then each is an email receiver with the common alert schema', () => {
    expect(one(module.get('emails')!, 'Microsoft.Insights/actionGroups').properties.emailReceivers).toEqual([
      { name: 'email-1', emailAddress: 'ops@contoso.com', useCommonAlertSchema: true },
      { name: 'email-2', emailAddress: 'oncall@contoso.com', useCommonAlertSchema: true },
    ]);
  });

  it('when a customer file gives alertEmail, then its action group emails it', () => {
    const withEmail = [...customers.values()].find(({ parameters }) => parameters.alertEmail);
    expect(withEmail).toBeDefined();
    expect(one(withEmail!.snapshot, 'Microsoft.Insights/actionGroups').properties.emailReceivers).toEqual([
      { name: 'email-1', emailAddress: withEmail!.parameters.alertEmail, useCommonAlertSchema: true },
    ]);
  });
});
