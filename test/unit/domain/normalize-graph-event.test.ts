import { describe, expect, it } from 'vitest';
import { normalizeGraphEvent } from '../../../shared/domain/normalize-graph-event.js';

// Shaped after the response examples of "List calendarView" and "event: delta"
// (https://learn.microsoft.com/graph/api/user-list-calendarview,
//  https://learn.microsoft.com/graph/api/event-delta), with Prefer: outlook.timezone="UTC".
const documentedEvent = {
  '@odata.etag': 'W/"ZlnW4RIAV06KYYwlrfNZvQAAKGWwbw=="',
  id: 'AAMkAGI2TGuLAAA=',
  subject: 'Orientation ',
  bodyPreview: 'Dana, this is the time you selected for our orientation.',
  categories: [],
  isAllDay: false,
  isCancelled: false,
  isOnlineMeeting: false,
  sensitivity: 'normal',
  showAs: 'busy',
  type: 'singleInstance',
  seriesMasterId: null,
  responseStatus: { response: 'organizer', time: '0001-01-01T00:00:00Z' },
  start: { dateTime: '2017-04-21T10:00:00.0000000', timeZone: 'UTC' },
  end: { dateTime: '2017-04-21T12:00:00.0000000', timeZone: 'UTC' },
  location: {
    displayName: 'Assembly Hall',
    locationType: 'default',
    uniqueId: 'Assembly Hall',
    uniqueIdType: 'private',
  },
  organizer: { emailAddress: { name: 'Samantha Booth', address: 'samanthab@contoso.com' } },
};

const eventOf = (patch: Record<string, unknown>) => {
  const result = normalizeGraphEvent({ ...documentedEvent, ...patch });
  if (result.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(result)}`);
  return result.event;
};

describe('normalizeGraphEvent', () => {
  it('when given the documented calendarView event, then it yields its UTC instants, subject and location', () => {
    expect(normalizeGraphEvent(documentedEvent)).toEqual({
      kind: 'event',
      event: {
        provider: 'graph',
        id: 'AAMkAGI2TGuLAAA=',
        seriesId: undefined,
        cancelled: false,
        declined: false,
        tentative: false,
        unanswered: false,
        showAs: 'busy',
        kind: 'default',
        subject: 'Orientation ',
        location: 'Assembly Hall',
        categories: [],
        private: false,
        onlineMeeting: false,
        timing: { allDay: false, start: '2017-04-21T10:00:00.000Z', end: '2017-04-21T12:00:00.000Z' },
      },
    });
  });

  it('when delta reports an @removed item, then it is a removal by id', () => {
    const removed = { '@odata.type': '#microsoft.graph.event', id: 'AAMkADVxTAAA=', '@removed': { reason: 'deleted' } };
    expect(normalizeGraphEvent(removed)).toEqual({ kind: 'removed', id: 'AAMkADVxTAAA=' });
  });

  it('when the event is cancelled, then it is marked cancelled', () => {
    expect(eventOf({ isCancelled: true }).cancelled).toBe(true);
  });

  it('when the owner declined, then it is marked declined', () => {
    expect(eventOf({ responseStatus: { response: 'declined', time: '2017-04-20T08:00:00Z' } }).declined).toBe(true);
  });

  it.each([
    ['notResponded', true],
    ['none', false],
    ['organizer', false],
    ['accepted', false],
    ['tentativelyAccepted', false],
  ])('when the owner’s response is %s, then unanswered is %s', (response, unanswered) => {
    expect(eventOf({ responseStatus: { response, time: '0001-01-01T00:00:00Z' } }).unanswered).toBe(unanswered);
  });

  it.each([
    ['free', 'free', false],
    ['tentative', 'tentative', true],
    ['busy', 'busy', false],
    ['oof', 'oof', false],
    ['workingElsewhere', 'workingElsewhere', false],
    ['unknown', 'busy', false],
    [null, 'busy', false],
  ])('when showAs is %s, then showAs is %s and tentative is %s', (raw, showAs, tentative) => {
    const e = eventOf({ showAs: raw });
    expect(e.showAs).toBe(showAs);
    expect(e.tentative).toBe(tentative);
  });

  it.each([
    ['normal', false],
    ['personal', false],
    ['private', true],
    ['confidential', true],
  ])('when sensitivity is %s, then private is %s', (sensitivity, expected) => {
    expect(eventOf({ sensitivity }).private).toBe(expected);
  });

  it('when the event is an online meeting with categories, then both are carried over', () => {
    const e = eventOf({ isOnlineMeeting: true, categories: ['Vacation', 'Red category'] });
    expect(e.onlineMeeting).toBe(true);
    expect(e.categories).toEqual(['Vacation', 'Red category']);
  });

  it('when the event is an occurrence, then seriesId is the series master id', () => {
    expect(eventOf({ type: 'occurrence', seriesMasterId: 'AAMkSeriesMaster=' }).seriesId).toBe('AAMkSeriesMaster=');
  });

  it('when the event is all-day, then timing holds the local dates with an exclusive end', () => {
    const e = eventOf({
      isAllDay: true,
      start: { dateTime: '2017-04-24T00:00:00.0000000', timeZone: 'UTC' },
      end: { dateTime: '2017-04-26T00:00:00.0000000', timeZone: 'UTC' },
    });
    expect(e.timing).toEqual({ allDay: true, startDate: '2017-04-24', endDate: '2017-04-26' });
  });

  it('when an all-day event is labelled with another zone (Graph ignores Prefer for them), then the date part still counts', () => {
    const e = eventOf({
      isAllDay: true,
      start: { dateTime: '2023-10-07T00:00:00.0000000', timeZone: 'Pakistan Standard Time' },
      end: { dateTime: '2023-10-08T00:00:00.0000000', timeZone: 'Pakistan Standard Time' },
    });
    expect(e.timing).toEqual({ allDay: true, startDate: '2023-10-07', endDate: '2023-10-08' });
  });

  it('when subject and location are absent, then they are empty strings', () => {
    const { subject: _s, location: _l, ...bare } = documentedEvent;
    const result = normalizeGraphEvent(bare);
    expect(result.kind === 'event' && [result.event.subject, result.event.location]).toEqual(['', '']);
  });

  it('when a timed event is not in UTC, then it is invalid rather than mis-timed', () => {
    const result = normalizeGraphEvent({ ...documentedEvent, start: { dateTime: '2017-04-21T10:00:00', timeZone: 'Pacific Standard Time' } });
    expect(result).toMatchObject({ kind: 'invalid', id: 'AAMkAGI2TGuLAAA=' });
  });

  it('when the item is malformed, then the detail names fields but never quotes the text', () => {
    const result = normalizeGraphEvent({ ...documentedEvent, subject: 42, start: 'Secret board meeting' });
    expect(result.kind).toBe('invalid');
    if (result.kind !== 'invalid') return;
    expect(result.id).toBe('AAMkAGI2TGuLAAA=');
    expect(result.detail).toContain('start');
    expect(result.detail).not.toContain('Secret');
    expect(result.detail).not.toContain('Orientation');
  });

  it('when the item has no id, then it is invalid with an undefined id', () => {
    expect(normalizeGraphEvent({ subject: 'x' })).toMatchObject({ kind: 'invalid', id: undefined });
    expect(normalizeGraphEvent(null)).toMatchObject({ kind: 'invalid', id: undefined });
  });

  it('when the end is before the start, then it is invalid', () => {
    const result = normalizeGraphEvent({ ...documentedEvent, end: { dateTime: '2017-04-21T09:00:00.0000000', timeZone: 'UTC' } });
    expect(result.kind).toBe('invalid');
  });
});
