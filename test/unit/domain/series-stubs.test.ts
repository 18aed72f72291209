import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Activity } from '../../../shared/domain/activity.js';
import type { NormalizeResult } from '../../../shared/domain/calendar-event.js';
import { hydrateStubs, mastersIn } from '../../../shared/domain/series-stubs.js';
import { mapCalendar } from '../../../shared/domain/map-calendar.js';
import { normalizeGraphEvent } from '../../../shared/domain/normalize-graph-event.js';
import { contextWith } from './mapping-test-context.js';
import { graphEvent } from './raw-events.js';

/** A calendarView/delta page shaped like the field reports: stubs, masters, an exception, a stub without its master. */
const page = JSON.parse(readFileSync('test/fixtures/preview/graph-delta.json', 'utf8')) as { value: Array<Record<string, unknown>> };
const STAND_UP = 'AAMkAGI2TGuLAAD=';
const GYM = 'AAMkAGI2TGuLAAE=';
const LEAVE = 'AAMkAGI2TGuLAAF=';
const THERAPY = 'AAMkAGI2TGuLAAG=';
const ORPHAN = 'AAMkAGI2TGuLAAH=';
// The category "Meeting" picks code 13: an occurrence that has it took it from its master.
const ctx = contextWith({ now: new Date('2026-03-28T07:00:00Z'), env: { TEXT_APPEND_LOCATION: 'true', CMG_IN_CONFERENCE: 'true', CATEGORY_CODES: '{"Meeting":"13"}' } });

/** The field report's stub (microsoft-graph-docs-contrib #34), word for word but for the ids. */
const reportedStub = {
  '@odata.type': '#microsoft.graph.event',
  '@odata.etag': 'W/"DwAAABYAAAC9YbapXssvT4RTG13UUr6AAAhT48i7"',
  id: 'occurrence-id',
  seriesMasterId: 'master-id',
  type: 'occurrence',
  start: { dateTime: '2023-07-23T10:25:00.0000000', timeZone: 'UTC' },
  end: { dateTime: '2023-07-23T10:55:00.0000000', timeZone: 'UTC' },
};

function mapped() {
  const items = page.value.map(normalizeGraphEvent);
  return mapCalendar(hydrateStubs(items, mastersIn(items)), ctx);
}
const ofSeries = (activities: Activity[], seriesId: string) => activities.filter((a) => a.source.seriesId === seriesId);

describe('Graph occurrence stubs', () => {
  it('when an occurrence has no showAs, then it is read as a stub of its series, with the etag’s change key', () => {
    expect(normalizeGraphEvent(reportedStub)).toEqual({
      kind: 'stub',
      id: 'occurrence-id',
      seriesId: 'master-id',
      changeKey: 'DwAAABYAAAC9YbapXssvT4RTG13UUr6AAAhT48i7',
      raw: reportedStub,
    });
  });

  it('when an occurrence carries its fields (calendarView, instances), then it is an event of its own', () => {
    const full = graphEvent({ id: 'occurrence-id', type: 'occurrence', seriesMasterId: 'master-id', subject: 'Stand-up' });
    expect(normalizeGraphEvent(full)).toMatchObject({ kind: 'event', event: { id: 'occurrence-id', seriesId: 'master-id', subject: 'Stand-up' } });
  });

  it('when an item is a series master, then it is kept with the fields its occurrences take, and never mapped', () => {
    const raw = page.value.find((item) => item.id === STAND_UP)!;
    const master = normalizeGraphEvent(raw);
    expect(master).toMatchObject({ kind: 'master', master: { id: STAND_UP, changeKey: 'DwAAABYAAAC9YbapXssvT4RTG13UUr6AAAhT48i7' } });
    expect(Object.keys((master as Extract<NormalizeResult, { kind: 'master' }>).master.fields).sort()).toEqual(
      ['categories', 'isAllDay', 'isCancelled', 'isOnlineMeeting', 'location', 'onlineMeetingProvider', 'organizer', 'responseStatus', 'sensitivity', 'showAs', 'subject'].sort(),
    );
    const result = mapped();
    for (const id of [STAND_UP, GYM, LEAVE, THERAPY]) {
      expect(result.activities.map((a) => a.source.eventId)).not.toContain(id);
      expect(result.skipped).toContainEqual({ eventId: id, reason: 'series-master' });
    }
  });

  it('when stubs of a busy series are completed, then each takes subject, categories and online meeting from the master and keeps its own times across DST', () => {
    const standUps = ofSeries(mapped().activities, STAND_UP).filter((a) => a.text === 'Daily stand-up');
    expect(standUps.map((a) => [a.start, a.end, a.code, a.inConference])).toEqual([
      ['2026-03-27T09:00:00+01:00', '2026-03-27T09:15:00+01:00', '13', true],
      ['2026-03-28T09:00:00+01:00', '2026-03-28T09:15:00+01:00', '13', true],
      ['2026-03-29T09:00:00+02:00', '2026-03-29T09:15:00+02:00', '13', true],
      ['2026-03-30T09:00:00+02:00', '2026-03-30T09:15:00+02:00', '13', true],
      ['2026-04-01T09:00:00+02:00', '2026-04-01T09:15:00+02:00', '13', true],
    ]);
  });

  it('when an occurrence was changed (an exception), then it maps from its own fields, not the master’s', () => {
    const [exception] = ofSeries(mapped().activities, STAND_UP).filter((a) => a.text !== 'Daily stand-up');
    expect(exception).toMatchObject({ text: 'Daily stand-up (moved to 10) (Room Vättern)', start: '2026-03-31T10:00:00+02:00', inConference: false });
  });

  it('when the series is free, then its stubs give no activity', () => {
    const result = mapped();
    expect(ofSeries(result.activities, GYM)).toEqual([]);
    expect(result.skipped.filter((s) => s.eventId.startsWith('AAMkAGI2TGuLAAE_')).map((s) => s.reason)).toEqual(['free', 'free']);
  });

  it('when the series is an all-day out-of-office, then its stubs are whole local days with the OOF code, across DST', () => {
    expect(ofSeries(mapped().activities, LEAVE).map((a) => [a.start, a.end, a.code])).toEqual([
      ['2026-03-27T00:00:00+01:00', '2026-03-28T00:00:00+01:00', '5'],
      ['2026-04-03T00:00:00+02:00', '2026-04-04T00:00:00+02:00', '5'],
      ['2026-04-10T00:00:00+02:00', '2026-04-11T00:00:00+02:00', '5'],
    ]);
  });

  it('when the series is private, then its stubs are private and masked', () => {
    const therapy = ofSeries(mapped().activities, THERAPY);
    expect(therapy).toHaveLength(2);
    for (const a of therapy) expect(a).toMatchObject({ private: true, text: 'Private appointment' });
    expect(JSON.stringify(therapy)).not.toContain('Therapy');
  });

  it('when a stub’s master is missing, then it is skipped as unresolved-series', () => {
    const result = mapped();
    expect(ofSeries(result.activities, ORPHAN)).toEqual([]);
    expect(result.skipped.filter((s) => s.eventId.startsWith('AAMkAGI2TGuLAAH_')).map((s) => s.reason)).toEqual(['unresolved-series', 'unresolved-series']);
    expect(result.touchedEventIds).toContain('AAMkAGI2TGuLAAH_20260330T120000Z=');
  });

  it('when stubs are left without masters, then none becomes an activity with empty text or the default code', () => {
    const bare = mapCalendar(page.value.filter((item) => item.type !== 'seriesMaster').map(normalizeGraphEvent), ctx);
    expect(bare.activities.map((a) => a.text)).toEqual(['Lunch with Tom (Kafé Linnea)', 'Daily stand-up (moved to 10) (Room Vättern)']);
  });
});
