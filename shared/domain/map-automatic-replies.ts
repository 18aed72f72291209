/** Graph automatic replies → one out-of-office activity (MAPPING.md §1). */
import type { AutomaticReplies } from './automatic-replies.js';
import type { Activity } from './activity.js';
import { externalIdFor } from './external-id.js';
import { prepare, type MappingContext } from './mapping-context.js';
import type { MapResult } from './map-event.js';
import { formatInZone } from './time-zone.js';

/** The source event id of the automatic-replies activity: one per mailbox, so it is fixed. */
export const AUTOMATIC_REPLIES_EVENT_ID = 'automatic-replies';

/**
 * `scheduled` → its own start and end; `alwaysEnabled` → from when it was first seen to the end
 * of the window (so it grows as the window rolls); `disabled` or SYNC_AUTOMATIC_REPLIES=false →
 * nothing (undefined).
 */
export function mapAutomaticReplies(replies: AutomaticReplies, ctx: MappingContext): MapResult | undefined {
  const { settings, mailbox } = ctx;
  if (!settings.syncAutomaticReplies || replies.status === 'disabled') return undefined;
  const { windowStart, windowEnd } = prepare(ctx);
  const start = replies.status === 'scheduled' ? Date.parse(replies.start) : Date.parse(ctx.automaticRepliesSince ?? ctx.window.start);
  const end = replies.status === 'scheduled' ? Date.parse(replies.end) : windowEnd;
  const eventId = AUTOMATIC_REPLIES_EVENT_ID;
  if (Number.isNaN(start) || Number.isNaN(end)) return { kind: 'skipped', skipped: { eventId, reason: 'invalid', detail: 'automatic replies without valid times' } };
  if (!(start < windowEnd && end > windowStart)) return { kind: 'skipped', skipped: { eventId, reason: 'outside-window' } };
  if (!(end > start)) return { kind: 'skipped', skipped: { eventId, reason: 'invalid', detail: 'automatic replies end when they start' } };
  const activity: Activity = {
    externalId: externalIdFor(mailbox.provider, mailbox.key, eventId),
    code: settings.oofCode,
    start: formatInZone(start, mailbox.timeZone),
    end: formatInZone(end, mailbox.timeZone),
    // The reply message is mail HTML written for senders, not a presence text: CMG shows the code.
    text: '',
    forward: mailbox.forwardByDefault,
    inConference: false,
    sign: settings.sign,
    private: false,
    source: { provider: mailbox.provider, eventId },
  };
  return { kind: 'activity', activity };
}
