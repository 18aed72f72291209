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

/** The value of a decimal digit's character code, or -1. */
const digit = (code: number): number => (code >= 0x30 && code <= 0x39 ? code - 0x30 : -1);

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
    let ok = true;
    const two = (at: number): number => {
      const high = digit(text.charCodeAt(at));
      const low = digit(text.charCodeAt(at + 1));
      if (high < 0 || low < 0) ok = false;
      return high * 10 + low;
    };
    const year = two(0) * 100 + two(2);
    const month = two(5);
    const day = two(8);
    const hour = two(11);
    const minute = two(14);
    const second = two(17);
    const milli = two(20) * 10 + digit(text.charCodeAt(22));
    if (ok && digit(text.charCodeAt(22)) >= 0 && year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= 28 && hour <= 23 && minute <= 59 && second <= 59) {
      return Date.UTC(year, month - 1, day, hour, minute, second, milli);
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
