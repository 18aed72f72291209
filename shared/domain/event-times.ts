/** An event's real start and end as instants (MAPPING.md §5). */
import type { EventTiming } from './calendar-event.js';
import type { MappingSettings } from './mapping-settings.js';
import { addDays, zonedTimeToInstant } from './time-zone.js';

export interface EventTimes {
  /** The activity's start and end, epoch milliseconds. */
  readonly start: number;
  readonly end: number;
  /** What the event occupies in the calendar (whole local days for all-day events): tested against the window. */
  readonly extentStart: number;
  readonly extentEnd: number;
}

type TimeSettings = Pick<MappingSettings, 'allDayStartOffsetHours' | 'allDayEndAtMidnight'>;

/** The two decimal digits of `text` at `at` as a number, or -1 when either is not a digit. */
function twoDigits(text: string, at: number): number {
  const high = text.charCodeAt(at) - 0x30;
  const low = text.charCodeAt(at + 1) - 0x30;
  return high >= 0 && high <= 9 && low >= 0 && low <= 9 ? high * 10 + low : -1;
}

/**
 * Date.parse, with a fast path for the `YYYY-MM-DDTHH:mm:ss.sssZ` the normalisers write
 * (Date#toISOString): the fields by hand when each is plainly in range, so the result is the
 * same instant; any other text (other lengths, day 29 to 31, hour 24, …) goes to Date.parse.
 */
export function parseInstant(text: string): number {
  if (
    text.length === 24 &&
    text.charCodeAt(4) === 0x2d && // -
    text.charCodeAt(7) === 0x2d &&
    text.charCodeAt(10) === 0x54 && // T
    text.charCodeAt(13) === 0x3a && // :
    text.charCodeAt(16) === 0x3a &&
    text.charCodeAt(19) === 0x2e && // .
    text.charCodeAt(23) === 0x5a // Z
  ) {
    const century = twoDigits(text, 0);
    const yearOfCentury = twoDigits(text, 2);
    const month = twoDigits(text, 5);
    const day = twoDigits(text, 8);
    const hour = twoDigits(text, 11);
    const minute = twoDigits(text, 14);
    const second = twoDigits(text, 17);
    const centiseconds = twoDigits(text, 20);
    const lastMilli = text.charCodeAt(22) - 0x30;
    if (
      century >= 10 &&
      yearOfCentury >= 0 &&
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= 28 &&
      hour >= 0 &&
      hour <= 23 &&
      minute >= 0 &&
      minute <= 59 &&
      second >= 0 &&
      second <= 59 &&
      centiseconds >= 0 &&
      lastMilli >= 0 &&
      lastMilli <= 9
    ) {
      return Date.UTC(century * 100 + yearOfCentury, month - 1, day, hour, minute, second, centiseconds * 10 + lastMilli);
    }
  }
  return Date.parse(text);
}

export function eventTimes(timing: EventTiming, settings: TimeSettings, timeZone: string): EventTimes {
  if (!timing.allDay) {
    const start = parseInstant(timing.start);
    const end = parseInstant(timing.end);
    return { start, end, extentStart: start, extentEnd: end };
  }
  // Each end is resolved in the zone on its own day, so a daylight-saving change inside the
  // event moves neither: the activity covers whole local days.
  const extentStart = zonedTimeToInstant(timing.startDate, 0, 0, timeZone);
  const extentEnd = zonedTimeToInstant(timing.endDate, 0, 0, timeZone);
  return {
    start: settings.allDayStartOffsetHours === 0 ? extentStart : zonedTimeToInstant(timing.startDate, settings.allDayStartOffsetHours, 0, timeZone),
    end: settings.allDayEndAtMidnight ? extentEnd : zonedTimeToInstant(addDays(timing.endDate, -1), 23, 59, timeZone),
    extentStart,
    extentEnd,
  };
}
