/**
 * Recurrence patterns and ranges as EWS defines them (MS:recurrence-patterns-and-ews.md), expanded
 * at the organiser's wall clock: a 09:00 weekly meeting stays 09:00 in the zone it was created in on
 * both sides of a DST change, so its UTC instant moves by an hour (exchangelib #291 is the field
 * report of getting this wrong).
 */
import { addDays, localOf, localToInstant } from '../google/zoned-time.js';

export type DayOfWeek = 'Sunday' | 'Monday' | 'Tuesday' | 'Wednesday' | 'Thursday' | 'Friday' | 'Saturday';
export const DAYS: readonly DayOfWeek[] = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
export type DayOfWeekIndex = 'First' | 'Second' | 'Third' | 'Fourth' | 'Last';

export type RecurrencePattern =
  | { readonly type: 'daily'; readonly interval: number }
  /** WeeklyRecurrence: DaysOfWeek, FirstDayOfWeek (Sunday unless given). */
  | { readonly type: 'weekly'; readonly interval: number; readonly days: readonly DayOfWeek[]; readonly firstDayOfWeek?: DayOfWeek }
  | { readonly type: 'absoluteMonthly'; readonly interval: number; readonly dayOfMonth: number }
  | { readonly type: 'relativeMonthly'; readonly interval: number; readonly dayOfWeek: DayOfWeek; readonly index: DayOfWeekIndex }
  | { readonly type: 'absoluteYearly'; readonly month: number; readonly dayOfMonth: number };

export type RecurrenceRange =
  | { readonly type: 'noEnd' }
  /** EndDateRecurrence: the last date an occurrence may start on, in the organiser's zone. */
  | { readonly type: 'endDate'; readonly endDate: string }
  | { readonly type: 'numbered'; readonly count: number };

export interface Recurrence {
  readonly pattern: RecurrencePattern;
  readonly range: RecurrenceRange;
}

export interface SeriesTiming {
  readonly startMs: number;
  readonly endMs: number;
  /** IANA zone whose wall clock the series keeps. */
  readonly zone: string;
  readonly isAllDay: boolean;
  readonly recurrence: Recurrence;
}

export interface Occurrence {
  /** 1-based, as OccurrenceItemId/InstanceIndex counts (deleted occurrences keep their number). */
  readonly index: number;
  readonly startMs: number;
  readonly endMs: number;
}

// No series in a test needs more; stops a bad pattern from spinning.
const MAX_STEPS = 200_000;

/**
 * Occurrences in pattern order whose original start is before `untilMs` (the range may stop them
 * sooner). Deleted and modified occurrences are the caller's business: they keep their index here.
 */
export function expandSeries(series: SeriesTiming, untilMs: number, maxCount = Number.MAX_SAFE_INTEGER): Occurrence[] {
  const startLocal = localOf(series.startMs, series.zone);
  const firstDate = startLocal.slice(0, 10);
  const time = startLocal.slice(11);
  const dayCount = series.isAllDay ? Math.max(1, Math.round((Date.parse(`${localOf(series.endMs, series.zone).slice(0, 10)}T00:00:00Z`) - Date.parse(`${firstDate}T00:00:00Z`)) / 86_400_000)) : 0;
  const duration = series.endMs - series.startMs;
  const { range } = series.recurrence;
  const out: Occurrence[] = [];
  let steps = 0;
  for (const date of candidateDates(series.recurrence.pattern, firstDate)) {
    if (++steps > MAX_STEPS) break;
    if (range.type === 'endDate' && date > range.endDate) break;
    if (range.type === 'numbered' && out.length >= range.count) break;
    if (out.length >= maxCount) break;
    const startMs = localToInstant(`${date}T${time}`, series.zone);
    if (startMs >= untilMs) break;
    // All-day occurrences end at local midnight, whatever the day's length.
    const endMs = series.isAllDay ? localToInstant(`${addDays(date, dayCount)}T00:00:00`, series.zone) : startMs + duration;
    out.push({ index: out.length + 1, startMs, endMs });
  }
  return out;
}

/** Dates (YYYY-MM-DD) the pattern yields on or after the series' first date, in order, without end. */
function* candidateDates(pattern: RecurrencePattern, firstDate: string): Generator<string> {
  const [year, month] = [Number(firstDate.slice(0, 4)), Number(firstDate.slice(5, 7))];
  switch (pattern.type) {
    case 'daily':
      for (let k = 0; ; k += Math.max(1, pattern.interval)) yield addDays(firstDate, k);
    case 'weekly': {
      const first = DAYS.indexOf(pattern.firstDayOfWeek ?? 'Sunday');
      const weekStart = addDays(firstDate, -((weekday(firstDate) - first + 7) % 7));
      const offsets = pattern.days.map((d) => (DAYS.indexOf(d) - first + 7) % 7).sort((a, b) => a - b);
      if (offsets.length === 0) return;
      for (let w = 0; ; w += Math.max(1, pattern.interval)) {
        for (const offset of offsets) {
          const date = addDays(weekStart, w * 7 + offset);
          if (date >= firstDate) yield date;
        }
      }
    }
    case 'absoluteMonthly':
      for (let m = 0; ; m += Math.max(1, pattern.interval)) {
        const date = dayInMonth(year, month + m, pattern.dayOfMonth);
        if (date >= firstDate) yield date;
      }
    case 'relativeMonthly':
      for (let m = 0; ; m += Math.max(1, pattern.interval)) {
        const date = nthWeekday(year, month + m, pattern.dayOfWeek, pattern.index);
        if (date >= firstDate) yield date;
      }
    case 'absoluteYearly':
      for (let y = year; ; y += 1) {
        const date = dayInMonth(y, pattern.month, pattern.dayOfMonth);
        if (date >= firstDate) yield date;
      }
  }
}

export function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

function monthStart(year: number, month: number): Date {
  return new Date(Date.UTC(year, month - 1, 1));
}

/** Day N of a month, or its last day when the month is shorter (day 31 in April is 30 April). */
function dayInMonth(year: number, month: number, day: number): string {
  const start = monthStart(year, month);
  const last = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), Math.min(day, last))).toISOString().slice(0, 10);
}

function nthWeekday(year: number, month: number, day: DayOfWeek, index: DayOfWeekIndex): string {
  const start = monthStart(year, month);
  const y = start.getUTCFullYear();
  const m = start.getUTCMonth();
  const target = DAYS.indexOf(day);
  if (index === 'Last') {
    const last = new Date(Date.UTC(y, m + 1, 0));
    const back = (last.getUTCDay() - target + 7) % 7;
    return new Date(Date.UTC(y, m + 1, -back)).toISOString().slice(0, 10);
  }
  const n = ['First', 'Second', 'Third', 'Fourth'].indexOf(index);
  const forward = (target - start.getUTCDay() + 7) % 7;
  return new Date(Date.UTC(y, m, 1 + forward + n * 7)).toISOString().slice(0, 10);
}
