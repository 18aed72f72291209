/**
 * Wall-clock arithmetic in IANA zones for the emulator (Google writes dateTimes in the
 * calendar's zone with its offset, and all-day dates start at local midnight).
 */

// Building a DateTimeFormat costs far more than using one; the benchmark lists 50,000 events.
const formats = new Map<string, Intl.DateTimeFormat>();

/** Minutes east of UTC of `zone` at `instant`. */
export function offsetMinutes(instant: number, zone: string): number {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    formats.set(zone, format);
  }
  const name = format
    .formatToParts(new Date(instant))
    .find((p) => p.type === 'timeZoneName')?.value;
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
  if (!m) return 0; // plain "GMT"
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/** The instant of a local wall time `YYYY-MM-DDTHH:MM:SS` in `zone` (the later one in a DST gap). */
export function localToInstant(local: string, zone: string): number {
  const asUtc = Date.parse(`${local}Z`);
  const first = asUtc - offsetMinutes(asUtc, zone) * 60_000;
  return asUtc - offsetMinutes(first, zone) * 60_000;
}

/** `YYYY-MM-DDTHH:MM:SS±hh:mm` as Google writes it (`Z` for UTC). */
export function formatInZone(instant: number, zone: string): string {
  const offset = offsetMinutes(instant, zone);
  const local = new Date(instant + offset * 60_000).toISOString().slice(0, 19);
  if (offset === 0) return `${local}Z`;
  const abs = Math.abs(offset);
  return `${local}${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** The local wall time of an instant in a zone, `YYYY-MM-DDTHH:MM:SS`. */
export function localOf(instant: number, zone: string): string {
  return new Date(instant + offsetMinutes(instant, zone) * 60_000).toISOString().slice(0, 19);
}

/** Adds whole days to a `YYYY-MM-DD` date. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
