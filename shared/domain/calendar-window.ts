import type { MappingSettings } from './mapping-settings.js';

/** The monitored window `[now − lookback, now + view days]`, instants in UTC (ISO 8601 with `Z`). */
export interface CalendarWindow {
  readonly start: string;
  readonly end: string;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The window for a sync at `now`, widened to whole UTC days: it covers
 * `[now − CALENDAR_LOOKBACK_HOURS, now + CALENDAR_VIEW_DAYS]` yet stays the same all day, because
 * a delta token is bound to the window it was issued for (a new window means a full fetch) and
 * the end of an always-on automatic reply should not move on every job.
 */
export function calendarWindow(now: Date, settings: Pick<MappingSettings, 'lookbackHours' | 'viewDays'>): CalendarWindow {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return {
    start: new Date(today - settings.lookbackHours * HOUR_MS).toISOString(),
    end: new Date(today + DAY_MS + settings.viewDays * DAY_MS).toISOString(),
  };
}
