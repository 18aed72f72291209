/**
 * Writes the demo organisation into the emulators, each in its own wire vocabulary: CMG users,
 * Graph users / events / automatic replies, Google calendars / events.
 */
import type { CmgEmulatorControl } from '../emulators/cmg/cmg-control.js';
import type { GoogleEmulatorControl } from '../emulators/google/google-emulator.js';
import type { GraphEmulatorControl } from '../emulators/graph/graph-emulator-control.js';
import type { SeedEvent } from '../emulators/graph/graph-emulator-state.js';
import type { EventInput } from '../emulators/google/google-calendar-store.js';
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
