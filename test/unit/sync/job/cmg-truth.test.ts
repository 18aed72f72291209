import { describe, expect, it } from 'vitest';
import { activityHash } from '../../../../shared/domain/activity-hash.js';
import type { Activity } from '../../../../shared/domain/activity.js';
import type { StoredActivity } from '../../../../shared/store/activity-repository.js';
import { cmgTruth, type CmgHeldActivity } from '../../../../shared/sync/job/cmg-truth.js';
import { toCmgBody } from '../../../../shared/sync/job/apply-operations.js';

const NOW = new Date('2026-03-02T09:00:00Z');
const SYSTEMS = [1];

const activity = (id: string, overrides: Partial<Activity> = {}): Activity => ({
  externalId: id,
  code: '30',
  start: '2026-03-02T10:00:00.000Z',
  end: '2026-03-02T11:00:00.000Z',
  text: `Meeting ${id}`,
  forward: false,
  inConference: false,
  sign: 'CALSYNC',
  private: false,
  source: { provider: 'graph', eventId: `event-${id}` },
  ...overrides,
});
const held = (a: Activity): CmgHeldActivity => ({ ...toCmgBody(a, SYSTEMS), externalId: a.externalId });
const recorded = (a: Activity, overrides: Partial<StoredActivity> = {}): StoredActivity => ({
  externalId: a.externalId,
  hash: activityHash(a),
  sourceEventId: a.source.eventId,
  code: a.code,
  start: a.start,
  end: a.end,
  acknowledgedAt: '2026-03-01T09:00:00.000Z',
  ...overrides,
});

describe('a full sync diffs against what CMG holds', () => {
  it('when CMG holds what we want and our record says so, then the planner sees it as acknowledged and nothing is repaired', () => {
    const a = activity('a');
    const truth = cmgTruth([held(a)], [a], [recorded(a)], SYSTEMS, NOW);
    expect(truth.acknowledged).toEqual([recorded(a)]);
    expect(truth.repair).toEqual({ put: [], forget: [] });
  });

  it('when CMG lost an activity we still want, then it is missing from what the planner sees (so it is sent again)', () => {
    const a = activity('a');
    const truth = cmgTruth([], [a], [recorded(a)], SYSTEMS, NOW);
    expect(truth.acknowledged).toEqual([]);
    expect(truth.repair).toEqual({ put: [], forget: [] });
  });

  it('when CMG lost an activity we no longer want, then our record forgets it', () => {
    const gone = activity('gone');
    expect(cmgTruth([], [], [recorded(gone)], SYSTEMS, NOW).repair).toEqual({ put: [], forget: ['gone'] });
  });

  it('when someone changed our activity by hand in CMG, then its hash differs from ours and the planner sends ours again', () => {
    const a = activity('a');
    const truth = cmgTruth([held({ ...a, text: 'edited in CMG' })], [a], [recorded(a)], SYSTEMS, NOW);
    expect(truth.acknowledged).toHaveLength(1);
    expect(truth.acknowledged[0]!.hash).not.toBe(activityHash(a));
  });

  it('when CMG holds a stray with our sign that we do not want, then the planner sees it (and deletes it)', () => {
    const stray = activity('stray');
    const truth = cmgTruth([held(stray)], [], [], SYSTEMS, NOW);
    expect(truth.acknowledged.map((r) => r.externalId)).toEqual(['stray']);
  });

  it('when CMG holds what we want but our record does not, then the record is repaired without a request to CMG', () => {
    const a = activity('a', { source: { provider: 'graph', eventId: 'event-a', seriesId: 'series-1' } });
    const truth = cmgTruth([held(a)], [a], [], SYSTEMS, NOW);
    expect(truth.repair.put).toEqual([{ ...recorded(a), seriesId: 'series-1', acknowledgedAt: NOW.toISOString() }]);
  });

  it('when CMG refused an activity for good, then its row stays in what the planner sees, so the same content is not sent again', () => {
    const refused = activity('refused');
    const row = recorded(refused, { rejected: 'invalid_activity' });
    const truth = cmgTruth([], [refused], [row], SYSTEMS, NOW);
    expect(truth.acknowledged).toEqual([row]);
    expect(truth.repair.forget).toEqual([]);
  });
});
