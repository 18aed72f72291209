/** The monitored window `[now − lookback, now + view days]`, instants in UTC (ISO 8601 with `Z`). */
export interface CalendarWindow {
  readonly start: string;
  readonly end: string;
}
