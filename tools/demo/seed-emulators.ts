/**
 * Writes the demo organisation into the emulators, each in its own wire vocabulary: CMG users,
 * Graph users / events / automatic replies, Google calendars / events, Exchange mailboxes /
 * calendar items / OOF settings.
 */
import type { CmgEmulatorControl } from '../emulators/cmg/cmg-control.js';
import type { GoogleEmulatorControl } from '../emulators/google/google-emulator.js';
import type { GraphEmulatorControl } from '../emulators/graph/graph-emulator-control.js';
import type { SeedEvent } from '../emulators/graph/graph-emulator-state.js';
import type { EventInput } from '../emulators/google/google-calendar-store.js';
import type { EwsEmulatorControl } from '../emulators/exchange/ews-emulator-control.js';
import type { CalendarItemSeed } from '../emulators/exchange/ews-mailbox-store.js';
import type { DayOfWeek } from '../emulators/exchange/ews-recurrence.js';
import { zonedTimeToInstant } from '../../shared/domain/time-zone.js';
import type { DemoEvent, DemoOrganisation, DemoPerson } from './demo-organisation.js';

export function seedCmg(control: CmgEmulatorControl, org: DemoOrganisation): void {
  control.seedUsers([
    ...org.people.map((p) => ({ userId: p.key, email: p.address, calendarSync: true, language: p.language, forwardByDefault: p.forwardByDefault, messageSystem: 1 })),
    ...org.otherCmgUsers.map((u) => ({ userId: u.key, email: u.email, calendarSync: u.calendarSync, language: 'en', forwardByDefault: false, messageSystem: 1 })),
  ]);
}

/** Google event ids are base32hex (a–v, 0–9): hex is a subset of it. */
export const googleEventId = (id: string): string => Buffer.from(id, 'utf8').toString('hex');

export function googleEvent(person: DemoPerson, event: DemoEvent): EventInput {
  const time = (iso: string, date: string | undefined) => (date ? { date } : { dateTime: iso, timeZone: person.timeZone });
  const responseStatus = event.declined ? 'declined' : event.showAs === 'tentative' ? 'tentative' : undefined;
  return {
    id: googleEventId(event.id),
    status: event.cancelled ? 'cancelled' : 'confirmed',
    summary: event.subject,
    ...(event.location ? { location: event.location } : {}),
    start: time(event.start, event.allDay?.startDate),
    end: time(event.end, event.allDay?.endDate),
    ...(event.private ? { visibility: 'private' as const } : {}),
    ...(event.showAs === 'free' ? { transparency: 'transparent' as const } : {}),
    ...(event.showAs === 'oof' ? { eventType: 'outOfOffice' as const } : {}),
    // Google refuses a working location that is not transparent and public (google-calendar-store.ts).
    ...(event.showAs === 'workingElsewhere' ? { eventType: 'workingLocation' as const, transparency: 'transparent' as const, visibility: 'public' as const } : {}),
    ...(event.focusTime ? { eventType: 'focusTime' as const } : {}),
    ...(responseStatus ? { attendees: [{ email: person.address, responseStatus }, { email: 'organizer@partner.org', responseStatus: 'accepted' as const }] } : {}),
    ...(event.online ? { conferenceData: { conferenceId: `meet-${googleEventId(event.id).slice(0, 10)}`, conferenceSolution: { key: { type: 'hangoutsMeet' }, name: 'Google Meet' } } } : {}),
    ...(event.recurrence ? { recurrence: [`RRULE:FREQ=${event.recurrence.type.toUpperCase()};COUNT=${event.recurrence.count}`] } : {}),
  };
}

export function seedGoogle(control: GoogleEmulatorControl, org: DemoOrganisation, serviceAccount: { clientEmail: string; publicKeyPem: string }): void {
  control.addServiceAccount(serviceAccount);
  for (const person of org.people.filter((p) => p.provider === 'google')) {
    control.addUser(person.address, { timeZone: person.timeZone });
    for (const event of org.events[person.key] ?? []) control.putEvent(person.address, googleEvent(person, event));
  }
}

/** mailboxSettings.timeZone holds Windows zone names (https://learn.microsoft.com/graph/api/resources/mailboxsettings). */
const WINDOWS_ZONES: Readonly<Record<string, string>> = {
  'Europe/Stockholm': 'W. Europe Standard Time',
  'Europe/Berlin': 'W. Europe Standard Time',
  'America/New_York': 'Eastern Standard Time',
  UTC: 'UTC',
};

export function graphEvent(event: DemoEvent): SeedEvent {
  return {
    subject: event.subject,
    start: event.allDay ? `${event.allDay.startDate}T00:00:00.000Z` : event.start,
    end: event.allDay ? `${event.allDay.endDate}T00:00:00.000Z` : event.end,
    isAllDay: event.allDay !== undefined,
    showAs: event.showAs ?? 'busy',
    sensitivity: event.private ? 'private' : 'normal',
    categories: event.categories ?? [],
    isCancelled: event.cancelled ?? false,
    isOnlineMeeting: event.online ?? false,
    location: event.location ?? '',
    response: event.declined ? 'declined' : event.showAs === 'tentative' ? 'tentativelyAccepted' : 'accepted',
    recurrence: event.recurrence,
  };
}

/** Seeds the Graph app, users and events; returns the Graph id of each demo event. */
export function seedGraph(control: GraphEmulatorControl, org: DemoOrganisation, app: { clientId: string; clientSecret: string }): Map<string, string> {
  control.registerApp(app);
  const ids = new Map<string, string>();
  for (const person of org.people.filter((p) => p.provider === 'graph')) {
    const replies = org.automaticReplies[person.key];
    control.addUser({
      address: person.address,
      displayName: person.name,
      timeZone: WINDOWS_ZONES[person.timeZone] ?? 'UTC',
      automaticReplies:
        replies?.status === 'scheduled'
          ? { status: 'scheduled', scheduledStartDateTime: { dateTime: replies.start.replace('Z', ''), timeZone: 'UTC' }, scheduledEndDateTime: { dateTime: replies.end.replace('Z', ''), timeZone: 'UTC' } }
          : replies
            ? { status: replies.status }
            : { status: 'disabled' },
    });
    for (const event of org.events[person.key] ?? []) ids.set(event.id, control.addEvent(person.address, graphEvent(event)));
  }
  return ids;
}

const FREE_BUSY = { busy: 'Busy', free: 'Free', tentative: 'Tentative', oof: 'OOF', workingElsewhere: 'WorkingElsewhere' } as const;
const DAYS: readonly DayOfWeek[] = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** One demo event as an Exchange calendar item: all-day ones from local midnight to local midnight, as Exchange keeps them. */
export function exchangeItem(person: DemoPerson, event: DemoEvent): CalendarItemSeed {
  const weekday = DAYS[new Date(Date.parse(event.start) + 12 * 3_600_000).getUTCDay()]!;
  return {
    subject: event.subject,
    ...(event.location ? { location: event.location } : {}),
    start: event.allDay ? new Date(zonedTimeToInstant(event.allDay.startDate, 0, 0, person.timeZone)).toISOString() : event.start,
    end: event.allDay ? new Date(zonedTimeToInstant(event.allDay.endDate, 0, 0, person.timeZone)).toISOString() : event.end,
    isAllDayEvent: event.allDay !== undefined,
    timeZone: person.timeZone,
    legacyFreeBusyStatus: FREE_BUSY[event.showAs ?? 'busy'],
    sensitivity: event.private ? 'Private' : 'Normal',
    categories: event.categories ?? [],
    isCancelled: event.cancelled ?? false,
    myResponseType: event.declined ? 'Decline' : event.showAs === 'tentative' ? 'Tentative' : 'Accept',
    organizer: 'organizer@partner.org',
    isOnlineMeeting: event.online ?? false,
    ...(event.recurrence
      ? {
          recurrence: {
            pattern: event.recurrence.type === 'daily' ? { type: 'daily' as const, interval: 1 } : { type: 'weekly' as const, interval: 1, days: [weekday] },
            range: { type: 'numbered' as const, count: event.recurrence.count },
          },
        }
      : {}),
  };
}

/** Seeds the Exchange mailboxes: the service account impersonates every one but those the organisation leaves out of scope. */
export function seedExchange(control: EwsEmulatorControl, org: DemoOrganisation, account: string): void {
  const denied = new Set(org.impersonationDenied ?? []);
  for (const person of org.people.filter((p) => p.provider === 'exchange')) {
    control.addMailbox({ address: person.address, timeZone: person.timeZone, impersonators: denied.has(person.key) ? [] : [account] });
    for (const event of org.events[person.key] ?? []) control.createItem(person.address, exchangeItem(person, event));
    const replies = org.automaticReplies[person.key];
    if (replies?.status === 'scheduled') control.setOof(person.address, { state: 'Scheduled', start: replies.start, end: replies.end });
    if (replies?.status === 'alwaysEnabled') control.setOof(person.address, { state: 'Enabled' });
  }
}
