/**
 * Keeps the demo alive: every minute a few people's calendars change in the emulators (a lunch
 * renamed, a meeting moved, one added, one cancelled), so push notifications, jobs and CMG
 * updates can be watched happening.
 */
import { googleEvent, googleEventId } from '../demo/seed-emulators.js';
import type { DemoPerson } from '../demo/demo-organisation.js';
import type { LocalEnvironment } from '../local-env/local-environment.js';

const NAMES = ['Maria', 'Tom', 'Sara', 'Omar', 'Lena', 'Kim', 'Jonas', 'Aiko'];

export function startDemoChanges(env: LocalEnvironment, say: (text: string) => void, everyMs = 60_000): () => void {
  let round = 0;
  const change = (person: DemoPerson, kind: number): string => {
    const name = NAMES[(round + kind) % NAMES.length]!;
    const graphId = (demoId: string) => env.graphEventIds.get(`${person.key}-${demoId}`);
    switch (kind % 4) {
      case 0: {
        const subject = `Lunch with ${name}`;
        if (person.provider === 'graph') env.graph.control.updateEvent(person.address, graphId('lunch')!, { subject });
        else env.google.control.patchEvent(person.address, googleEventId(`${person.key}-lunch`), { summary: subject });
        return `lunch is now "${subject}"`;
      }
      case 1: {
        const start = new Date(Math.ceil(env.deps.now().getTime() / 3_600_000) * 3_600_000 + 3_600_000);
        const event = { id: `${person.key}-demo-${round}`, subject: `Meeting with ${name}`, start: start.toISOString(), end: new Date(start.getTime() + 45 * 60_000).toISOString() };
        if (person.provider === 'graph') env.graph.control.addEvent(person.address, { subject: event.subject, start: event.start, end: event.end, showAs: 'busy' });
        else env.google.control.putEvent(person.address, googleEvent(person, event));
        return `new "${event.subject}" at ${start.toISOString().slice(11, 16)} UTC`;
      }
      case 2: {
        if (person.provider === 'graph') env.graph.control.deleteEvent(person.address, graphId('vendor')!);
        else env.google.control.deleteEvent(person.address, googleEventId(`${person.key}-vendor`));
        return 'cancelled "Vendor demo"';
      }
      default: {
        const subject = '*Trip to the Oslo office';
        const start = new Date(Math.ceil(env.deps.now().getTime() / 86_400_000) * 86_400_000 + 7 * 3_600_000);
        const event = { id: `${person.key}-trip-${round}`, subject, start: start.toISOString(), end: new Date(start.getTime() + 3 * 3_600_000).toISOString() };
        if (person.provider === 'graph') env.graph.control.addEvent(person.address, { subject, start: event.start, end: event.end, showAs: 'oof' });
        else env.google.control.putEvent(person.address, googleEvent(person, event));
        return `new "${subject}" tomorrow (forwarded)`;
      }
    }
  };
  const timer = setInterval(() => {
    round += 1;
    for (let i = 0; i < 3; i += 1) {
      // Graph and Google people: the Exchange mailboxes keep their seeded week.
      const people = env.org.people.filter((p) => p.provider !== 'exchange');
      const person = people[(round * 3 + i * 7) % people.length]!;
      try {
        say(`${person.address}: ${change(person, round + i)}`);
      } catch (error) {
        say(`${person.address}: change skipped (${error instanceof Error ? error.message : String(error)})`);
      }
    }
  }, everyMs);
  return () => clearInterval(timer);
}
