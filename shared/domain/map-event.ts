/** One calendar event → zero or one CMG activity, by the rules of MAPPING.md §1–6. */
import type { Activity, Skipped, SkipReason } from './activity.js';
import type { CalendarEvent } from './calendar-event.js';
import { activityText, readForwarding } from './activity-text.js';
import { eventTimes } from './event-times.js';
import { externalIdFor } from './external-id.js';
import { prepare, type MappingContext, type PreparedContext } from './mapping-context.js';
import { formatInZone } from './time-zone.js';

export type MapResult = { readonly kind: 'activity'; readonly activity: Activity } | { readonly kind: 'skipped'; readonly skipped: Skipped };

/**
 * mapEvent's result with the activity's start instant (epoch ms) alongside, so mapCalendar can
 * sort without parsing the start text back.
 */
export type TimedMapResult =
  | { readonly kind: 'activity'; readonly activity: Activity; readonly startMs: number }
  | { readonly kind: 'skipped'; readonly skipped: Skipped };

const skip = (eventId: string, reason: SkipReason, detail?: string): TimedMapResult => ({
  kind: 'skipped',
  skipped: detail === undefined ? { eventId, reason } : { eventId, reason, detail },
});

/**
 * Rules apply in this order, the first that holds decides: cancelled, not an event (birthdays,
 * Gmail), outside the window, declined, free, unanswered, tentative, working elsewhere; then the code.
 */
export function mapEvent(event: CalendarEvent, ctx: MappingContext): MapResult {
  const result = mapEventTimed(event, ctx, prepare(ctx));
  return result.kind === 'activity' ? { kind: 'activity', activity: result.activity } : result;
}

/** mapEvent with the context's derived state already at hand (mapCalendar prepares it once). */
export function mapEventTimed(event: CalendarEvent, ctx: MappingContext, prepared: PreparedContext): TimedMapResult {
  const { settings, mailbox } = ctx;
  const { matcher, windowStart, windowEnd } = prepared;

  if (event.cancelled) return skip(event.id, 'cancelled');
  if (event.kind === 'birthday' || event.kind === 'fromGmail') return skip(event.id, 'not-an-event');
  const times = eventTimes(event.timing, settings, mailbox.timeZone);
  if (!(times.extentStart < windowEnd && times.extentEnd > windowStart)) return skip(event.id, 'outside-window');
  if (event.declined) return skip(event.id, 'declined');
  if (event.showAs === 'free' && !settings.syncFree) return skip(event.id, 'free');
  if (event.unanswered && !settings.syncUnanswered) return skip(event.id, 'unanswered');
  if ((event.tentative || event.showAs === 'tentative') && !settings.syncTentative) return skip(event.id, 'tentative');
  if (event.showAs === 'workingElsewhere' && !settings.syncWorkingElsewhere) return skip(event.id, 'working-elsewhere');
  // CMG refuses an activity that does not end after it starts.
  if (!(times.end > times.start)) return skip(event.id, 'invalid', 'event has no duration');

  const { subject, forward } = readForwarding(event.subject, settings, mailbox.forwardByDefault);
  // Out of office always gets OOF_CODE; the real subject and categories choose the code even
  // for a private event, only the text is masked. An unanswered invitation's subject and
  // "show as" were chosen by its sender: only the owner's categories may pick its code, and
  // forwarding stays the user's default.
  const code = event.unanswered
    ? (matcher.match(event.categories, '') ?? (settings.syncOnlyMatched ? undefined : settings.defaultCode))
    : event.showAs === 'oof'
      ? settings.oofCode
      : (matcher.match(event.categories, subject) ?? (settings.syncOnlyMatched ? undefined : settings.defaultCode));
  if (code === undefined) return skip(event.id, 'unmatched');

  const masked = event.private && settings.maskPrivate;
  const activity: Activity = {
    externalId: externalIdFor(event.provider, mailbox.key, event.id),
    code,
    start: formatInZone(times.start, mailbox.timeZone),
    end: formatInZone(times.end, mailbox.timeZone),
    text: masked ? activityText(settings.privateSubject, settings.privateLocation, settings) : activityText(subject, event.location, settings),
    forward: event.unanswered ? mailbox.forwardByDefault : forward,
    inConference: settings.inConference && event.onlineMeeting,
    sign: settings.sign,
    private: event.private,
    source: event.seriesId === undefined ? { provider: event.provider, eventId: event.id } : { provider: event.provider, eventId: event.id, seriesId: event.seriesId },
  };
  return { kind: 'activity', activity, startMs: times.start };
}
