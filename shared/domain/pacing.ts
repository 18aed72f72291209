/**
 * When provider requests may happen (MAPPING.md 8): the calendar spread of scheduled jobs over
 * an interval, and the subscribe-off (quiet) period during which no request goes to a
 * calendar provider and work is deferred to its end.
 */
import { createHash } from 'node:crypto';

export interface QuietPeriod {
  /** Minutes after local midnight. */
  readonly start: number;
  readonly end: number;
  readonly timeZone: string;
}

/** Start of the interval that contains `now` (intervals are aligned to the Unix epoch). */
export const intervalStart = (now: number, intervalMs: number): number => Math.floor(now / intervalMs) * intervalMs;

/** A stable offset in [0, interval) for a mailbox, so a sweep is a steady rate, not a spike. */
export function spreadOffsetMs(mailboxKey: string, intervalMs: number): number {
  const digest = createHash('sha256').update(mailboxKey).digest();
  return Math.floor((digest.readUInt32BE(0) / 2 ** 32) * intervalMs);
}

const minuteFormatters = new Map<string, Intl.DateTimeFormat>();

function localMinuteOfDay(instant: number, timeZone: string): number {
  let formatter = minuteFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    minuteFormatters.set(timeZone, formatter);
  }
  const parts = formatter.formatToParts(instant);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value);
  return hour * 60 + minute;
}

/** Inside the quiet period? A period may wrap past midnight (22:00–05:00); start = end means none. */
export function isQuiet(instant: number, quiet: QuietPeriod | undefined): boolean {
  if (!quiet || quiet.start === quiet.end) return false;
  const m = localMinuteOfDay(instant, quiet.timeZone);
  return quiet.start < quiet.end ? m >= quiet.start && m < quiet.end : m >= quiet.start || m < quiet.end;
}

/** The first instant at or after `instant` outside the quiet period (the instant itself when not quiet). */
export function quietPeriodEnd(instant: number, quiet: QuietPeriod | undefined): number {
  if (!isQuiet(instant, quiet)) return instant;
  const m = localMinuteOfDay(instant, quiet!.timeZone);
  const minutesLeft = (quiet!.end - m + 1440) % 1440;
  // Start of the current minute plus the minutes left in local time. A daylight-saving change
  // inside the period makes that an hour early or late: step on, then back to the first minute.
  let candidate = instant - (instant % 60_000) + minutesLeft * 60_000;
  while (isQuiet(candidate, quiet)) candidate += 15 * 60_000;
  while (candidate - 60_000 > instant && !isQuiet(candidate - 60_000, quiet)) candidate -= 60_000;
  return candidate;
}
