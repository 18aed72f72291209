import { describe, expect, it } from 'vitest';
import { mapAutomaticReplies } from '../../../shared/domain/map-automatic-replies.js';
import { normalizeExchangeAutomaticReplies } from '../../../shared/domain/normalize-exchange-automatic-replies.js';
import { normalizeGraphAutomaticReplies } from '../../../shared/domain/normalize-graph-automatic-replies.js';
import { contextWith } from './mapping-test-context.js';

describe('normalizeExchangeAutomaticReplies', () => {
  it('when OofState is Disabled (Microsoft’s example, with a Duration left over), then disabled', () => {
    expect(normalizeExchangeAutomaticReplies({ oofState: 'Disabled', startTime: '2006-11-03T23:00:00', endTime: '2006-11-04T23:00:00' })).toEqual({ status: 'disabled' });
  });

  it('when OofState is Enabled, then always enabled, whatever Duration says', () => {
    expect(normalizeExchangeAutomaticReplies({ oofState: 'Enabled', startTime: '2026-03-30T00:00:00', endTime: '2026-03-31T00:00:00' })).toEqual({ status: 'alwaysEnabled' });
  });

  it('when OofState is Scheduled, then its Duration, read as UTC', () => {
    expect(normalizeExchangeAutomaticReplies({ oofState: 'Scheduled', startTime: '2026-04-09T15:00:00', endTime: '2026-04-13T06:00:00' })).toEqual({
      status: 'scheduled',
      start: '2026-04-09T15:00:00.000Z',
      end: '2026-04-13T06:00:00.000Z',
    });
  });

  it('when the Duration carries its own offset, then it is read with it', () => {
    expect(normalizeExchangeAutomaticReplies({ oofState: 'Scheduled', startTime: '2026-04-09T17:00:00+02:00', endTime: '2026-04-13T06:00:00Z' })).toMatchObject({ start: '2026-04-09T15:00:00.000Z', end: '2026-04-13T06:00:00.000Z' });
  });

  it.each([
    ['Scheduled without a Duration', { oofState: 'Scheduled' }],
    ['Scheduled ending before it starts', { oofState: 'Scheduled', startTime: '2026-04-13T06:00:00', endTime: '2026-04-09T15:00:00' }],
    ['Scheduled with a time that is not one', { oofState: 'Scheduled', startTime: '2026-02-30T06:00:00', endTime: '2026-03-13T06:00:00' }],
    ['Scheduled with an end that is not a time', { oofState: 'Scheduled', startTime: '2026-03-01T06:00:00', endTime: 'soon' }],
    ['a state Exchange does not document', { oofState: 'Sometimes' }],
  ])('when %s, then unreadable (undefined), so what was known is kept', (_name, oof) => {
    expect(normalizeExchangeAutomaticReplies(oof)).toBeUndefined();
  });

  it.each([
    ['Scheduled', { oofState: 'Scheduled', startTime: '2026-03-31T06:00:00', endTime: '2026-04-02T16:00:00' }, { status: 'scheduled', scheduledStartDateTime: { dateTime: '2026-03-31T06:00:00.0000000', timeZone: 'UTC' }, scheduledEndDateTime: { dateTime: '2026-04-02T16:00:00.0000000', timeZone: 'UTC' } }],
    ['Enabled', { oofState: 'Enabled' }, { status: 'alwaysEnabled' }],
    ['Disabled', { oofState: 'Disabled' }, { status: 'disabled' }],
  ])('when %s, then the same activity as Graph’s equivalent setting gives', (_name, oof, graph) => {
    const ctx = contextWith({ automaticRepliesSince: '2026-03-30T07:00:00.000Z' });
    const fromExchange = normalizeExchangeAutomaticReplies(oof);
    const fromGraph = normalizeGraphAutomaticReplies(graph);
    expect(fromExchange).toEqual(fromGraph);
    expect(mapAutomaticReplies(fromExchange!, ctx)).toEqual(mapAutomaticReplies(fromGraph!, ctx));
  });
});
