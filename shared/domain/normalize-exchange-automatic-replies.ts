/**
 * EWS `GetUserOofSettings` → AutomaticReplies, mapped as Graph's automaticRepliesSetting is
 * (normalize-graph-automatic-replies.ts): Disabled → disabled, Enabled → alwaysEnabled,
 * Scheduled → scheduled over its Duration.
 * Reference: https://learn.microsoft.com/exchange/client-developer/web-service-reference/oofsettings
 * (OofState, Duration (UserOofSettings)).
 */
import { z } from 'zod';
import type { AutomaticReplies } from './automatic-replies.js';

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
const DATE_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:\d{2})?$/i;

function utc(value: string | undefined): string | undefined {
  const m = value === undefined ? null : DATE_TIME.exec(value.trim());
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[2] ?? 'Z'}`);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
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
