/** MAPPING.md §1–6, row by row, on raw Graph, Google and Exchange (EWS) items run through the normalisers. */
import { describe, expect, it } from 'vitest';
import type { SkipReason } from '../../../shared/domain/activity.js';
import type { ExchangeCalendarItem } from '../../../shared/domain/exchange-calendar-item.js';
import { mapCalendar } from '../../../shared/domain/map-calendar.js';
import { mapEvent } from '../../../shared/domain/map-event.js';
import { normalizeExchangeEvent } from '../../../shared/domain/normalize-exchange-event.js';
import { normalizeGoogleEvent } from '../../../shared/domain/normalize-google-event.js';
import { normalizeGraphEvent } from '../../../shared/domain/normalize-graph-event.js';
import { contextWith, eventOf } from './mapping-test-context.js';
import { exchangeItem, googleEvent, graphEvent } from './raw-events.js';

interface Row {
  readonly when: string;
  readonly graph?: Record<string, unknown>;
  readonly google?: Record<string, unknown>;
  readonly exchange?: Partial<ExchangeCalendarItem>;
  readonly env?: Record<string, string>;
  readonly forwardByDefault?: boolean;
  readonly then: SkipReason | { code?: string; text?: string; forward?: boolean; inConference?: boolean; private?: boolean; start?: string; end?: string };
}

const SELF_DECLINED = { attendees: [{ email: 'sam@example.com', self: true, responseStatus: 'declined' }] };
const SELF_TENTATIVE = { attendees: [{ email: 'sam@example.com', self: true, responseStatus: 'tentative' }] };
/** A stranger's invitation as it lands in the owner's calendar: not answered yet. */
const GRAPH_UNANSWERED = { isOrganizer: false, showAs: 'tentative', responseStatus: { response: 'notResponded', time: '0001-01-01T00:00:00Z' } };
/** The same through EWS: Exchange enters a stranger's invitation as tentative, not yet answered. */
const EXCHANGE_UNANSWERED: Partial<ExchangeCalendarItem> = { myResponseType: 'NoResponseReceived', legacyFreeBusyStatus: 'Tentative', organizer: 'stranger@elsewhere.example' };
const googleUnanswered = (summary: string) => ({
  summary,
  organizer: { email: 'stranger@elsewhere.example' },
  attendees: [
    { email: 'stranger@elsewhere.example', organizer: true, responseStatus: 'accepted' },
    { email: 'sam@example.com', self: true, responseStatus: 'needsAction' },
  ],
});

const ROWS: Row[] = [
  // §1 Which events count
  { when: 'the event is cancelled', graph: { isCancelled: true }, google: { status: 'cancelled' }, exchange: { isCancelled: true }, then: 'cancelled' },
  { when: 'the owner declined', graph: { responseStatus: { response: 'declined' } }, google: SELF_DECLINED, exchange: { myResponseType: 'Decline' }, then: 'declined' },
  { when: 'the event shows as free', graph: { showAs: 'free' }, google: { transparency: 'transparent' }, exchange: { legacyFreeBusyStatus: 'Free' }, then: 'free' },
  { when: 'the event shows as free and SYNC_FREE=true', graph: { showAs: 'free' }, google: { transparency: 'transparent' }, exchange: { legacyFreeBusyStatus: 'Free' }, env: { SYNC_FREE: 'true' }, then: { code: '11' } },
  { when: 'the event is tentative', graph: { showAs: 'tentative' }, google: SELF_TENTATIVE, exchange: { legacyFreeBusyStatus: 'Tentative' }, then: { code: '11' } },
  { when: 'the event is tentative and SYNC_TENTATIVE=false', graph: { showAs: 'tentative' }, google: SELF_TENTATIVE, exchange: { legacyFreeBusyStatus: 'Tentative' }, env: { SYNC_TENTATIVE: 'false' }, then: 'tentative' },
  { when: 'an invitation is unanswered', graph: GRAPH_UNANSWERED, google: googleUnanswered('Plan summer company picnic'), exchange: EXCHANGE_UNANSWERED, then: { code: '11', text: 'Plan summer company picnic' } },
  {
    when: 'an unanswered invitation’s subject asks for forwarding and an absence code',
    graph: { ...GRAPH_UNANSWERED, subject: '*Travel to Oslo' },
    google: googleUnanswered('*Travel to Oslo'),
    exchange: { ...EXCHANGE_UNANSWERED, subject: '*Travel to Oslo' },
    then: { code: '11', forward: false, text: 'Travel to Oslo' },
  },
  {
    when: 'an unanswered invitation’s subject refuses forwarding',
    graph: { ...GRAPH_UNANSWERED, subject: '#Lunch' },
    google: googleUnanswered('#Lunch'),
    exchange: { ...EXCHANGE_UNANSWERED, subject: '#Lunch' },
    forwardByDefault: true,
    then: { code: '11', forward: true },
  },
  {
    // The group is the attendee, the owner is not listed (google-api-ruby-client #658, #881).
    when: 'an invitation reached the owner through a group and a stranger’s subject asks for forwarding',
    google: { summary: '*Travel to Oslo', organizer: { email: 'stranger@elsewhere.example' }, attendees: [{ email: 'stranger@elsewhere.example', organizer: true, responseStatus: 'accepted' }, { email: 'team@example.com', responseStatus: 'needsAction' }] },
    // EWS: a response Exchange reports as Unknown, on an item someone else organises.
    exchange: { subject: '*Travel to Oslo', myResponseType: 'Unknown', legacyFreeBusyStatus: 'Tentative', organizer: 'stranger@elsewhere.example' },
    then: { code: '11', forward: false, text: 'Travel to Oslo' },
  },
  { when: 'an unanswered invitation shows as out of office', graph: { ...GRAPH_UNANSWERED, showAs: 'oof' }, exchange: { ...EXCHANGE_UNANSWERED, legacyFreeBusyStatus: 'OOF' }, then: { code: '11' } },
  { when: 'an unanswered invitation has a category the owner set', graph: { ...GRAPH_UNANSWERED, subject: 'Lunch', categories: ['Travel'] }, exchange: { ...EXCHANGE_UNANSWERED, subject: 'Lunch', categories: ['Travel'] }, then: { code: '7' } },
  { when: 'an unanswered invitation matches nothing and SYNC_ONLY_MATCHED=true', graph: { ...GRAPH_UNANSWERED, subject: 'Lunch' }, google: googleUnanswered('Lunch'), exchange: { ...EXCHANGE_UNANSWERED, subject: 'Lunch' }, env: { SYNC_ONLY_MATCHED: 'true' }, then: 'unmatched' },
  { when: 'an invitation is unanswered and SYNC_UNANSWERED=false', graph: GRAPH_UNANSWERED, google: googleUnanswered('Lunch'), exchange: EXCHANGE_UNANSWERED, env: { SYNC_UNANSWERED: 'false' }, then: 'unanswered' },
  { when: 'an invitation is unanswered and SYNC_TENTATIVE=false', graph: GRAPH_UNANSWERED, google: googleUnanswered('Lunch'), exchange: EXCHANGE_UNANSWERED, env: { SYNC_TENTATIVE: 'false' }, then: 'tentative' },
  {
    when: 'the response is none (the organizer’s view), the subject still counts',
    graph: { subject: '*Lunch', responseStatus: { response: 'none', time: '0001-01-01T00:00:00Z' } },
    exchange: { subject: '*Lunch', myResponseType: 'Unknown', organizer: 'sam@example.com' },
    then: { code: '1', forward: true },
  },
  {
    when: 'the organizer’s own entry awaits an answer, the subject still counts',
    google: { summary: '*Lunch', attendees: [{ email: 'sam@example.com', self: true, organizer: true, responseStatus: 'needsAction' }] },
    exchange: { subject: '*Lunch', myResponseType: 'NoResponseReceived', organizer: 'SAM@example.com' },
    then: { code: '1', forward: true },
  },
  { when: 'the owner answered tentatively but shows as busy, and SYNC_TENTATIVE=false', exchange: { myResponseType: 'Tentative', legacyFreeBusyStatus: 'Busy' }, env: { SYNC_TENTATIVE: 'false' }, then: 'tentative' },
  { when: 'Exchange has no free/busy data for the event', exchange: { legacyFreeBusyStatus: 'NoData' }, then: { code: '11' } },
  { when: 'the response is Unknown and the organizer is not given', exchange: { subject: '*Lunch', myResponseType: 'Unknown', organizer: undefined }, then: { code: '1', forward: true } },
  { when: 'the owner works elsewhere', graph: { showAs: 'workingElsewhere' }, google: { eventType: 'workingLocation' }, exchange: { legacyFreeBusyStatus: 'WorkingElsewhere' }, then: 'working-elsewhere' },
  { when: 'the owner works elsewhere and SYNC_WORKING_ELSEWHERE=true', graph: { showAs: 'workingElsewhere' }, google: { eventType: 'workingLocation' }, exchange: { legacyFreeBusyStatus: 'WorkingElsewhere' }, env: { SYNC_WORKING_ELSEWHERE: 'true' }, then: { code: '11' } },
  { when: 'the event is out of office', graph: { showAs: 'oof', subject: 'Lunch' }, google: { eventType: 'outOfOffice', summary: 'Lunch' }, exchange: { legacyFreeBusyStatus: 'OOF', subject: 'Lunch' }, then: { code: '5' } },
  { when: 'the event is focus time', google: { eventType: 'focusTime', summary: 'Focus time' }, then: { code: '11', text: 'Focus time' } },
  { when: 'the event is a birthday', google: { eventType: 'birthday' }, then: 'not-an-event' },
  { when: 'the event comes from Gmail', google: { eventType: 'fromGmail' }, then: 'not-an-event' },
  { when: 'anything else is busy', graph: {}, google: {}, exchange: {}, then: { code: '11', text: 'Plan summer company picnic' } },
  {
    when: 'the event ended before the window',
    graph: { start: { dateTime: '2026-03-20T08:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-03-20T09:00:00', timeZone: 'UTC' } },
    google: { start: { dateTime: '2026-03-20T08:00:00Z' }, end: { dateTime: '2026-03-20T09:00:00Z' } },
    exchange: { start: '2026-03-20T08:00:00Z', end: '2026-03-20T09:00:00Z' },
    then: 'outside-window',
  },
  {
    when: 'the event starts after the window',
    graph: { start: { dateTime: '2026-05-20T08:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-05-20T09:00:00', timeZone: 'UTC' } },
    google: { start: { dateTime: '2026-05-20T08:00:00Z' }, end: { dateTime: '2026-05-20T09:00:00Z' } },
    exchange: { start: '2026-05-20T08:00:00Z', end: '2026-05-20T09:00:00Z' },
    then: 'outside-window',
  },
  {
    when: 'the event overlaps the window start, it is not clipped',
    graph: { start: { dateTime: '2026-03-20T08:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-03-31T09:00:00', timeZone: 'UTC' } },
    google: { start: { dateTime: '2026-03-20T08:00:00Z' }, end: { dateTime: '2026-03-31T09:00:00Z' } },
    exchange: { start: '2026-03-20T08:00:00Z', end: '2026-03-31T09:00:00Z' },
    then: { start: '2026-03-20T09:00:00+01:00', end: '2026-03-31T11:00:00+02:00' },
  },
  // §2 Which CMG code
  { when: 'a category is in CATEGORY_CODES', graph: { categories: [' vacation '] }, exchange: { categories: [' vacation '] }, env: { CATEGORY_CODES: '{"Vacation":"7"}' }, then: { code: '7' } },
  { when: 'a category is an alias', graph: { categories: ['TRIP'] }, exchange: { categories: ['TRIP'] }, env: { CODE_ALIASES: '{"Trip":"7"}' }, then: { code: '7' } },
  { when: 'a category is a code description', graph: { categories: ['Training'] }, exchange: { categories: ['Training'] }, then: { code: '13' } },
  { when: 'the category map and an alias disagree, the map wins', graph: { categories: ['Trip'] }, exchange: { categories: ['Trip'] }, env: { CATEGORY_CODES: '{"Trip":"13"}', CODE_ALIASES: '{"Trip":"7"}' }, then: { code: '13' } },
  { when: 'a category and the subject disagree, the category wins', graph: { categories: ['Training'], subject: 'Lunch' }, exchange: { categories: ['Training'], subject: 'Lunch' }, then: { code: '13' } },
  { when: 'the subject starts with a description as a whole word', graph: { subject: 'Lunch with Tom' }, google: { summary: 'lunch with Tom' }, exchange: { subject: 'LUNCH with Tom' }, then: { code: '1' } },
  { when: 'the subject only starts with a description inside a word', graph: { subject: 'Lunchtime talk' }, google: { summary: 'Lunchtime talk' }, exchange: { subject: 'Lunchtime talk' }, then: { code: '11' } },
  { when: 'the subject starts with an alias', graph: { subject: 'Travel to Oslo' }, google: { summary: 'Trip to Oslo' }, exchange: { subject: 'Trip to Oslo' }, env: { CODE_ALIASES: '{"Trip":"7"}' }, then: { code: '7' } },
  { when: 'several keys match, the longest wins', graph: { subject: 'Customer visit Volvo' }, google: { summary: 'Customer visit Volvo' }, exchange: { subject: 'Customer visit Volvo' }, env: { CODE_ALIASES: '{"Customer":"1"}' }, then: { code: '12' } },
  { when: 'equal keys match, the lower code wins', graph: { subject: 'Offsite day' }, exchange: { subject: 'Offsite day' }, env: { CODE_ALIASES: '{"Offsite":"13","OFFSITE":"7"}' }, then: { code: '7' } },
  { when: 'the description is in a language of CODE_LANGUAGES', graph: { subject: 'Möte om budget' }, exchange: { subject: 'Möte om budget' }, env: { CODE_LANGUAGES: 'sv' }, then: { code: '11' } },
  { when: 'the description is not in the user’s language', graph: { subject: 'Resa till Oslo' }, then: { code: '11' } },
  { when: 'CODE_ONLY_ALIASES=true, descriptions are ignored', graph: { subject: 'Lunch with Tom' }, google: { summary: 'Lunch with Tom' }, exchange: { subject: 'Lunch with Tom' }, env: { CODE_ONLY_ALIASES: 'true' }, then: { code: '11' } },
  { when: 'CODE_MATCH_FIELDS=subject, categories are ignored', graph: { categories: ['Training'], subject: 'Lunch' }, exchange: { categories: ['Training'], subject: 'Lunch' }, env: { CODE_MATCH_FIELDS: 'subject' }, then: { code: '1' } },
  { when: 'CODE_MATCH_FIELDS=category, the subject is ignored', graph: { subject: 'Lunch' }, exchange: { subject: 'Lunch' }, env: { CODE_MATCH_FIELDS: 'category' }, then: { code: '11' } },
  { when: 'nothing matches, DEFAULT_CODE', graph: { subject: 'Picnic' }, google: { summary: 'Picnic' }, exchange: { subject: 'Picnic' }, then: { code: '11' } },
  { when: 'nothing matches and SYNC_ONLY_MATCHED=true', graph: { subject: 'Picnic' }, google: { summary: 'Picnic' }, exchange: { subject: 'Picnic' }, env: { SYNC_ONLY_MATCHED: 'true' }, then: 'unmatched' },
  { when: 'a match with SYNC_ONLY_MATCHED=true', graph: { subject: 'Lunch' }, google: { summary: 'Lunch' }, exchange: { subject: 'Lunch' }, env: { SYNC_ONLY_MATCHED: 'true' }, then: { code: '1' } },
  { when: 'out of office with SYNC_ONLY_MATCHED=true', graph: { showAs: 'oof', subject: 'Away' }, google: { eventType: 'outOfOffice', summary: 'Away' }, exchange: { legacyFreeBusyStatus: 'OOF', subject: 'Away' }, env: { SYNC_ONLY_MATCHED: 'true' }, then: { code: '5' } },
  // §3 Forwarding
  { when: 'the subject starts with FORWARD_PREFIX', graph: { subject: '*Lunch with Tom' }, google: { summary: '* Lunch with Tom' }, exchange: { subject: '*Lunch with Tom' }, then: { forward: true, code: '1', text: 'Lunch with Tom' } },
  { when: 'the subject starts with NOT_FORWARD_PREFIX', graph: { subject: '#Lunch' }, google: { summary: '#Lunch' }, exchange: { subject: '#Lunch' }, forwardByDefault: true, then: { forward: false, code: '1', text: 'Lunch' } },
  { when: 'there is no prefix, the user’s default', graph: { subject: 'Lunch' }, google: { summary: 'Lunch' }, exchange: { subject: 'Lunch' }, forwardByDefault: true, then: { forward: true } },
  { when: 'custom prefixes are set', graph: { subject: 'FWD: Lunch' }, exchange: { subject: 'FWD: Lunch' }, env: { FORWARD_PREFIX: 'FWD:', NOT_FORWARD_PREFIX: 'NOFWD:' }, then: { forward: true, text: 'Lunch' } },
  // §4 Private
  {
    when: 'the event is private',
    graph: { sensitivity: 'private', subject: 'Lunch with my lawyer', location: { displayName: 'Law firm' } },
    google: { visibility: 'private', summary: 'Lunch with my lawyer', location: 'Law firm' },
    exchange: { sensitivity: 'Private', subject: 'Lunch with my lawyer', location: 'Law firm' },
    env: { TEXT_APPEND_LOCATION: 'true' },
    then: { code: '1', text: 'Private appointment', private: true },
  },
  { when: 'the event is confidential', graph: { sensitivity: 'confidential' }, google: { visibility: 'confidential' }, exchange: { sensitivity: 'Confidential' }, then: { text: 'Private appointment', private: true } },
  { when: 'the event is personal (neither private nor confidential)', graph: { sensitivity: 'personal' }, exchange: { sensitivity: 'Personal' }, then: { text: 'Plan summer company picnic', private: false } },
  {
    when: 'PRIVATE_SUBJECT and PRIVATE_LOCATION are set',
    graph: { sensitivity: 'private' },
    google: { visibility: 'private' },
    exchange: { sensitivity: 'Private' },
    env: { PRIVATE_SUBJECT: 'Busy', PRIVATE_LOCATION: 'elsewhere', TEXT_APPEND_LOCATION: 'true' },
    then: { text: 'Busy (elsewhere)' },
  },
  { when: 'MASK_PRIVATE=false', graph: { sensitivity: 'private' }, google: { visibility: 'private' }, exchange: { sensitivity: 'Private' }, env: { MASK_PRIVATE: 'false' }, then: { text: 'Plan summer company picnic', private: true } },
  // §5 Times (all-day across DST: more in the property tests)
  {
    when: 'an all-day event spans the spring DST change',
    graph: { isAllDay: true, start: { dateTime: '2026-03-28T00:00:00.0000000', timeZone: 'UTC' }, end: { dateTime: '2026-03-31T00:00:00.0000000', timeZone: 'UTC' } },
    google: { start: { date: '2026-03-28' }, end: { date: '2026-03-31' } },
    exchange: { isAllDayEvent: true, start: '2026-03-27T23:00:00Z', end: '2026-03-30T22:00:00Z' },
    then: { start: '2026-03-28T00:00:00+01:00', end: '2026-03-31T00:00:00+02:00' },
  },
  {
    when: 'an all-day event with ALL_DAY_START_OFFSET_HOURS=8 and ALL_DAY_END_AT_MIDNIGHT=false',
    graph: { isAllDay: true, start: { dateTime: '2026-03-28T00:00:00.0000000', timeZone: 'UTC' }, end: { dateTime: '2026-03-30T00:00:00.0000000', timeZone: 'UTC' } },
    google: { start: { date: '2026-03-28' }, end: { date: '2026-03-30' } },
    exchange: { isAllDayEvent: true, start: '2026-03-27T23:00:00Z', end: '2026-03-29T22:00:00Z' },
    env: { ALL_DAY_START_OFFSET_HOURS: '8', ALL_DAY_END_AT_MIDNIGHT: 'false' },
    then: { start: '2026-03-28T08:00:00+01:00', end: '2026-03-29T23:59:00+02:00' },
  },
  { when: 'a timed event, times carry the mailbox zone’s offset', graph: {}, google: {}, exchange: {}, then: { start: '2026-03-31T10:00:00+02:00', end: '2026-03-31T11:00:00+02:00' } },
  {
    when: 'the event has no duration',
    graph: { end: { dateTime: '2026-03-31T08:00:00.0000000', timeZone: 'UTC' } },
    google: { end: { dateTime: '2026-03-31T10:00:00+02:00' } },
    exchange: { end: '2026-03-31T08:00:00Z' },
    then: 'invalid',
  },
  // §6 Text and flags
  { when: 'the subject has control characters and spaces', graph: { subject: '  Lunch\twith\u0007 Tom\r\n ' }, google: { summary: ' Lunch\twith\u0007 Tom\n' }, exchange: { subject: '\tLunch\twith\u0007 Tom\r\n' }, then: { text: 'Lunch with Tom' } },
  {
    when: 'the subject has format characters (bidirectional overrides, zero-width)',
    graph: { subject: '\u202ELunch\u202C with\u200B Tom\uFEFF', location: { displayName: 'Room\u2066 3\u2069' } },
    google: { summary: 'Lu\u200Dnch\u00AD with Tom\u{E0001}', location: 'Room\u200E 3' },
    exchange: { subject: 'Lunch\u2060 with\u200C Tom\u061C', location: 'Room\u200F 3' },
    env: { TEXT_APPEND_LOCATION: 'true' },
    then: { text: 'Lunch with Tom (Room 3)' },
  },
  { when: 'TEXT_APPEND_LOCATION=true', graph: {}, google: {}, exchange: {}, env: { TEXT_APPEND_LOCATION: 'true' }, then: { text: 'Plan summer company picnic (Conf Room 3)' } },
  { when: 'TEXT_APPEND_LOCATION=true and no location', graph: { location: { displayName: '' } }, google: { location: undefined }, exchange: { location: undefined }, env: { TEXT_APPEND_LOCATION: 'true' }, then: { text: 'Plan summer company picnic' } },
  { when: 'the text is longer than CMG_TEXT_MAX', graph: { subject: 'Plan summer picnic' }, google: { summary: 'Plan summer picnic' }, exchange: { subject: 'Plan summer picnic' }, env: { CMG_TEXT_MAX: '11' }, then: { text: 'Plan summer' } },
  { when: 'the cut falls inside a surrogate pair', graph: { subject: 'Party 🎉🎉' }, google: { summary: 'Party 🎉🎉' }, exchange: { subject: 'Party 🎉🎉' }, env: { CMG_TEXT_MAX: '8' }, then: { text: 'Party 🎉' } },
  { when: 'an online meeting and CMG_IN_CONFERENCE=true', graph: { isOnlineMeeting: true }, google: { conferenceData: { conferenceId: 'abc-defg-hij' } }, exchange: { isOnlineMeeting: true }, env: { CMG_IN_CONFERENCE: 'true' }, then: { inConference: true } },
  { when: 'an online meeting and CMG_IN_CONFERENCE=false', graph: { isOnlineMeeting: true }, google: { conferenceData: { conferenceId: 'abc-defg-hij' } }, exchange: { isOnlineMeeting: true }, then: { inConference: false } },
];

const NORMALISE = {
  graph: (raw: Record<string, unknown>) => normalizeGraphEvent(raw),
  google: (raw: Record<string, unknown>) => normalizeGoogleEvent(raw),
  // The mailbox's zone and address, as the Exchange provider passes them.
  exchange: (raw: ExchangeCalendarItem) => normalizeExchangeEvent(raw, 'Europe/Stockholm', 'sam@example.com'),
} as const;

describe('mapping rules (MAPPING.md §1–6)', () => {
  for (const provider of ['graph', 'google', 'exchange'] as const) {
    for (const row of ROWS) {
      const overrides = row[provider];
      if (overrides === undefined) continue;
      const expected = typeof row.then === 'string' ? `skipped as ${row.then}` : JSON.stringify(row.then);
      it(`${provider}: when ${row.when}, then ${expected}`, () => {
        const normalised =
          provider === 'exchange' ? NORMALISE.exchange(exchangeItem(row.exchange)) : provider === 'graph' ? NORMALISE.graph(graphEvent(overrides)) : NORMALISE.google(googleEvent(overrides));
        const ctx = contextWith({ env: row.env, mailbox: { provider, forwardByDefault: row.forwardByDefault ?? false } });
        if (normalised.kind === 'removed') {
          // Google: a cancelled entry is a removal by id whatever it carries (normalize-google-event.ts).
          const mapped = mapCalendar([normalised], ctx);
          expect(mapped.activities).toEqual([]);
          expect(mapped.skipped).toEqual([{ eventId: normalised.id, reason: row.then }]);
          return;
        }
        const result = mapEvent(eventOf(normalised), ctx);
        if (typeof row.then === 'string') {
          expect(result).toMatchObject({ kind: 'skipped', skipped: { reason: row.then } });
        } else {
          expect(result.kind).toBe('activity');
          if (result.kind === 'activity') expect(result.activity).toMatchObject({ sign: 'Calendar', ...row.then });
        }
      });
    }
  }
});

describe('activity fields', () => {
  it('when CMG_SIGN is set, then every activity carries it', () => {
    const result = mapEvent(eventOf(normalizeGraphEvent(graphEvent())), contextWith({ env: { CMG_SIGN: 'Outlook' } }));
    expect(result).toMatchObject({ kind: 'activity', activity: { sign: 'Outlook', source: { provider: 'graph', eventId: 'AAMkAGIAAAoZDOFAAA=' } } });
  });

  it('when an event maps, then its externalId is URL-safe and at most 64 characters', () => {
    const result = mapEvent(eventOf(normalizeGraphEvent(graphEvent({ id: 'A'.repeat(400) }))), contextWith());
    expect(result.kind === 'activity' && result.activity.externalId).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });
});
