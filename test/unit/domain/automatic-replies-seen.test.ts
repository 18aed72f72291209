import { describe, expect, it } from 'vitest';
import { automaticRepliesSeen, withoutAutomaticReplies } from '../../../shared/domain/automatic-replies-seen.js';
import { AUTOMATIC_REPLIES_EVENT_ID } from '../../../shared/domain/map-automatic-replies.js';
import { mapCalendar } from '../../../shared/domain/map-calendar.js';
import { normalizeGraphEvent } from '../../../shared/domain/normalize-graph-event.js';
import type { AutomaticReplies } from '../../../shared/domain/automatic-replies.js';
import { contextWith } from './mapping-test-context.js';
import { graphEvent } from './raw-events.js';

const scheduled: AutomaticReplies = { status: 'scheduled', start: '2026-04-09T15:00:00Z', end: '2026-04-13T06:00:00Z' };
const meeting = [graphEvent({ id: 'meeting' })].map(normalizeGraphEvent);

describe('automaticRepliesSeen', () => {
  it('when the same automatic replies are mapped again, then the same mark; when anything of their activity changes, then another', () => {
    const seen = automaticRepliesSeen(mapCalendar(meeting, contextWith(), scheduled));
    expect(seen).toBe(automaticRepliesSeen(mapCalendar([], contextWith(), scheduled)));
    expect(automaticRepliesSeen(mapCalendar(meeting, contextWith(), { ...scheduled, end: '2026-04-14T06:00:00Z' }))).not.toBe(seen);
    expect(automaticRepliesSeen(mapCalendar(meeting, contextWith({ mailbox: { forwardByDefault: true } }), scheduled))).not.toBe(seen);
    expect(automaticRepliesSeen(mapCalendar(meeting, contextWith({ mailbox: { timeZone: 'Europe/London' } }), scheduled))).not.toBe(seen);
    expect(automaticRepliesSeen(mapCalendar(meeting, contextWith(), { status: 'alwaysEnabled' }))).not.toBe(seen);
  });

  it('when the automatic replies map to no activity, then "none"; when the fetch did not read them, then nothing', () => {
    expect(automaticRepliesSeen(mapCalendar(meeting, contextWith(), { status: 'disabled' }))).toBe('none');
    expect(automaticRepliesSeen(mapCalendar(meeting, contextWith(), { status: 'scheduled', start: '2027-01-01T00:00:00Z', end: '2027-01-02T00:00:00Z' }))).toBe('none');
    expect(automaticRepliesSeen(mapCalendar(meeting, contextWith()))).toBeUndefined();
  });
});

describe('withoutAutomaticReplies', () => {
  it('when the automatic replies are left out, then the events stay exactly as mapped', () => {
    const mapped = mapCalendar(meeting, contextWith(), scheduled);
    expect(mapped.activities.map((a) => a.source.eventId).sort()).toEqual([AUTOMATIC_REPLIES_EVENT_ID, 'meeting']);
    const left = withoutAutomaticReplies(mapped);
    expect(left.activities.map((a) => a.source.eventId)).toEqual(['meeting']);
    expect(left.touchedEventIds).toEqual(['meeting']);
    expect(left.removedEventIds).toEqual(mapped.removedEventIds);
  });

  it('when skipped automatic replies are left out, then their skip goes too', () => {
    const mapped = mapCalendar(meeting, contextWith(), { status: 'scheduled', start: '2027-01-01T00:00:00Z', end: '2027-01-02T00:00:00Z' });
    expect(mapped.skipped.map((s) => s.eventId)).toContain(AUTOMATIC_REPLIES_EVENT_ID);
    expect(withoutAutomaticReplies(mapped).skipped.map((s) => s.eventId)).not.toContain(AUTOMATIC_REPLIES_EVENT_ID);
  });
});
