/** Properties that must hold for any calendar, not just the examples (fast-check). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AcknowledgedActivity, Operation } from '../../../shared/domain/activity.js';
import type { CalendarEvent, NormalizeResult } from '../../../shared/domain/calendar-event.js';
import { mapCalendar } from '../../../shared/domain/map-calendar.js';
import { mapEvent } from '../../../shared/domain/map-event.js';
import { planOperations } from '../../../shared/domain/plan-operations.js';
import { addDays, formatInZone, zonedTimeToInstant } from '../../../shared/domain/time-zone.js';
import { contextWith } from './mapping-test-context.js';

const ZONES = ['Europe/Stockholm', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'UTC'] as const;
const WINDOW_START = Date.parse('2026-03-29T00:00:00Z');
const DAY = 86_400_000;

const dateArb = fc.integer({ min: -20, max: 240 }).map((d) => addDays('2026-03-29', d));
const timingArb: fc.Arbitrary<CalendarEvent['timing']> = fc.oneof(
  fc.record({ start: fc.integer({ min: -3 * DAY, max: 20 * DAY }), minutes: fc.integer({ min: 1, max: 3000 }) }).map(({ start, minutes }) => ({
    allDay: false as const,
    start: new Date(WINDOW_START + Math.round(start / 60_000) * 60_000).toISOString(),
    end: new Date(WINDOW_START + Math.round(start / 60_000) * 60_000 + minutes * 60_000).toISOString(),
  })),
  fc.record({ startDate: dateArb, days: fc.integer({ min: 1, max: 10 }) }).map(({ startDate, days }) => ({ allDay: true as const, startDate, endDate: addDays(startDate, days) })),
);

const eventArb: fc.Arbitrary<CalendarEvent> = fc.record({
  provider: fc.constantFrom('graph' as const, 'google' as const, 'exchange' as const),
  // Exchange ids join a UID and an original start: `040000…|2026-04-07T08:00:00.000Z`.
  id: fc.stringMatching(/^[A-Za-z0-9=_|:.-]{1,40}$/),
  seriesId: fc.option(fc.constant('series-1'), { nil: undefined }),
  cancelled: fc.boolean(),
  declined: fc.boolean(),
  tentative: fc.boolean(),
  unanswered: fc.boolean(),
  showAs: fc.constantFrom('busy' as const, 'free' as const, 'tentative' as const, 'oof' as const, 'workingElsewhere' as const),
  kind: fc.constantFrom('default' as const, 'focusTime' as const, 'birthday' as const, 'fromGmail' as const),
  subject: fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('Lunch with Tom', '*Meeting', '#Travel', 'Secret 🎉 plan')),
  location: fc.string({ maxLength: 40 }),
  categories: fc.array(fc.constantFrom('Vacation', 'Training', 'Meeting', 'Other'), { maxLength: 2 }),
  private: fc.boolean(),
  onlineMeeting: fc.boolean(),
  timing: timingArb,
});

const uniqueEvents = fc.uniqueArray(eventArb, { selector: (e) => `${e.provider}:${e.id}`, maxLength: 30 });
const asItems = (events: CalendarEvent[]): NormalizeResult[] => events.map((event) => ({ kind: 'event', event }));

function apply(acknowledged: AcknowledgedActivity[], operations: Operation[]): AcknowledgedActivity[] {
  const held = new Map(acknowledged.map((a) => [a.externalId, a]));
  for (const op of operations) {
    if (op.op === 'delete') held.delete(op.externalId);
    else held.set(op.activity.externalId, { externalId: op.activity.externalId, hash: op.hash, sourceEventId: op.activity.source.eventId, seriesId: op.activity.source.seriesId });
  }
  return [...held.values()];
}

describe('mapping properties', () => {
  it('when a plan is applied and planned again, then there is no operation (full and delta)', () => {
    fc.assert(
      fc.property(uniqueEvents, uniqueEvents, fc.boolean(), (before, after, delta) => {
        const ctx = contextWith({ env: { CATEGORY_CODES: '{"Vacation":"5"}' } });
        const first = mapCalendar(asItems(before), ctx);
        const held = apply([], planOperations({ desired: first.activities, acknowledged: [], scope: { kind: 'full' } }));
        const next = mapCalendar(asItems(after), ctx);
        const scope = delta ? { kind: 'delta' as const, touchedEventIds: next.touchedEventIds } : { kind: 'full' as const };
        const settled = apply(held, planOperations({ desired: next.activities, acknowledged: held, scope }));
        expect(planOperations({ desired: next.activities, acknowledged: settled, scope })).toEqual([]);
      }),
    );
  });

  it('when the same events are mapped twice, in any order, then the same activities', () => {
    fc.assert(
      fc.property(uniqueEvents, fc.constantFrom(...ZONES), (events, timeZone) => {
        const a = mapCalendar(asItems(events), contextWith({ mailbox: { timeZone } }));
        const b = mapCalendar(asItems([...events].reverse()), contextWith({ mailbox: { timeZone } }));
        expect(b.activities).toEqual(a.activities);
      }),
    );
  });

  it('when events or occurrences differ, then their externalIds differ; the same event keeps its id', () => {
    fc.assert(
      fc.property(uniqueEvents, (events) => {
        const ctx = contextWith({ env: { SYNC_FREE: 'true', SYNC_WORKING_ELSEWHERE: 'true' } });
        const busy = events.map((e) => ({ ...e, cancelled: false, declined: false, kind: 'default' as const, timing: { allDay: false as const, start: '2026-03-31T08:00:00.000Z', end: '2026-03-31T09:00:00.000Z' } }));
        const ids = busy.map((e) => mapEvent(e, ctx)).map((r) => (r.kind === 'activity' ? r.activity.externalId : ''));
        expect(new Set(ids).size).toBe(busy.length);
        const again = busy.map((e) => mapEvent({ ...e, subject: `${e.subject} (moved)` }, ctx)).map((r) => (r.kind === 'activity' ? r.activity.externalId : ''));
        expect(again).toEqual(ids);
        for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      }),
    );
  });

  it('when masking is on, then no private subject or location appears in any activity', () => {
    const secret = fc.stringMatching(/^[a-z]{6,20}$/).map((s) => `zz${s}`);
    fc.assert(
      fc.property(eventArb, secret, secret, fc.boolean(), (event, subject, location, appendLocation) => {
        const ctx = contextWith({ env: { TEXT_APPEND_LOCATION: String(appendLocation), SYNC_FREE: 'true' } });
        const result = mapEvent({ ...event, private: true, subject: `*${subject}`, location }, ctx);
        if (result.kind === 'activity') {
          const text = JSON.stringify(result.activity);
          expect(text).not.toContain(subject);
          expect(text).not.toContain(location);
        }
      }),
    );
  });

  it('when an invitation is unanswered, then whatever its subject, forwarding is the user’s default and the code comes from categories or DEFAULT_CODE', () => {
    const subject = fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('*Travel', '#Lunch', '* Out of office', 'Training day'));
    fc.assert(
      fc.property(eventArb, subject, fc.boolean(), (event, invitationSubject, forwardByDefault) => {
        const ctx = contextWith({ env: { SYNC_FREE: 'true', SYNC_WORKING_ELSEWHERE: 'true' }, mailbox: { forwardByDefault } });
        const result = mapEvent({ ...event, unanswered: true, subject: invitationSubject }, ctx);
        if (result.kind !== 'activity') return;
        expect(result.activity.forward).toBe(forwardByDefault);
        const byCategory = mapEvent({ ...event, unanswered: false, showAs: 'busy', subject: '' }, ctx);
        expect(byCategory.kind === 'activity' && result.activity.code).toBe(byCategory.kind === 'activity' && byCategory.activity.code);
      }),
    );
  });

  it('when any text is mapped, then the activity text holds no control or format character', () => {
    const noisy = fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('\u202E', '\u200B', '\u2066', '\uFEFF', '\u00AD', '\u{E0041}', '\u0007', '\n')), { maxLength: 12 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(eventArb, noisy, noisy, (event, subject, location) => {
        const ctx = contextWith({ env: { TEXT_APPEND_LOCATION: 'true', MASK_PRIVATE: 'false', SYNC_FREE: 'true' } });
        const result = mapEvent({ ...event, subject, location }, ctx);
        if (result.kind === 'activity') expect(result.activity.text).not.toMatch(/[\p{Cc}\p{Cf}]/u);
      }),
    );
  });

  it('when an all-day event is mapped in any zone, then it covers whole local days across DST changes', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 1, max: 40 }), fc.constantFrom(...ZONES), (startDate, days, timeZone) => {
        const endDate = addDays(startDate, days);
        const ctx = contextWith({ mailbox: { timeZone }, now: new Date(`${startDate}T12:00:00Z`) });
        const event: CalendarEvent = {
          provider: 'graph', id: 'all-day', cancelled: false, declined: false, tentative: false, unanswered: false, showAs: 'busy', kind: 'default',
          subject: 'Conference', location: '', categories: [], private: false, onlineMeeting: false,
          timing: { allDay: true, startDate, endDate },
        };
        const result = mapEvent(event, ctx);
        expect(result.kind).toBe('activity');
        if (result.kind !== 'activity') return;
        expect(result.activity.start).toBe(formatInZone(zonedTimeToInstant(startDate, 0, 0, timeZone), timeZone));
        expect(result.activity.start.slice(0, 19)).toBe(`${startDate}T00:00:00`);
        expect(result.activity.end.slice(0, 19)).toBe(`${endDate}T00:00:00`);
        const hours = (Date.parse(result.activity.end) - Date.parse(result.activity.start)) / 3_600_000;
        expect(Math.abs(hours - 24 * days)).toBeLessThanOrEqual(1);
      }),
    );
  });
});
