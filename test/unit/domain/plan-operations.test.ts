import { describe, expect, it } from 'vitest';
import type { Activity } from '../../../shared/domain/activity.js';
import { activityHash } from '../../../shared/domain/activity-hash.js';
import { configHash } from '../../../shared/domain/config-hash.js';
import { externalIdFor } from '../../../shared/domain/external-id.js';
import { planOperations } from '../../../shared/domain/plan-operations.js';
import { settingsWith } from './mapping-test-context.js';

const activity = (eventId: string, text = 'Meeting'): Activity => ({
  externalId: externalIdFor('graph', 'user-42', eventId),
  code: '11',
  start: '2026-03-31T10:00:00+02:00',
  end: '2026-03-31T11:00:00+02:00',
  text,
  forward: false,
  inConference: false,
  sign: 'Calendar',
  private: false,
  source: { provider: 'graph', eventId },
});
const acked = (a: Activity) => ({ externalId: a.externalId, hash: activityHash(a), sourceEventId: a.source.eventId });

describe('planOperations', () => {
  it('when CMG holds the same content, then no operation', () => {
    const a = activity('e1');
    expect(planOperations({ desired: [a], acknowledged: [acked(a)], scope: { kind: 'full' } })).toEqual([]);
  });

  it('when content changed or is new, then an upsert with the new hash', () => {
    const changed = activity('e1', 'Moved');
    const fresh = activity('e2');
    const ops = planOperations({ desired: [changed, fresh], acknowledged: [acked(activity('e1'))], scope: { kind: 'full' } });
    expect(ops).toEqual([
      { op: 'upsert', activity: changed, hash: activityHash(changed) },
      { op: 'upsert', activity: fresh, hash: activityHash(fresh) },
    ]);
  });

  it('when a full fetch no longer has an event, then its activity is deleted', () => {
    const gone = activity('gone');
    expect(planOperations({ desired: [], acknowledged: [acked(gone)], scope: { kind: 'full' } })).toEqual([{ op: 'delete', externalId: gone.externalId }]);
  });

  it('when a delta did not touch an event, then its activity stays', () => {
    const kept = activity('kept');
    const gone = activity('gone');
    const ops = planOperations({ desired: [], acknowledged: [acked(kept), acked(gone)], scope: { kind: 'delta', touchedEventIds: ['gone'] } });
    expect(ops).toEqual([{ op: 'delete', externalId: gone.externalId }]);
  });
});

describe('hashes and ids', () => {
  it('when any activity field changes, then the hash changes', () => {
    const base = activity('e1');
    const variants: Activity[] = [
      { ...base, code: '12' },
      { ...base, start: '2026-03-31T10:30:00+02:00' },
      { ...base, end: '2026-03-31T11:30:00+02:00' },
      { ...base, text: 'Other' },
      { ...base, forward: true },
      { ...base, inConference: true },
      { ...base, sign: 'Other' },
      { ...base, private: true },
    ];
    for (const v of variants) expect(activityHash(v)).not.toBe(activityHash(base));
  });

  it('when any mapping setting changes, then the config hash changes; key order does not matter', () => {
    const base = settingsWith();
    expect(configHash(settingsWith({ SYNC_FREE: 'true' }))).not.toBe(configHash(base));
    expect(configHash(settingsWith({ CATEGORY_CODES: '{"A":"1","B":"2"}' }))).toBe(configHash(settingsWith({ CATEGORY_CODES: '{"B":"2","A":"1"}' })));
    expect(configHash(settingsWith({ CATEGORY_CODES: '{"A":"1"}' }))).not.toBe(configHash(base));
    expect(configHash({ ...base })).toBe(configHash(base));
  });

  it('when provider, mailbox or event differ, then the externalId differs', () => {
    const ids = new Set([externalIdFor('graph', 'u1', 'e1'), externalIdFor('google', 'u1', 'e1'), externalIdFor('graph', 'u2', 'e1'), externalIdFor('graph', 'u1', 'e2')]);
    expect(ids.size).toBe(4);
  });
});

describe('planOperations with recurring series', () => {
  const occurrence = (eventId: string, seriesId: string, text = 'Stand-up'): Activity => ({ ...activity(eventId, text), source: { provider: 'graph', eventId, seriesId } });
  const ackedIn = (a: Activity) => ({ ...acked(a), seriesId: a.source.seriesId });

  it('when a delta lists a series anew, then activities of its occurrences no longer listed are deleted, other series’ stay', () => {
    const kept = occurrence('s1-a', 's1');
    const cancelled = occurrence('s1-b', 's1');
    const otherSeries = occurrence('s2-a', 's2');
    const ops = planOperations({
      desired: [kept],
      acknowledged: [ackedIn(kept), ackedIn(cancelled), ackedIn(otherSeries)],
      scope: { kind: 'delta', touchedEventIds: ['s1-a'], touchedSeriesIds: ['s1'] },
    });
    expect(ops).toEqual([{ op: 'delete', externalId: cancelled.externalId }]);
  });

  it('when a record of an occurrence lacks its series (written before series were recorded), then it is written again once', () => {
    const a = occurrence('s1-a', 's1');
    expect(planOperations({ desired: [a], acknowledged: [acked(a)], scope: { kind: 'full' } })).toEqual([{ op: 'upsert', activity: a, hash: activityHash(a) }]);
    expect(planOperations({ desired: [a], acknowledged: [ackedIn(a)], scope: { kind: 'full' } })).toEqual([]);
  });
});
