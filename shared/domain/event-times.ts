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

export function eventTimes(timing: EventTiming, settings: TimeSettings, timeZone: string): EventTimes {
  if (!timing.allDay) {
    const start = Date.parse(timing.start);
    const end = Date.parse(timing.end);
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
