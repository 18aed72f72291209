/**
 * Graph's JSON shapes as Microsoft documents them: the event resource
 * (https://learn.microsoft.com/graph/api/resources/event), mailboxSettings
 * (https://learn.microsoft.com/graph/api/user-get-mailboxsettings), user, and the error body
 * (https://learn.microsoft.com/graph/errors).
 */
import { randomUUID } from 'node:crypto';
import type { EmulatorResponse } from '../emulator-server.js';
import type { Instance, StoredUser } from './graph-emulator-state.js';

/** Graph writes 7 fractional digits and no offset: "2017-04-21T10:00:00.0000000". */
export function graphDateTime(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19)}.0000000`;
}

export function graphError(status: number, code: string, message: string, headers?: Record<string, string>): EmulatorResponse {
  return {
    status,
    ...(headers ? { headers } : {}),
    body: { error: { code, message, innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': randomUUID(), 'client-request-id': randomUUID() } } },
  };
}

export function eventJson(instance: Instance, user: StoredUser, webBase: string): Record<string, unknown> {
  const f = instance.fields;
  // All-day events are whole days in the organiser's zone; Graph labels them with that zone
  // whatever `Prefer: outlook.timezone` asks for.
  const zone = f.isAllDay ? user.timeZone : 'UTC';
  return {
    '@odata.etag': `W/"${instance.changeKey}"`,
    id: instance.id,
    createdDateTime: instance.createdDateTime,
    lastModifiedDateTime: instance.lastModifiedDateTime,
    changeKey: instance.changeKey,
    categories: [...(f.categories ?? [])],
    transactionId: null,
    originalStartTimeZone: zone,
    originalEndTimeZone: zone,
    iCalUId: `040000008200E00074C5B7101A82E0080000000${Buffer.from(instance.seriesMasterId ?? instance.id).toString('hex').slice(0, 40)}`,
    reminderMinutesBeforeStart: 15,
    isReminderOn: true,
    hasAttachments: false,
    subject: f.subject,
    bodyPreview: '',
    importance: 'normal',
    sensitivity: f.sensitivity ?? 'normal',
    isAllDay: f.isAllDay ?? false,
    isCancelled: f.isCancelled ?? false,
    isOrganizer: (f.response ?? 'organizer') === 'organizer',
    responseRequested: true,
    seriesMasterId: instance.seriesMasterId ?? null,
    showAs: f.showAs ?? 'busy',
    type: instance.type,
    webLink: `${webBase}/owa/?itemid=${encodeURIComponent(instance.id)}&exvsurl=1&path=/calendar/item`,
    onlineMeetingUrl: null,
    isOnlineMeeting: f.isOnlineMeeting ?? false,
    onlineMeetingProvider: f.isOnlineMeeting ? 'teamsForBusiness' : 'unknown',
    allowNewTimeProposals: true,
    isDraft: false,
    hideAttendees: false,
    recurrence: instance.recurrence ? recurrenceJson(instance.recurrence, f.start, zone) : null,
    responseStatus: { response: f.response ?? 'organizer', time: '0001-01-01T00:00:00Z' },
    body: { contentType: 'html', content: '' },
    start: { dateTime: graphDateTime(f.start), timeZone: zone },
    end: { dateTime: graphDateTime(f.end), timeZone: zone },
    location: { displayName: f.location ?? '', locationType: 'default', uniqueIdType: 'unknown', address: {}, coordinates: {} },
    locations: f.location ? [{ displayName: f.location, locationType: 'default', uniqueIdType: 'unknown' }] : [],
    attendees: [],
    organizer: { emailAddress: { name: user.displayName, address: user.address } },
    onlineMeeting: null,
  };
}

/**
 * An occurrence as `calendarView/delta` sends it: only its id, series, type, start and end,
 * with the series' etag. Field reports, not the reference pages: microsoft-graph-docs issues
 * #1716 (2017) and #7632 (2020), microsoft-graph-docs-contrib #34 (2023).
 */
export function stubJson(instance: Instance, user: StoredUser): Record<string, unknown> {
  const f = instance.fields;
  const zone = f.isAllDay ? user.timeZone : 'UTC';
  return {
    '@odata.type': '#microsoft.graph.event',
    '@odata.etag': `W/"${instance.changeKey}"`,
    seriesMasterId: instance.seriesMasterId ?? null,
    type: instance.type,
    start: { dateTime: graphDateTime(f.start), timeZone: zone },
    end: { dateTime: graphDateTime(f.end), timeZone: zone },
    id: instance.id,
  };
}

/** https://learn.microsoft.com/graph/api/resources/patternedrecurrence */
function recurrenceJson(recurrence: NonNullable<Instance['recurrence']>, start: string, zone: string): Record<string, unknown> {
  return {
    pattern: { type: recurrence.type, interval: recurrence.interval ?? 1, month: 0, dayOfMonth: 0, firstDayOfWeek: 'sunday', index: 'first' },
    range: { type: 'numbered', startDate: start.slice(0, 10), endDate: '0001-01-01', recurrenceTimeZone: zone, numberOfOccurrences: recurrence.count },
  };
}

export function removedJson(id: string): Record<string, unknown> {
  return { '@odata.type': '#microsoft.graph.event', id, '@removed': { reason: 'deleted' } };
}

export function userJson(user: StoredUser, apiBase: string): Record<string, unknown> {
  return {
    '@odata.context': `${apiBase}/$metadata#users/$entity`,
    businessPhones: [],
    displayName: user.displayName,
    givenName: null,
    jobTitle: null,
    mail: user.address,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: 'en-US',
    surname: null,
    userPrincipalName: user.userPrincipalName,
    id: user.id,
  };
}

/** Properties Graph returns only when `$select` names them. */
export function userSelectOnlyJson(user: StoredUser): Record<string, unknown> {
  return { proxyAddresses: [...user.proxyAddresses] };
}

export function mailboxSettingsJson(user: StoredUser, apiBase: string): Record<string, unknown> {
  const replies = user.automaticReplies;
  const never = { dateTime: '2000-01-01T00:00:00.0000000', timeZone: 'UTC' };
  return {
    '@odata.context': `${apiBase}/$metadata#users('${user.id}')/mailboxSettings`,
    archiveFolder: 'AAMkAGI2TGuLAAA=',
    timeZone: user.timeZone,
    automaticRepliesSetting: {
      status: replies.status,
      externalAudience: 'all',
      scheduledStartDateTime: replies.scheduledStartDateTime ?? never,
      scheduledEndDateTime: replies.scheduledEndDateTime ?? never,
      internalReplyMessage: '',
      externalReplyMessage: '',
    },
    language: { locale: 'en-US', displayName: 'English (United States)' },
    workingHours: {
      daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
      startTime: '08:00:00.0000000',
      endTime: '17:00:00.0000000',
      timeZone: { name: user.timeZone },
    },
    dateFormat: 'yyyy-MM-dd',
    timeFormat: 'HH:mm',
    delegateMeetingMessageDeliveryOptions: 'sendToDelegateOnly',
    userPurpose: 'user',
  };
}
