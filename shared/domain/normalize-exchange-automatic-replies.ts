/**
 * EWS `GetUserOofSettings` → AutomaticReplies, mapped as Graph's automaticRepliesSetting is
 * (normalize-graph-automatic-replies.ts): Disabled → disabled, Enabled → alwaysEnabled,
 * Scheduled → scheduled over its Duration.
 * Reference: https://learn.microsoft.com/exchange/client-developer/web-service-reference/oofsettings
 * (OofState, Duration (UserOofSettings)).
 */
import { z } from 'zod';
import type { AutomaticReplies } from './automatic-replies.js';
import { parseXsDateTime } from './xs-date-time.js';

/** `OofSettings` as Exchange sends it: plain strings. */
export const ExchangeOofSettingsSchema = z.object({
  /** Disabled | Enabled | Scheduled. */
  oofState: z.string(),
  /** `Duration/StartTime` and `Duration/EndTime`, xs:dateTime. */
  startTime: z.string().optional(),
  endTime: z.string().optional(),
});

export type ExchangeOofSettings = z.infer<typeof ExchangeOofSettingsSchema>;

// Exchange writes the Duration in UTC without a zone designator ("2006-11-03T23:00:00" in the
// GetUserOofSettings reference example); SetUserOofSettings wants UTC too (exchangelib issues
// #617 and #1323: local times there give ErrorInvalidScheduledOofDuration). A time with its own
// offset is read with it.
function utc(value: string | undefined): string | undefined {
  const ms = parseXsDateTime(value, true);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/**
 * The automatic-replies state, or undefined when it cannot be read (the caller then keeps what it
 * knew rather than ending an out-of-office activity on a misread), as for Graph.
 */
export function normalizeExchangeAutomaticReplies(raw: ExchangeOofSettings): AutomaticReplies | undefined {
  const parsed = ExchangeOofSettingsSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const oof = parsed.data;
  switch (oof.oofState.trim()) {
    case 'Disabled':
      return { status: 'disabled' };
    case 'Enabled':
      // Exchange still sends a Duration then (today's date, exchangelib's OofSettings notes): it means nothing.
      return { status: 'alwaysEnabled' };
    case 'Scheduled': {
      const start = utc(oof.startTime);
      const end = utc(oof.endTime);
      if (start === undefined || end === undefined || end < start) return undefined;
      return { status: 'scheduled', start, end };
    }
    default:
      return undefined;
  }
}
