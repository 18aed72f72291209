/**
 * The RRULEs the emulator expands (RFC 5545 §3.3.10, as Google stores them in `recurrence`):
 * FREQ=DAILY, WEEKLY (with BYDAY), MONTHLY (BYDAY with or without an ordinal, or BYMONTHDAY,
 * negative values from the month's end) and YEARLY, with INTERVAL, COUNT, UNTIL and WKST.
 * Anything else (BYSETPOS, BYHOUR, RDATE …) is refused rather than expanded wrongly.
 * https://developers.google.com/calendar/api/concepts/events-calendars#recurring_events
 */
import { addDays } from './zoned-time.js';

export type Frequency = 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';

export interface RecurrenceRule {
  readonly freq: Frequency;
  readonly interval: number;
  readonly count: number | undefined;
  /** Instant (ms); a date-only UNTIL is the end of that UTC day. */
  readonly until: number | undefined;
  /** Weekdays 0 (Sunday) … 6, with the ordinal within the month for MONTHLY (`2TU`, `-1FR`). */
  readonly byDay: ReadonlyArray<{ readonly weekday: number; readonly ordinal: number | undefined }>;
  readonly byMonthDay: readonly number[];
}

const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const KNOWN_PARTS = new Set(['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYDAY', 'BYMONTHDAY', 'WKST']);
// A rule that yields nothing for this many periods is a rule that never yields (e.g. BYMONTHDAY=31 every 2 months from February).
const EMPTY_PERIODS_AT_MOST = 1000;

export function parseRule(recurrence: readonly string[]): RecurrenceRule {
  const rrule = recurrence.find((r) => r.startsWith('RRULE:'));
  const parts = new Map((rrule ?? '').slice(6).split(';').filter((p) => p !== '').map((p) => p.split('=') as [string, string]));
  const unknown = [...parts.keys()].filter((k) => !KNOWN_PARTS.has(k));
  if (unknown.length > 0) throw new Error(`The Google emulator does not expand ${unknown.join(', ')} (in ${rrule ?? 'none'})`);
  const freq = parts.get('FREQ');
  if (freq !== 'DAILY' && freq !== 'WEEKLY' && freq !== 'MONTHLY' && freq !== 'YEARLY') throw new Error(`The Google emulator does not expand ${rrule ?? 'no RRULE'}`);
  const untilRaw = parts.get('UNTIL');
  const until =
    untilRaw === undefined
      ? undefined
      : Date.parse(untilRaw.replace(/^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z)?$/, (_m, y, mo, d, h = '23', mi = '59', s = '59') => `${y}-${mo}-${d}T${h}:${mi}:${s}Z`));
  const byDay = (parts.get('BYDAY') ?? '')
    .split(',')
    .filter((d) => d !== '')
    .map((d) => {
      const m = /^([+-]?\d{1,2})?(SU|MO|TU|WE|TH|FR|SA)$/.exec(d);
      if (!m) throw new Error(`BYDAY=${d} is not a weekday`);
      return { weekday: WEEKDAYS.indexOf(m[2]!), ordinal: m[1] === undefined ? undefined : Number(m[1]) };
    });
  const byMonthDay = (parts.get('BYMONTHDAY') ?? '').split(',').filter((d) => d !== '').map(Number);
  return { freq, interval: Number(parts.get('INTERVAL') ?? 1), count: parts.has('COUNT') ? Number(parts.get('COUNT')) : undefined, until, byDay, byMonthDay };
}

/**
 * The local dates (`YYYY-MM-DD`) the rule yields from `first` (the series' start date, always
 * the first occurrence, as RFC 5545 counts DTSTART), in order, without end: the caller stops at
 * COUNT, UNTIL or its own horizon.
 */
export function* occurrenceDates(rule: RecurrenceRule, first: string): Generator<string> {
  yield first;
  let empty = 0;
  for (let period = 0; empty < EMPTY_PERIODS_AT_MOST; period += 1) {
    const dates = datesOfPeriod(rule, first, period).filter((d) => d > first);
    empty = dates.length === 0 ? empty + 1 : 0;
    yield* dates;
  }
}

function datesOfPeriod(rule: RecurrenceRule, first: string, period: number): string[] {
  const step = period * rule.interval;
  switch (rule.freq) {
    case 'DAILY':
      return [addDays(first, step)];
    case 'WEEKLY': {
      if (rule.byDay.length === 0) return [addDays(first, 7 * step)];
      // Weeks start on Monday (WKST=MO, Google's default).
      const monday = addDays(first, -((weekdayOf(first) + 6) % 7) + 7 * step);
      return rule.byDay.map((d) => addDays(monday, (d.weekday + 6) % 7)).sort();
    }
    case 'MONTHLY': {
      const [y, m] = first.split('-').map(Number) as [number, number];
      const month = m - 1 + step;
      return datesInMonth(rule, y + Math.floor(month / 12), (month % 12) + 1, Number(first.slice(8, 10)));
    }
    case 'YEARLY': {
      const date = `${Number(first.slice(0, 4)) + step}${first.slice(4)}`;
      return isDate(date) ? [date] : [];
    }
  }
}

function datesInMonth(rule: RecurrenceRule, year: number, month: number, dayOfFirst: number): string[] {
  const length = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const dateOf = (day: number): string => `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  const days = new Set<number>();
  for (const d of rule.byMonthDay) {
    const day = d < 0 ? length + 1 + d : d;
    if (day >= 1 && day <= length) days.add(day);
  }
  for (const { weekday, ordinal } of rule.byDay) {
    const matching: number[] = [];
    for (let day = 1; day <= length; day += 1) if (weekdayOf(dateOf(day)) === weekday) matching.push(day);
    if (ordinal === undefined) matching.forEach((day) => days.add(day));
    else {
      const day = ordinal > 0 ? matching[ordinal - 1] : matching[matching.length + ordinal];
      if (day !== undefined) days.add(day);
    }
  }
  // Neither BYDAY nor BYMONTHDAY: the series' own day of the month, skipped where the month is shorter.
  if (rule.byDay.length === 0 && rule.byMonthDay.length === 0 && dayOfFirst <= length) days.add(dayOfFirst);
  return [...days].sort((a, b) => a - b).map(dateOf);
}

function weekdayOf(date: string): number {
  return new Date(`${date}T12:00:00Z`).getUTCDay();
}

function isDate(date: string): boolean {
  const parsed = new Date(`${date}T00:00:00Z`);
  return Number.isFinite(parsed.getTime()) && parsed.toISOString().startsWith(date);
}
