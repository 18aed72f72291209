/**
 * The alert rules and the action group (infra/app/alerts.bicep) as `bicep snapshot` predicts them
 * for real deployments: one rule per condition of the runbook, each with its threshold and window,
 * all on the app's Application Insights and notifying the action group, whose email receivers come
 * from the alertEmail parameter. Every metric a query names exists in
 * shared/observability/metric-names.ts, with the dimensions it uses.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { METRICS } from '../../shared/observability/metric-names.js';
import { SYNC_SETTINGS } from '../../shared/config/runtime-settings.js';
import { FAKE_AZD_ENVIRONMENT } from './azd-environment.js';
import { buildParams, copyOfInfra, describeWithBicep, inTurn, ROOT, snapshot, type PredictedResource, type Snapshot } from './bicep.js';
import { ofType, one } from './predicted.js';
import { FAILING_SHARE_LIMIT } from '../../shared/sync/system-status.js';

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
    expect(Object.keys(all).sort()).toEqual(['cmg-credentials', 'dead-letters', 'failing-mailboxes', 'no-job-succeeded', 'profile-failing', 'subscription-renewals']);
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
    });
    expect(condition(rules(minimal)['profile-failing']!).dimensions).toEqual([{ name: 'profile', operator: 'Include', values: ['*'] }]);
    expect(condition(rules(minimal)['subscription-renewals']!).dimensions).toEqual([{ name: 'provider', operator: 'Include', values: ['*'] }]);
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

  it('when a customer has a quiet period, then the no-success query knows it, and no placeholder is left in any query', () => {
    for (const [c, { snapshot: s, parameters }] of customers) {
      const query = condition(rules(s)['no-job-succeeded']!).query;
      for (const rule of Object.values(rules(s))) expect(condition(rule).query, c).not.toMatch(/\{(interval|quietStart|quietEnd|timeZone)\}/);
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
