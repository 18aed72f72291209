/**
 * Graph `mailboxSettings.automaticRepliesSetting` turned into AutomaticReplies.
 * Resource: https://learn.microsoft.com/graph/api/resources/automaticrepliessetting
 * The scheduled times are dateTimeTimeZone objects in whatever zone the user set them in
 * (the `Prefer: outlook.timezone` header does not apply to mailbox settings), and the
 * documented example writes the status capitalised ("Scheduled"), so both are tolerated.
 */
import { z } from 'zod';
import type { AutomaticReplies } from './automatic-replies.js';

const DateTimeTimeZone = z.object({ dateTime: z.string(), timeZone: z.string() });

const AutomaticRepliesSetting = z.object({
  status: z.string(),
  scheduledStartDateTime: DateTimeTimeZone.nullish(),
  scheduledEndDateTime: DateTimeTimeZone.nullish(),
});

/** Accepts the setting itself or a whole mailboxSettings object that holds it. */
const Input = z.union([z.object({ automaticRepliesSetting: AutomaticRepliesSetting }), AutomaticRepliesSetting]);

const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?$/;

/** Turns a zone name into an IANA one; the provider passes a Windows → IANA lookup. */
export type ZoneResolver = (zone: string) => string | undefined;

const identity: ZoneResolver = (zone) => zone;

/** The offset of `zone` from UTC at the instant `utcMillis`, in milliseconds. */
function zoneOffset(zone: string, utcMillis: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utcMillis));
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(utcMillis / 1000) * 1000;
}

/** A wall-clock time in an IANA zone as a UTC ISO instant, or undefined when unreadable. */
function toUtc(value: z.infer<typeof DateTimeTimeZone>, resolve: ZoneResolver): string | undefined {
  const m = WALL_CLOCK.exec(value.dateTime.trim());
  if (!m) return undefined;
  const [, y, mo, d, hh, mm, ss = '0', fraction = ''] = m;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(hh), Number(mm), Number(ss), Number((fraction + '000').slice(0, 3)));
  if (Number.isNaN(wall)) return undefined;
  const zone = /^(utc|etc\/utc|gmt)$/i.test(value.timeZone.trim()) ? 'UTC' : resolve(value.timeZone.trim());
  if (!zone) return undefined;
  try {
    // Two passes settle the offset for times near a daylight-saving change.
    const first = wall - zoneOffset(zone, wall);
    return new Date(wall - zoneOffset(zone, first)).toISOString();
  } catch {
    return undefined; // Intl rejects an unknown zone name
  }
}

/**
 * The automatic-replies state, or undefined when the input cannot be read (then the caller
 * keeps what it knew rather than ending an out-of-office activity on a misread).
 */
export function normalizeGraphAutomaticReplies(raw: unknown, resolveZone: ZoneResolver = identity): AutomaticReplies | undefined {
  const parsed = Input.safeParse(raw);
  if (!parsed.success) return undefined;
  const setting = 'automaticRepliesSetting' in parsed.data ? parsed.data.automaticRepliesSetting : parsed.data;
  switch (setting.status.toLowerCase()) {
    case 'disabled':
      return { status: 'disabled' };
    case 'alwaysenabled':
      return { status: 'alwaysEnabled' };
    case 'scheduled': {
      if (!setting.scheduledStartDateTime || !setting.scheduledEndDateTime) return undefined;
      const start = toUtc(setting.scheduledStartDateTime, resolveZone);
      const end = toUtc(setting.scheduledEndDateTime, resolveZone);
      if (!start || !end || end < start) return undefined;
      return { status: 'scheduled', start, end };
    }
    default:
      return undefined;
  }
}
