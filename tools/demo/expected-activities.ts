/**
 * The test oracle: what CMG should hold for a demo person, worked out from the demo
 * organisation's description with MAPPING.md's rules written out plainly for the demo's
 * settings (DEMO_SETTINGS) — independent of the mapping code under test.
 */
import { addDays, zonedTimeToInstant } from '../../shared/domain/time-zone.js';
import type { CalendarWindow } from '../../shared/domain/calendar-window.js';
import type { DemoEvent, DemoOrganisation, DemoPerson } from './demo-organisation.js';

export interface ExpectedActivity {
  readonly code: string;
  readonly text: string;
  readonly forward: boolean;
  readonly start: number;
  readonly end: number;
}

const DESCRIPTIONS: Record<string, Record<string, string>> = {
  en: { Meeting: '11', Lunch: '12', 'Out of office': '13', 'Business trip': '14', Vacation: '20', Sick: '21', Busy: '30' },
  sv: { Möte: '11', Lunch: '12', 'Ej på kontoret': '13', Tjänsteresa: '14', Semester: '20', Sjuk: '21', Upptagen: '30' },
};
const CATEGORY_CODES: Record<string, string> = { vacation: '20', holiday: '20' };
const ALIASES: Record<string, string> = { trip: '14', travel: '14', lunch: '12' };
const OOF = '13';
const DEFAULT = '30';

function codeFor(event: DemoEvent, subject: string, person: DemoPerson): string {
  if (event.showAs === 'oof') return OOF;
  const descriptions = DESCRIPTIONS[person.language] ?? {};
  // Google events have no categories.
  const categories = person.provider !== 'google' ? (event.categories ?? []) : [];
  for (const category of categories) {
    const c = category.trim().toLowerCase();
    if (CATEGORY_CODES[c]) return CATEGORY_CODES[c];
  }
  for (const category of categories) {
    const c = category.trim().toLowerCase();
    if (ALIASES[c]) return ALIASES[c];
    const hit = Object.entries(descriptions).find(([d]) => d.toLowerCase() === c);
    if (hit) return hit[1];
  }
  const words = subject.toLowerCase();
  const candidates = [...Object.entries(ALIASES), ...Object.entries(descriptions).map(([d, code]) => [d.toLowerCase(), code] as const)]
    .filter(([name]) => words === name || words.startsWith(`${name} `))
    .sort((a, b) => b[0].length - a[0].length);
  return candidates[0]?.[1] ?? DEFAULT;
}

function occurrences(event: DemoEvent, person: DemoPerson): Array<{ start: number; end: number }> {
  if (event.allDay) {
    return [{ start: zonedTimeToInstant(event.allDay.startDate, 0, 0, person.timeZone), end: zonedTimeToInstant(event.allDay.endDate, 0, 0, person.timeZone) }];
  }
  const count = event.recurrence?.count ?? 1;
  const step = event.recurrence?.type === 'weekly' ? 7 : 1;
  const local = (iso: string) => {
    const parts = new Intl.DateTimeFormat('en-CA', { timeZone: person.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(Date.parse(iso));
    const get = (t: string) => parts.find((p) => p.type === t)!.value;
    return { date: `${get('year')}-${get('month')}-${get('day')}`, hour: Number(get('hour')), minute: Number(get('minute')) };
  };
  const s = local(event.start);
  const e = local(event.end);
  return Array.from({ length: count }, (_, i) => ({
    start: zonedTimeToInstant(addDays(s.date, i * step), s.hour, s.minute, person.timeZone),
    end: zonedTimeToInstant(addDays(e.date, i * step), e.hour, e.minute, person.timeZone),
  }));
}

export function expectedActivities(org: DemoOrganisation, person: DemoPerson, window: CalendarWindow, automaticRepliesSince?: number): ExpectedActivity[] {
  const windowStart = Date.parse(window.start);
  const windowEnd = Date.parse(window.end);
  const out: ExpectedActivity[] = [];
  for (const event of org.events[person.key] ?? []) {
    if (event.cancelled || event.declined || event.showAs === 'free' || event.showAs === 'workingElsewhere') continue;
    let subject = event.subject;
    let forward = person.forwardByDefault;
    if (subject.startsWith('*')) [subject, forward] = [subject.slice(1).trim(), true];
    else if (subject.startsWith('#')) [subject, forward] = [subject.slice(1).trim(), false];
    const code = codeFor(event, subject, person);
    const text = event.private ? 'Private appointment' : subject;
    for (const o of occurrences(event, person)) {
      if (o.end <= windowStart || o.start >= windowEnd) continue;
      out.push({ code, text, forward, ...o });
    }
  }
  const replies = org.automaticReplies[person.key];
  if (replies?.status === 'scheduled') out.push({ code: OOF, text: '', forward: person.forwardByDefault, start: Date.parse(replies.start), end: Date.parse(replies.end) });
  if (replies?.status === 'alwaysEnabled') out.push({ code: OOF, text: '', forward: person.forwardByDefault, start: automaticRepliesSince ?? windowStart, end: windowEnd });
  return sortActivities(out);
}

export function sortActivities<T extends ExpectedActivity>(list: T[]): T[] {
  return list.sort((a, b) => a.start - b.start || a.end - b.end || a.code.localeCompare(b.code) || a.text.localeCompare(b.text));
}
