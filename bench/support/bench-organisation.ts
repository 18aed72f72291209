/**
 * A big organisation in the demo's `DemoOrganisation` shape for the end-to-end benchmarks:
 * `mailboxes` people, half on Microsoft 365 (contoso.com) and half on Google Workspace
 * (northwind.example), `eventsPerPerson` single events each, spread over the next days of the
 * default window (24 h back, 14 days ahead). A few of every ten events are ones the mapping
 * skips (free, declined) or masks (private), so the counts are realistic, not one-to-one.
 * Deterministic for a given `now`; seeded by the same seed-emulators.ts as the demo.
 */
import { DEMO_GOOGLE_DOMAIN, DEMO_GRAPH_DOMAIN, DEMO_SETTINGS, type DemoEvent, type DemoOrganisation, type DemoPerson } from '../../tools/demo/demo-organisation.js';

const HOUR = 3_600_000;

export interface BenchOrganisation extends DemoOrganisation {
  /** Per person, the events whose subject shows in the CMG text (busy, not private): safe to rename and find again. */
  readonly plainEvents: Readonly<Record<string, readonly DemoEvent[]>>;
}

export function benchOrganisation(options: { now: Date; mailboxes: number; eventsPerPerson?: number }): BenchOrganisation {
  const eventsPerPerson = options.eventsPerPerson ?? 30;
  // 13 days of room for the events, starting at the next whole hour.
  const first = Math.ceil(options.now.getTime() / HOUR) * HOUR + HOUR;
  const step = Math.max(1, Math.floor((13 * 24) / eventsPerPerson)) * HOUR;
  const people: DemoPerson[] = [];
  const events: Record<string, DemoEvent[]> = {};
  const plainEvents: Record<string, DemoEvent[]> = {};
  for (let i = 0; i < options.mailboxes; i += 1) {
    const google = i % 2 === 1;
    const person: DemoPerson = {
      key: String(100_000 + i),
      name: `Bench User ${i}`,
      address: `bench.user${i}@${google ? DEMO_GOOGLE_DOMAIN : DEMO_GRAPH_DOMAIN}`,
      provider: google ? 'google' : 'graph',
      timeZone: google ? 'Europe/Berlin' : 'Europe/Stockholm',
      language: i % 3 === 0 ? 'sv' : 'en',
      forwardByDefault: i % 2 === 0,
    };
    people.push(person);
    const list: DemoEvent[] = [];
    const plain: DemoEvent[] = [];
    for (let e = 0; e < eventsPerPerson; e += 1) {
      const start = first + e * step;
      const base = { id: `${person.key}-e${e}`, subject: `Meeting ${e} of ${person.key}`, start: new Date(start).toISOString(), end: new Date(start + HOUR).toISOString() };
      let event: DemoEvent;
      switch (e % 10) {
        case 3:
          event = { ...base, private: true, location: 'Clinic' };
          break;
        case 6:
          event = { ...base, showAs: 'free' };
          break;
        case 8:
          event = { ...base, declined: true };
          break;
        case 9:
          event = { ...base, online: true, location: 'Teams', categories: ['Meeting'] };
          plain.push(event);
          break;
        default:
          event = { ...base, location: `Room ${e}` };
          plain.push(event);
      }
      list.push(event);
    }
    events[person.key] = list;
    plainEvents[person.key] = plain;
  }
  return { people, events, plainEvents, automaticReplies: {}, otherCmgUsers: [], settings: DEMO_SETTINGS };
}
