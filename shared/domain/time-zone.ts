/**
 * Wall-clock time in an IANA zone ↔ UTC instant, with Intl only (no time-zone library, no
 * ad-hoc offset tables): the zone rules are the runtime's ICU data, kept current with Node.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    // Throws RangeError for an unknown zone: callers validate zones at their boundary.
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** True when the runtime knows the IANA zone (e.g. "Europe/Stockholm", "UTC"). */
export function isTimeZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

function exactOffsetMs(zone: string, instantMs: number): number {
  let year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  for (const part of formatterFor(zone).formatToParts(instantMs)) {
    if (part.type === 'year') year = Number(part.value);
    else if (part.type === 'month') month = Number(part.value);
    else if (part.type === 'day') day = Number(part.value);
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
    else if (part.type === 'second') second = Number(part.value);
  }
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  return wallAsUtc - (instantMs - (((instantMs % 1000) + 1000) % 1000));
}

// formatToParts costs microseconds; mapping 100,000 events needs the offset far faster. An
// offset is cached per zone and UTC hour when it is the same at both ends of the hour (no
// transition inside); hours that hold a transition are always computed exactly.
const offsetCache = new Map<string, Map<number, number>>();
const OFFSET_CACHE_LIMIT = 50_000;
// A mailbox maps all its events in one zone: the last zone's table skips the outer lookup.
let lastZone: string | undefined;
let lastByHour: Map<number, number> | undefined;

/** The zone's offset from UTC at an instant, in milliseconds (east positive). */
export function offsetAt(zone: string, instantMs: number): number {
  const hour = Math.floor(instantMs / HOUR_MS);
  let byHour = zone === lastZone ? lastByHour : offsetCache.get(zone);
  if (byHour === undefined) {
    byHour = new Map();
    offsetCache.set(zone, byHour);
  }
  lastZone = zone;
  lastByHour = byHour;
  const cached = byHour.get(hour);
  if (cached !== undefined) return Number.isNaN(cached) ? exactOffsetMs(zone, instantMs) : cached;
  if (byHour.size >= OFFSET_CACHE_LIMIT) byHour.clear();
  const atStart = exactOffsetMs(zone, hour * HOUR_MS);
  const atEnd = exactOffsetMs(zone, hour * HOUR_MS + HOUR_MS - 1000);
  byHour.set(hour, atStart === atEnd ? atStart : Number.NaN);
  return atStart === atEnd ? atStart : exactOffsetMs(zone, instantMs);
}

/**
 * The UTC instant (epoch ms) of a local date and time in a zone. A time that does not exist
 * (skipped by a daylight-saving change) moves forward by the gap; a time that occurs twice takes
 * the earlier instant — the "compatible" rule of Temporal and of RFC 5545 §3.3.5.
 */
export function zonedTimeToInstant(date: string, hour: number, minute: number, zone: string): number {
  const parts = date.split('-');
  const wall = Date.UTC(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2]), hour, minute);
  // Offsets a day either side bracket any single transition near this wall time.
  const before = offsetAt(zone, wall - 24 * HOUR_MS);
  const after = offsetAt(zone, wall + 24 * HOUR_MS);
  // No transition near: the one candidate (which is also the answer when it does not check out).
  if (before === after) return wall - before;
  const early = wall - before;
  const late = wall - after;
  const earlyFits = early + offsetAt(zone, early) === wall;
  const lateFits = late + offsetAt(zone, late) === wall;
  if (earlyFits && lateFits) return Math.min(early, late);
  if (earlyFits) return early;
  if (lateFits) return late;
  return early;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => pad(n));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => pad(n, 3));
const DAY_MS = 24 * HOUR_MS;
const MAX_DATE_MS = 8.64e15;

// `YYYY-MM-DD` per day since the epoch, and `±HH:MM` per offset: an activity's times repeat
// few days and offsets, and these texts are the costly part to build.
const dayTexts = new Map<number, string>();
const offsetTexts = new Map<number, string>();
const TEXT_CACHE_LIMIT = 10_000;

function dayText(day: number): string {
  let text = dayTexts.get(day);
  if (text === undefined) {
    const date = new Date(day * DAY_MS);
    text = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
    if (dayTexts.size >= TEXT_CACHE_LIMIT) dayTexts.clear();
    dayTexts.set(day, text);
  }
  return text;
}

function offsetText(offsetMinutes: number): string {
  let text = offsetTexts.get(offsetMinutes);
  if (text === undefined) {
    const abs = Math.abs(offsetMinutes);
    text = `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
    if (offsetTexts.size >= TEXT_CACHE_LIMIT) offsetTexts.clear();
    offsetTexts.set(offsetMinutes, text);
  }
  return text;
}

/** ISO 8601 with the zone's offset at that instant, e.g. `2026-03-29T00:00:00+01:00`. */
export function formatInZone(instantMs: number, zone: string): string {
  // Direct-mapped by minute: a hit is one comparison, a miss costs no more than the text.
  const slot = (instantMs / MINUTE_MS) & (TEXT_SLOTS - 1);
  let cache = zone === lastTextZone ? lastTexts : formattedTexts.get(zone);
  if (cache !== undefined) {
    lastTextZone = zone;
    lastTexts = cache;
    if (cache.instants[slot] === instantMs) return cache.texts[slot]!;
  }
  // Throws for an unknown zone before any cache is made for it.
  const text = formatUncached(instantMs, zone);
  if (cache === undefined) {
    if (formattedTexts.size >= TEXT_ZONES_LIMIT) formattedTexts.clear();
    cache = { instants: new Float64Array(TEXT_SLOTS).fill(Number.NaN), texts: new Array<string>(TEXT_SLOTS).fill('') };
    formattedTexts.set(zone, cache);
    lastTextZone = zone;
    lastTexts = cache;
  }
  cache.instants[slot] = instantMs;
  cache.texts[slot] = text;
  return text;
}

// Meetings start and end on few distinct instants (the hour, the half hour): each text is
// built once per zone and then shared by every activity that has it. Instants `TEXT_SLOTS`
// minutes apart share a slot, the later one replacing the earlier; whole hours, half hours and
// quarters collide only 21 days apart, beyond a sync window. About 100 kB a zone.
const TEXT_SLOTS = 2048;
const TEXT_ZONES_LIMIT = 64;
interface TextCache {
  readonly instants: Float64Array;
  readonly texts: string[];
}
const formattedTexts = new Map<string, TextCache>();
let lastTextZone: string | undefined;
let lastTexts: TextCache | undefined;

function formatUncached(instantMs: number, zone: string): string {
  // Offsets of old local mean times have seconds; whole minutes keep the text RFC 3339 and,
  // because the wall time is shifted by the same rounded offset, still the same instant.
  const offsetMinutes = Math.round(offsetAt(zone, instantMs) / MINUTE_MS);
  const wallMs = instantMs + offsetMinutes * MINUTE_MS;
  if (Number.isInteger(wallMs) && Math.abs(wallMs) <= MAX_DATE_MS) {
    // The same fields by arithmetic, joined in one go: a chain of `+` builds a rope of
    // intermediate strings that hashing and JSON then have to flatten again.
    const day = Math.floor(wallMs / DAY_MS);
    let rest = wallMs - day * DAY_MS;
    const hours = Math.floor(rest / HOUR_MS);
    rest -= hours * HOUR_MS;
    const minutes = Math.floor(rest / MINUTE_MS);
    rest -= minutes * MINUTE_MS;
    const seconds = Math.floor(rest / 1000);
    const millis = rest - seconds * 1000;
    return [
      dayText(day),
      'T',
      TWO_DIGITS[hours],
      ':',
      TWO_DIGITS[minutes],
      ':',
      millis === 0 ? TWO_DIGITS[seconds] : `${TWO_DIGITS[seconds]!}.${THREE_DIGITS[millis]!}`,
      offsetText(offsetMinutes),
    ].join('');
  }
  const wall = new Date(wallMs);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const seconds = wall.getUTCMilliseconds() === 0 ? pad(wall.getUTCSeconds()) : `${pad(wall.getUTCSeconds())}.${pad(wall.getUTCMilliseconds(), 3)}`;
  return (
    `${pad(wall.getUTCFullYear(), 4)}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}` +
    `T${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${seconds}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** The local date `YYYY-MM-DD` `days` after (or before) `date`: calendar arithmetic, no zone. */
export function addDays(date: string, days: number): string {
  const parts = date.split('-');
  return new Date(Date.UTC(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2]) + days)).toISOString().slice(0, 10);
}
