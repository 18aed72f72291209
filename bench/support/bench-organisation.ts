/**
 * A big organisation in the demo's `DemoOrganisation` shape for the end-to-end benchmarks:
 * `mailboxes` people, half on Microsoft 365 (contoso.com) and half on Google Workspace
 * (northwind.example), `eventsPerPerson` single events each, spread over the next days of the
 * default window (24 h back, 14 days ahead). A few of every ten events are ones the mapping
 * skips (free, declined) or masks (private), so the counts are realistic, not one-to-one.
 * Deterministic for a given `now`; seeded by the same seed-emulators.ts as the demo.
 *
 * Two views of it: the roster (`benchRoster`: the people, the mapping settings and the ids of
 * the events a bench may rename) is all the benchmarks' own process needs; the events
 * themselves (`benchOrganisation`) are built only where the emulators run. At 10,000 mailboxes
 * the events are 300,000 objects, ~170 MB of heap: held in the product's process they would
 * be counted as the product's memory.
 */
import { DEMO_GOOGLE_DOMAIN, DEMO_GRAPH_DOMAIN, DEMO_SETTINGS, type DemoEvent, type DemoOrganisation, type DemoPerson } from '../../tools/demo/demo-organisation.js';

const HOUR = 3_600_000;

/** What an event of the organisation is, by its place among the person's events. */
type EventKind = 'plain' | 'private' | 'free' | 'declined' | 'online';

function eventKind(e: number): EventKind {
  switch (e % 10) {
    case 3:
      return 'private';
    case 6:
      return 'free';
    case 8:
      return 'declined';
    case 9:
      return 'online';
    default:
      return 'plain';
  }
}

/** Events whose subject shows in the CMG text (busy, not private): safe to rename and find again. */
const shownInCmg = (kind: EventKind): boolean => kind === 'plain' || kind === 'online';

const eventId = (personKey: string, e: number): string => `${personKey}-e${e}`;

export interface BenchRoster {
  readonly people: readonly DemoPerson[];
  /** Mapping settings that fit the emulator's default CMG codes. */
  readonly settings: DemoOrganisation['settings'];
  /** Events seeded, over all people. */
  readonly eventCount: number;
  /** The person's events whose subject shows in the CMG text (busy, not private), by id: safe to rename and find again. */
  plainEventIds(personKey: string): readonly string[];
}

export function benchRoster(options: { mailboxes: number; eventsPerPerson?: number }): BenchRoster {
  const eventsPerPerson = options.eventsPerPerson ?? 30;
  const people: DemoPerson[] = [];
  for (let i = 0; i < options.mailboxes; i += 1) {
    const google = i % 2 === 1;
    people.push({
      key: String(100_000 + i),
      name: `Bench User ${i}`,
      address: `bench.user${i}@${google ? DEMO_GOOGLE_DOMAIN : DEMO_GRAPH_DOMAIN}`,
      provider: google ? 'google' : 'graph',
      timeZone: google ? 'Europe/Berlin' : 'Europe/Stockholm',
      language: i % 3 === 0 ? 'sv' : 'en',
      forwardByDefault: i % 2 === 0,
    });
  }
  const plainPlaces = Array.from({ length: eventsPerPerson }, (_, e) => e).filter((e) => shownInCmg(eventKind(e)));
  return {
    people,
    settings: DEMO_SETTINGS,
    eventCount: people.length * eventsPerPerson,
    plainEventIds: (personKey) => plainPlaces.map((e) => eventId(personKey, e)),
  };
}

/** The whole organisation, events included: for the emulators. */
export function benchOrganisation(options: { now: Date; mailboxes: number; eventsPerPerson?: number }): DemoOrganisation {
  const eventsPerPerson = options.eventsPerPerson ?? 30;
  const { people, settings } = benchRoster(options);
  // 13 days of room for the events, starting at the next whole hour.
  const first = Math.ceil(options.now.getTime() / HOUR) * HOUR + HOUR;
  const step = Math.max(1, Math.floor((13 * 24) / eventsPerPerson)) * HOUR;
  const events: Record<string, DemoEvent[]> = {};
  for (const person of people) {
    const list: DemoEvent[] = [];
    for (let e = 0; e < eventsPerPerson; e += 1) {
      const start = first + e * step;
      const base = { id: eventId(person.key, e), subject: `Meeting ${e} of ${person.key}`, start: new Date(start).toISOString(), end: new Date(start + HOUR).toISOString() };
      switch (eventKind(e)) {
        case 'private':
          list.push({ ...base, private: true, location: 'Clinic' });
          break;
        case 'free':
          list.push({ ...base, showAs: 'free' });
          break;
        case 'declined':
          list.push({ ...base, declined: true });
          break;
        case 'online':
          list.push({ ...base, online: true, location: 'Teams', categories: ['Meeting'] });
          break;
        case 'plain':
          list.push({ ...base, location: `Room ${e}` });
      }
    }
    events[person.key] = list;
  }
  return { people, events, automaticReplies: {}, otherCmgUsers: [], settings };
}
