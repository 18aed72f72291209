/**
 * One EWS `CalendarItem` as FindItem with a CalendarView returns it: plain strings as Exchange
 * sends them, read from the XML by shared/providers/exchange/ews-responses.ts. Their values are
 * judged by normalize-exchange-event.ts, so an item with an odd value is still an item (skipped as
 * invalid, with a reason) rather than lost while reading.
 * Element reference: https://learn.microsoft.com/exchange/client-developer/web-service-reference/calendaritem
 */
import { z } from 'zod';

export const ExchangeCalendarItemSchema = z.object({
  /** `ItemId/@Id`: not the event's identity (Microsoft does not promise an occurrence keeps it across edits). */
  itemId: z.string(),
  changeKey: z.string().optional(),
  /** `UID`: the series' (or single item's) iCalendar UID, the same across edits. */
  uid: z.string().optional(),
  /** `RecurrenceId`: an occurrence's or exception's original start, an xs:dateTime. */
  recurrenceId: z.string().optional(),
  /** `CalendarItemType`: Single | Occurrence | Exception | RecurringMaster. */
  calendarItemType: z.string().optional(),
  subject: z.string().optional(),
  /** xs:dateTime instants; Exchange writes them in UTC (`Z`). */
  start: z.string(),
  end: z.string(),
  isAllDayEvent: z.boolean(),
  /** Free | Tentative | Busy | OOF | WorkingElsewhere | NoData. */
  legacyFreeBusyStatus: z.string().optional(),
  /** Normal | Personal | Private | Confidential. */
  sensitivity: z.string().optional(),
  categories: z.array(z.string()),
  isCancelled: z.boolean(),
  /** Unknown | Organizer | Tentative | Accept | Decline | NoResponseReceived. */
  myResponseType: z.string().optional(),
  location: z.string().optional(),
  /** Absent where the server does not have it. */
  isOnlineMeeting: z.boolean().optional(),
  /** The organizer's e-mail address (`Organizer/Mailbox/EmailAddress`). */
  organizer: z.string().optional(),
});

export type ExchangeCalendarItem = z.infer<typeof ExchangeCalendarItemSchema>;
