/**
 * The alert rules and the action group (infra/app/alerts.bicep), evaluated for real deployments
 * (bicep-eval.ts): one rule per condition of the runbook, each with its threshold and window, all
 * notifying the action group, whose email receivers come from the alertEmail parameter. Every
 * metric a query names exists in shared/observability/metric-names.ts, with the dimensions it uses.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METRICS } from '../../shared/observability/metric-names.js';
import { SYNC_SETTINGS } from '../../shared/config/runtime-settings.js';
import { FAILING_SHARE_LIMIT } from '../../shared/operations/system-status.js';
import { loadBicep, resources } from './bicep-ast.js';
import { Deferred, deploymentScope, evaluate, moduleScope, type Scope, type Value } from './bicep-eval.js';

const INFRA = join(process.cwd(), 'infra');
const MAIN = loadBicep(join(INFRA, 'main.bicep'));
const ALERTS = loadBicep(join(INFRA, 'app', 'alerts.bicep'));
const OPERATIONS_DOC = readFileSync(join(process.cwd(), 'docs', 'operations.md'), 'utf8');
const CUSTOMERS = readdirSync(join(INFRA, 'customers')).filter((f) => f.endsWith('.parameters.json'));

const customer = (file: string): Record<string, Value> =>
  Object.fromEntries(
    Object.entries((JSON.parse(readFileSync(join(INFRA, 'customers', file), 'utf8')) as { parameters: Record<string, { value: Value }> }).parameters).map(([k, v]) => [k, v.value]),
  );
const MINIMAL: Record<string, Value> = { environmentName: 'demo', location: 'swedencentral', cmgBaseUrl: 'https://cmg.example.com', cmgMessageSystems: '1', oofCode: '5', profiles: [] };

const alertsOf = (params: Record<string, Value>): Scope => moduleScope(deploymentScope(MAIN, params), 'app/alerts.bicep');

interface Rule {
  kind: string;
  location: string;
  properties: {
    displayName: string;
    description: string;
    severity: number;
    enabled: boolean;
    scopes: Value[];
    evaluationFrequency: string;
    windowSize: string;
    overrideQueryTimeRange?: string;
    autoMitigate: boolean;
    actions: { actionGroups: Value[] };
    criteria: {
      allOf: Array<{
        query: string;
        timeAggregation: string;
        metricMeasureColumn: string;
        operator: string;
        threshold: number;
        dimensions?: Array<{ name: string; operator: string; values: string[] }>;
        failingPeriods: { numberOfEvaluationPeriods: number; minFailingPeriodsToAlert: number };
      }>;
    };
  };
}

function rules(scope: Scope): Record<string, Rule> {
  return Object.fromEntries(
    resources(ALERTS)
      .filter((r) => r.type.startsWith('Microsoft.Insights/scheduledQueryRules@'))
      .map((r) => [r.symbol, evaluate(r.body, scope) as unknown as Rule]),
  );
}

function actionGroup(scope: Scope): { location: string; properties: { groupShortName: string; enabled: boolean; emailReceivers: Array<{ name: string; emailAddress: string; useCommonAlertSchema: boolean }> } } {
  const group = resources(ALERTS).find((r) => r.type.startsWith('Microsoft.Insights/actionGroups@'))!;
  return evaluate(group.body, scope) as never;
}

const deferred = (v: Value): string | undefined => (v instanceof Deferred ? v.text : undefined);
const condition = (rule: Rule) => rule.properties.criteria.allOf[0]!;

describe('alert rules', () => {
  const all = rules(alertsOf(MINIMAL));

  it('when the rules are listed, then there is one per condition, each a log alert on the app\'s Application Insights that notifies the action group and resolves itself', () => {
    expect(Object.keys(all).sort()).toEqual(['cmgCredentials', 'deadLetters', 'failingMailboxes', 'noJobSucceeded', 'profileFailing', 'subscriptionRenewals']);
    for (const [symbol, rule] of Object.entries(all)) {
      expect(rule.kind, symbol).toBe('LogAlert');
      expect(rule.properties.enabled, symbol).toBe(true);
      expect(rule.properties.autoMitigate, symbol).toBe(true);
      expect(rule.properties.scopes.map(deferred), symbol).toEqual(['applicationInsights.id']);
      expect(rule.properties.actions.actionGroups.map(deferred), symbol).toEqual(['actionGroup.id']);
      expect(rule.properties.criteria.allOf, symbol).toHaveLength(1);
      // The rule aggregates by time bins of `timestamp`: every query's result carries it.
      expect(condition(rule).query, symbol).toMatch(/\| project timestamp[ ,=]/);
    }
  });

  it('when each rule is read, then its measure, threshold and windows are the runbook\'s', () => {
    const summary = Object.fromEntries(
      Object.entries(all).map(([symbol, rule]) => {
        const c = condition(rule);
        const periods = `${c.failingPeriods.minFailingPeriodsToAlert}/${c.failingPeriods.numberOfEvaluationPeriods}`;
        return [symbol, `${c.timeAggregation}(${c.metricMeasureColumn}) ${c.operator} ${c.threshold} over ${rule.properties.windowSize} × ${periods}, every ${rule.properties.evaluationFrequency}, severity ${rule.properties.severity}`];
      }),
    );
    expect(summary).toEqual({
      profileFailing: 'Maximum(openCircuits) GreaterThan 0 over PT5M × 1/1, every PT5M, severity 1',
      cmgCredentials: 'Total(refusals) GreaterThan 0 over PT5M × 1/1, every PT5M, severity 1',
      // The gauge's lowest value over 15 minutes above 0: dead letters the whole time.
      deadLetters: 'Minimum(deadLetters) GreaterThan 0 over PT15M × 1/1, every PT5M, severity 2',
      failingMailboxes: 'Maximum(failingPercent) GreaterThan 5 over PT15M × 1/1, every PT5M, severity 2',
      // Two of the last three runs of the subscriptions timer (every 10 minutes).
      subscriptionRenewals: 'Total(failures) GreaterThan 0 over PT10M × 2/3, every PT10M, severity 2',
      noJobSucceeded: 'Minimum(succeeded) LessThan 1 over PT5M × 1/1, every PT5M, severity 1',
    });
    expect(condition(all.profileFailing!).dimensions).toEqual([{ name: 'profile', operator: 'Include', values: ['*'] }]);
    expect(condition(all.subscriptionRenewals!).dimensions).toEqual([{ name: 'provider', operator: 'Include', values: ['*'] }]);
  });

  it('when a query names a metric or a dimension, then the metric module has it (as telemetry writes it)', () => {
    const known = new Map<string, readonly string[]>(Object.values(METRICS).map((m) => [m.name, Object.keys(m.attributes)]));
    const used: Record<string, string[]> = {};
    const problems: string[] = [];
    for (const [symbol, rule] of Object.entries(all)) {
      const query = condition(rule).query;
      const names = [...query.matchAll(/name == "([^"]+)"/g)].map((m) => m[1]!);
      used[symbol] = names;
      for (const name of names) if (!known.has(name)) problems.push(`${symbol}: no metric ${name}`);
      // Each `customDimensions.x` must be an attribute of a metric the same query reads.
      for (const [, dimension] of query.matchAll(/customDimensions\.(\w+)/g)) {
        if (!names.some((n) => known.get(n)?.includes(dimension!))) problems.push(`${symbol}: no metric of ${names.join(', ')} has attribute ${dimension}`);
      }
    }
    expect(problems).toEqual([]);
    expect(used).toEqual({
      profileFailing: [METRICS.openCircuits.name],
      cmgCredentials: [METRICS.cmgCredentialRefusals.name],
      deadLetters: [METRICS.deadLetters.name],
      failingMailboxes: [METRICS.mailboxes.name],
      subscriptionRenewals: [METRICS.subscriptionRenewals.name],
      noJobSucceeded: [METRICS.mailboxes.name, METRICS.jobs.name],
    });
    // The values the queries compare with are ones the metric takes.
    expect(METRICS.subscriptionRenewals.attributes.result).toContain('`failed`');
    expect(METRICS.jobs.attributes.result).toContain('`synced`');
    expect(METRICS.mailboxes.attributes.state).toContain('`failing`');
  });

  it('when UPDATE_INTERVAL is given in any form the app reads, then the no-success query looks back twice that', () => {
    const lookBack = (updateInterval: string) => {
      const query = condition(rules(alertsOf({ ...MINIMAL, updateInterval })).noJobSucceeded!).query;
      expect(query).toContain('where timestamp > ago(2 * updateInterval)');
      return /let updateInterval = (.+);/.exec(query)?.[1];
    };
    expect(lookBack(SYNC_SETTINGS.UPDATE_INTERVAL.meta.default!)).toBe('15m');
    expect(lookBack('90')).toBe('90m');
    expect(lookBack('1.5 h')).toBe('1.5h');
    expect(lookBack('90s')).toBe('90s');
    expect(lookBack('1d')).toBe('1d');
    // Two days of data at most: the time range the query may read.
    expect(all.noJobSucceeded!.properties.overrideQueryTimeRange).toBe('P2D');
  });

  it('when a customer has a quiet period, then the no-success query knows it, and no placeholder is left in any query', () => {
    for (const file of CUSTOMERS) {
      const params = customer(file);
      const query = condition(rules(alertsOf(params)).noJobSucceeded!).query;
      expect(query, file).not.toMatch(/\{(interval|quietStart|quietEnd|timeZone)\}/);
      const start = (params.subscribeOffStart as string | undefined) ?? '';
      expect(query, file).toContain(`iff("${start}" == "", -1`);
      expect(query, file).toContain(`datetime_utc_to_local(t, "${(params.subscribeOffTimezone as string | undefined) ?? 'UTC'}")`);
    }
    expect(CUSTOMERS.some((f) => customer(f).subscribeOffStart)).toBe(true);
  });

  it('when the failing share is set, then the rule follows it, and the default is the share that makes /api/status degraded', () => {
    expect(condition(rules(alertsOf({ ...MINIMAL, failingMailboxesAlertPercent: 10 })).failingMailboxes!).threshold).toBe(10);
    expect(condition(all.failingMailboxes!).threshold / 100).toBe(FAILING_SHARE_LIMIT);
  });

  it('when a rule is described, then its description points to its section of docs/operations.md', () => {
    for (const [symbol, rule] of Object.entries(all)) {
      const section = /docs\/operations\.md, "([^"]+)"/.exec(rule.properties.description)?.[1];
      expect(section, symbol).toBeDefined();
      expect(OPERATIONS_DOC, symbol).toMatch(new RegExp(`^#+ ${section!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
    }
  });
});

describe('action group', () => {
  it('when no address is given, then the group exists without an email receiver (alerts show in the portal)', () => {
    const group = actionGroup(alertsOf(MINIMAL));
    expect(group.location).toBe('global');
    expect(group.properties.enabled).toBe(true);
    expect(group.properties.groupShortName.length).toBeLessThanOrEqual(12);
    expect(group.properties.emailReceivers).toEqual([]);
  });

  it('when addresses are given, comma-separated with spaces, then each is an email receiver with the common alert schema', () => {
    const group = actionGroup(alertsOf({ ...MINIMAL, alertEmail: 'ops@contoso.com, , oncall@contoso.com ' }));
    expect(group.properties.emailReceivers).toEqual([
      { name: 'email-1', emailAddress: 'ops@contoso.com', useCommonAlertSchema: true },
      { name: 'email-2', emailAddress: 'oncall@contoso.com', useCommonAlertSchema: true },
    ]);
  });

  it('when azd provisions, then the address comes from ALERT_EMAIL (empty when unset) and a customer file may give it', () => {
    const azd = JSON.parse(readFileSync(join(INFRA, 'main.parameters.json'), 'utf8')) as { parameters: Record<string, { value: string }> };
    expect(azd.parameters.alertEmail?.value).toBe('${ALERT_EMAIL=}');
    const withEmail = CUSTOMERS.find((f) => customer(f).alertEmail);
    expect(withEmail).toBeDefined();
    expect(actionGroup(alertsOf(customer(withEmail!))).properties.emailReceivers.length).toBeGreaterThan(0);
  });
});
