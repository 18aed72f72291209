import { describe, expect, it } from 'vitest';
import { AUTOMATIC_REPLIES_EVENT_ID, mapAutomaticReplies } from '../../../shared/domain/map-automatic-replies.js';
import { mapCalendar } from '../../../shared/domain/map-calendar.js';
import { normalizeGraphEvent } from '../../../shared/domain/normalize-graph-event.js';
import { contextWith } from './mapping-test-context.js';
import { graphEvent } from './raw-events.js';

const at = (day: string, hour: number) => ({ dateTime: `${day}T${String(hour).padStart(2, '0')}:00:00.0000000`, timeZone: 'UTC' });

describe('mapCalendar', () => {
  it('when items hold events, removals and invalid items, then each is accounted for', () => {
    const items = [
      graphEvent({ id: 'late', start: at('2026-04-01', 9), end: at('2026-04-01', 10) }),
      graphEvent({ id: 'early', start: at('2026-03-31', 9), end: at('2026-03-31', 10) }),
      { id: 'gone', '@removed': { reason: 'deleted' } },
      { id: 'broken', subject: 'x' },
      graphEvent({ id: 'cancelled', isCancelled: true }),
    ].map(normalizeGraphEvent);
    const mapped = mapCalendar(items, contextWith());
    expect(mapped.activities.map((a) => a.source.eventId)).toEqual(['early', 'late']);
    expect(mapped.removedEventIds.sort()).toEqual(['cancelled', 'gone']);
    expect(mapped.touchedEventIds.sort()).toEqual(['broken', 'cancelled', 'early', 'gone', 'late']);
    expect(mapped.skipped).toContainEqual({ eventId: 'gone', reason: 'cancelled' });
    expect(mapped.skipped).toContainEqual(expect.objectContaining({ eventId: 'broken', reason: 'invalid' }));
  });

  it('when a delta repeats an event, then the later item wins and there is one activity', () => {
    const items = [graphEvent({ subject: 'Old' }), graphEvent({ subject: 'New' })].map(normalizeGraphEvent);
    const mapped = mapCalendar(items, contextWith());
    expect(mapped.activities.map((a) => a.text)).toEqual(['New']);
  });

  it('when automatic replies are given, then their fixed id is touched and an activity is added', () => {
    const mapped = mapCalendar([], contextWith(), { status: 'scheduled', start: '2026-04-09T15:00:00Z', end: '2026-04-13T06:00:00Z' });
    expect(mapped.touchedEventIds).toEqual([AUTOMATIC_REPLIES_EVENT_ID]);
    expect(mapped.activities).toHaveLength(1);
  });
});

describe('mapAutomaticReplies', () => {
  it('when scheduled, then one OOF activity from start to end in the mailbox zone', () => {
    const result = mapAutomaticReplies({ status: 'scheduled', start: '2026-04-09T15:00:00Z', end: '2026-04-13T06:00:00Z' }, contextWith());
    expect(result).toMatchObject({ kind: 'activity', activity: { code: '5', start: '2026-04-09T17:00:00+02:00', end: '2026-04-13T08:00:00+02:00', source: { eventId: 'automatic-replies' } } });
  });

  it('when always enabled, then from the first-seen time to the window end', () => {
    const ctx = contextWith({ automaticRepliesSince: '2026-03-30T06:15:00Z' });
    const result = mapAutomaticReplies({ status: 'alwaysEnabled' }, ctx);
    expect(result).toMatchObject({ kind: 'activity', activity: { start: '2026-03-30T08:15:00+02:00', end: '2026-04-14T02:00:00+02:00' } });
  });

  it('when always enabled and the first-seen time is unknown, then from the window start', () => {
    const result = mapAutomaticReplies({ status: 'alwaysEnabled' }, contextWith());
    expect(result).toMatchObject({ kind: 'activity', activity: { start: '2026-03-29T01:00:00+01:00' } });
  });

  it('when disabled, then nothing', () => {
    expect(mapAutomaticReplies({ status: 'disabled' }, contextWith())).toBeUndefined();
  });

  it('when SYNC_AUTOMATIC_REPLIES=false, then nothing', () => {
    expect(mapAutomaticReplies({ status: 'alwaysEnabled' }, contextWith({ env: { SYNC_AUTOMATIC_REPLIES: 'false' } }))).toBeUndefined();
  });

  it('when the schedule ended before the window, then skipped as outside-window', () => {
    const result = mapAutomaticReplies({ status: 'scheduled', start: '2026-01-01T00:00:00Z', end: '2026-01-05T00:00:00Z' }, contextWith());
    expect(result).toMatchObject({ kind: 'skipped', skipped: { reason: 'outside-window' } });
  });
});
