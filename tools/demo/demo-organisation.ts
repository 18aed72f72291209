/**
 * The demo organisation: people over two mail domains (Microsoft 365 and Google Workspace) with
 * realistic working days — recurring stand-ups, private appointments, all-day holidays, declined and
 * cancelled meetings, out-of-office — described once, provider-neutrally. The days are the coming
 * working days in each person's zone, from `now` forward, so the sync window holds the whole demo
 * whatever the weekday or hour (a week that began on Monday lies mostly behind the window on a
 * Sunday). seed-emulators.ts
 * writes it into the Graph, Google and CMG emulators; the dev host, the end-to-end tests and
 * the benchmarks share it. Deterministic for a given `now`.
 */
import { addDays, zonedTimeToInstant } from '../../shared/domain/time-zone.js';

export const DEMO_GRAPH_DOMAIN = 'contoso.com';
export const DEMO_GOOGLE_DOMAIN = 'northwind.example';
/** The on-premises Exchange Server's mail domain, its mailboxes in Paris. */
export const DEMO_EXCHANGE_DOMAIN = 'fabrikam.example';
export const DEMO_EXCHANGE_ZONE = 'Europe/Paris';

export interface DemoPerson {
  /** CMG user id. */
  readonly key: string;
  readonly name: string;
  readonly address: string;
  readonly provider: 'graph' | 'google' | 'exchange';
  readonly timeZone: string;
  readonly language: string;
  readonly forwardByDefault: boolean;
}

export interface DemoEvent {
  readonly id: string;
  readonly subject: string;
  readonly location?: string;
  readonly categories?: readonly string[];
  /** UTC instants; for all-day events see `allDay`. */
  readonly start: string;
  readonly end: string;
  /** Local dates, end exclusive. */
  readonly allDay?: { readonly startDate: string; readonly endDate: string };
  readonly showAs?: 'busy' | 'free' | 'tentative' | 'oof' | 'workingElsewhere';
  readonly private?: boolean;
  readonly declined?: boolean;
  readonly cancelled?: boolean;
  readonly online?: boolean;
  readonly focusTime?: boolean;
  readonly recurrence?: { readonly type: 'daily' | 'weekly'; readonly count: number };
}

export type DemoAutomaticReplies = { readonly status: 'scheduled'; readonly start: string; readonly end: string } | { readonly status: 'alwaysEnabled' };

/** CMG users that are not plain mailboxes: they exercise the roster's reports. */
export interface DemoCmgOnlyUser {
  readonly key: string;
  readonly email: string | null;
  readonly calendarSync: boolean;
}

export interface DemoOrganisation {
  readonly people: readonly DemoPerson[];
  readonly events: Readonly<Record<string, readonly DemoEvent[]>>;
  readonly automaticReplies: Readonly<Record<string, DemoAutomaticReplies>>;
  readonly otherCmgUsers: readonly DemoCmgOnlyUser[];
  /** Mapping settings that fit the emulator's default CMG codes. */
  readonly settings: Readonly<Record<string, string>>;
  /** Exchange mailboxes left outside the service account's impersonation scope (refused, never synced). */
  readonly impersonationDenied?: readonly string[];
}

const FIRST = ['Anna', 'Björn', 'Clara', 'David', 'Elin', 'Farid', 'Greta', 'Hugo', 'Ines', 'Johan', 'Karin', 'Lars', 'Maja', 'Nils', 'Olga', 'Per', 'Rut', 'Sven', 'Tove', 'Ulf', 'Vera', 'Wilma', 'Axel', 'Ebba'];
const LAST = ['Andersson', 'Berg', 'Carlsson', 'Dahl', 'Ek', 'Fors', 'Gustafsson', 'Holm', 'Isaksson', 'Jansson', 'Karlsson', 'Lind'];

export const DEMO_SETTINGS: Readonly<Record<string, string>> = {
  OOF_CODE: '13',
  DEFAULT_CODE: '30',
  CATEGORY_CODES: JSON.stringify({ Vacation: '20', Holiday: '20' }),
  CODE_ALIASES: JSON.stringify({ Trip: '14', Travel: '14', Lunch: '12' }),
  CMG_IN_CONFERENCE: 'true',
};

/** `exchangeUsers`: mailboxes on an on-premises Exchange Server, none by default (`npm start` asks for ten). */
export function demoOrganisation(options: { now: Date; graphUsers?: number; googleUsers?: number; exchangeUsers?: number }): DemoOrganisation {
  const graphUsers = options.graphUsers ?? 24;
  const googleUsers = options.googleUsers ?? 20;
  const exchangeUsers = options.exchangeUsers ?? 0;
  const people: DemoPerson[] = [];
  for (let i = 0; i < graphUsers + googleUsers + exchangeUsers; i += 1) {
    const exchange = i >= graphUsers + googleUsers;
    const google = !exchange && i >= graphUsers;
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[Math.floor(i / FIRST.length + i) % LAST.length]!;
    const local = `${first}.${last}${i >= FIRST.length ? i : ''}`.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    people.push({
      key: String(1001 + i),
      name: `${first} ${last}`,
      address: `${local}@${exchange ? DEMO_EXCHANGE_DOMAIN : google ? DEMO_GOOGLE_DOMAIN : DEMO_GRAPH_DOMAIN}`,
      provider: exchange ? 'exchange' : google ? 'google' : 'graph',
      timeZone: exchange ? DEMO_EXCHANGE_ZONE : google ? (i % 2 === 0 ? 'Europe/Berlin' : 'America/New_York') : 'Europe/Stockholm',
      language: i % 3 === 0 ? 'sv' : 'en',
      forwardByDefault: i % 2 === 0,
    });
  }

  const events: Record<string, DemoEvent[]> = {};
  const automaticReplies: Record<string, DemoAutomaticReplies> = {};
  people.forEach((person, i) => {
    const days = comingWorkingDays(options.now, person.timeZone, 6);
    const day = (n: number): string => days[n]!;
    const instant = (date: string, hh: number, mm = 0): string => new Date(zonedTimeToInstant(date, hh, mm, person.timeZone)).toISOString();
    const at = (n: number, hh: number, mm = 0): string => instant(day(n), hh, mm);
    const id = (name: string): string => `${person.key}-${name}`;
    const list: DemoEvent[] = [
      { id: id('standup'), subject: 'Daily stand-up', start: at(0, 9), end: at(0, 9, 15), online: true, recurrence: { type: 'daily', count: 5 } },
      { id: id('customer-call'), subject: 'Customer call', start: at(0, 13), end: at(0, 13, 30), online: true, location: 'Teams' },
      { id: id('budget'), subject: 'Budget sync', start: at(0, 16), end: at(0, 16, 30), declined: true },
      { id: id('design'), subject: 'Meeting with the design team', start: at(1, 14), end: at(1, 15), location: 'Room Ada', categories: ['Meeting'] },
      { id: id('lunch'), subject: 'Lunch with Tom', start: at(2, 12), end: at(2, 13), location: 'Café Linné' },
      { id: id('coffee'), subject: 'Optional: coffee', start: at(2, 10), end: at(2, 10, 15), showAs: 'free' },
      { id: id('vendor'), subject: 'Vendor demo', start: at(2, 15), end: at(2, 16), showAs: 'tentative' },
      { id: id('dentist'), subject: 'Dentist appointment', start: at(3, 8), end: at(3, 9), location: 'Smile Clinic', private: true },
      { id: id('all-hands'), subject: 'All-hands', start: at(4, 10), end: at(4, 11), cancelled: true },
      { id: id('quick-sync'), subject: '#Quick sync', start: at(4, 15), end: at(4, 15, 15) },
    ];
    if (i % 4 === 1) list.push({ id: id('trip'), subject: '*Trip to the Oslo office', start: at(1, 7), end: at(1, 10) });
    if (i % 5 === 0) {
      list.push({ id: id('vacation'), subject: 'Vacation', categories: ['Vacation'], start: at(3, 0), end: at(5, 0), allDay: { startDate: day(3), endDate: day(5) } });
    }
    if (person.provider === 'google') {
      list.push({ id: id('focus'), subject: 'Focus time', start: at(0, 10), end: at(0, 12), focusTime: true });
      list.push({ id: id('home'), subject: 'Home', start: at(2, 0), end: instant(addDays(day(2), 1), 0), allDay: { startDate: day(2), endDate: addDays(day(2), 1) }, showAs: 'workingElsewhere' });
      if (i % 7 === 3) list.push({ id: id('ooo'), subject: 'Out of office', start: at(3, 0), end: at(5, 0), showAs: 'oof' });
    } else if (i % 7 === 3) {
      automaticReplies[person.key] = { status: 'scheduled', start: at(3, 0), end: at(5, 0) };
    } else if (i === 10) {
      automaticReplies[person.key] = { status: 'alwaysEnabled' };
    }
    events[person.key] = list;
  });

  const otherCmgUsers: DemoCmgOnlyUser[] = [
    { key: '2001', email: null, calendarSync: true },
    { key: '2002', email: `reception@${DEMO_GRAPH_DOMAIN}`, calendarSync: false },
    { key: '2003', email: 'guest@partner.org', calendarSync: true },
    // Shares an address with the first Graph user: reported as multi-address, both synced.
    { key: '2004', email: people[0]!.address, calendarSync: true },
  ];
  // The last Exchange mailbox: its owner was left out of the management scope.
  const exchangePeople = people.filter((p) => p.provider === 'exchange');
  const impersonationDenied = exchangePeople.length > 1 ? [exchangePeople[exchangePeople.length - 1]!.key] : [];
  return { people, events, automaticReplies, otherCmgUsers, settings: DEMO_SETTINGS, impersonationDenied };
}

/**
 * The first `count` working days (Monday to Friday) in the zone, as local dates, from the local
 * date of `now` on (today included when it is a working day: the window reaches back a day).
 */
export function comingWorkingDays(now: Date, timeZone: string, count: number): string[] {
  const local = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  const days: string[] = [];
  for (let date = local; days.length < count; date = addDays(date, 1)) {
    const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
    if (weekday !== 0 && weekday !== 6) days.push(date);
  }
  return days;
}
