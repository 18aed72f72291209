/**
 * Raw provider items in the shapes of the official documentation's examples (Graph `event`
 * resource as calendarView returns it with Prefer: outlook.timezone="UTC"; Google `events`
 * resource as events.list returns it; an EWS CalendarItem as FindItem with a CalendarView returns
 * it), with only what a test needs overridden.
 */
import type { ExchangeCalendarItem } from '../../../shared/domain/exchange-calendar-item.js';

export function graphEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@odata.etag': 'W/"ZlnW4RIAV06KYYwlrfNZvQAAKGWwbw=="',
    id: 'AAMkAGIAAAoZDOFAAA=',
    createdDateTime: '2026-03-20T09:14:51.0917131Z',
    lastModifiedDateTime: '2026-03-20T09:20:11.6218735Z',
    categories: [],
    originalStartTimeZone: 'W. Europe Standard Time',
    originalEndTimeZone: 'W. Europe Standard Time',
    subject: 'Plan summer company picnic',
    bodyPreview: 'Let us kick-start this event planning!',
    importance: 'normal',
    sensitivity: 'normal',
    isAllDay: false,
    isCancelled: false,
    isOrganizer: true,
    showAs: 'busy',
    type: 'singleInstance',
    responseStatus: { response: 'organizer', time: '0001-01-01T00:00:00Z' },
    start: { dateTime: '2026-03-31T08:00:00.0000000', timeZone: 'UTC' },
    end: { dateTime: '2026-03-31T09:00:00.0000000', timeZone: 'UTC' },
    location: { displayName: 'Conf Room 3', locationType: 'default' },
    isOnlineMeeting: false,
    ...overrides,
  };
}

export function googleEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'calendar#event',
    etag: '"3181161784712000"',
    id: '7q7r94v1vjoa72tq63kee',
    status: 'confirmed',
    htmlLink: 'https://www.google.com/calendar/event?eid=N3E3cjk0djF',
    created: '2026-03-01T16:28:26.000Z',
    updated: '2026-03-01T18:27:01.967Z',
    summary: 'Plan summer company picnic',
    location: 'Conf Room 3',
    creator: { email: 'sam@example.com', self: true },
    organizer: { email: 'sam@example.com', self: true },
    start: { dateTime: '2026-03-31T10:00:00+02:00', timeZone: 'Europe/Stockholm' },
    end: { dateTime: '2026-03-31T11:00:00+02:00', timeZone: 'Europe/Stockholm' },
    iCalUID: '7q7r94v1vjoa72tq63kee@google.com',
    sequence: 0,
    reminders: { useDefault: true },
    eventType: 'default',
    ...overrides,
  };
}

/**
 * An EWS CalendarItem as FindItem with a CalendarView returns it (the properties
 * ews-requests.ts asks for), read into ExchangeCalendarItem: the owner's own meeting.
 */
export function exchangeItem(overrides: Partial<ExchangeCalendarItem> = {}): ExchangeCalendarItem {
  return {
    itemId: 'AAMkAGI2TG93AAA=',
    changeKey: 'DwAAABYAAAA3',
    uid: '040000008200E00074C5B7101A82E0080000000070B3A0B6C2C0DC01000000000000000010000000C1',
    calendarItemType: 'Single',
    subject: 'Plan summer company picnic',
    sensitivity: 'Normal',
    categories: [],
    start: '2026-03-31T08:00:00Z',
    end: '2026-03-31T09:00:00Z',
    isAllDayEvent: false,
    legacyFreeBusyStatus: 'Busy',
    location: 'Conf Room 3',
    isCancelled: false,
    isOnlineMeeting: false,
    myResponseType: 'Organizer',
    organizer: 'sam@example.com',
    ...overrides,
  };
}
