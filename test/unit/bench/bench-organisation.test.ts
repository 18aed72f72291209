import { describe, expect, it } from 'vitest';
import { benchOrganisation, benchRoster } from '../../../bench/support/bench-organisation.js';

describe('the bench organisation', () => {
  const now = new Date('2026-11-30T09:17:00Z');
  const org = benchOrganisation({ now, mailboxes: 6, eventsPerPerson: 30 });
  const roster = benchRoster({ mailboxes: 6, eventsPerPerson: 30 });

  it('when the roster is built without the events, then it has the same people, settings and event count as the organisation', () => {
    expect(roster.people).toEqual(org.people);
    expect(roster.settings).toEqual(org.settings);
    expect(roster.eventCount).toBe(Object.values(org.events).reduce((n, list) => n + list.length, 0));
  });

  it("when a bench asks for a person's plain events, then they are exactly the busy, non-private ones the emulators hold", () => {
    for (const person of org.people) {
      const shown = org.events[person.key]!.filter((e) => !e.private && !e.declined && e.showAs !== 'free').map((e) => e.id);
      expect(roster.plainEventIds(person.key)).toEqual(shown);
      expect(shown.length).toBeGreaterThan(0);
    }
  });
});
