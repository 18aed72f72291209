/**
 * The emulator's calendars: users with a time zone and their events (single, recurring, instance
 * exceptions), a change sequence for sync tokens, and list answers. Wire shapes follow
 * https://developers.google.com/calendar/api/v3/reference/events; where Google is less tidy than
 * its reference, the field report that shows it is named beside the behaviour.
 */
import { randomBytes } from 'node:crypto';
import { occurrenceDates, parseRule } from './recurrence-rule.js';
import { addDays, formatInZone, localOf, localToInstant } from './zoned-time.js';

/** What a test or the dev host writes: an Event resource's writable fields. */
export interface EventInput {
  id?: string;
  status?: 'confirmed' | 'tentative' | 'cancelled';
  summary?: string;
  description?: string;
  location?: string;
  transparency?: 'opaque' | 'transparent';
  visibility?: 'default' | 'public' | 'private' | 'confidential';
  eventType?: 'default' | 'outOfOffice' | 'focusTime' | 'workingLocation' | 'birthday' | 'fromGmail';
  start?: { date?: string; dateTime?: string; timeZone?: string };
  end?: { date?: string; dateTime?: string; timeZone?: string };
  /** One RRULE (recurrence-rule.ts says which parts are expanded). */
  recurrence?: string[];
  /**
   * Who organises it. Unless given: the attendee marked `organizer`, else the first attendee who
   * is not the owner (an invitation); with no attendees, the calendar's owner.
   * An invitation from someone else, to a group the owner belongs to, lists the group among the
   * attendees and not the owner (google-api-ruby-client #658, #881), so no attendee is `self`.
   */
  organizer?: { email: string; displayName?: string };
  attendees?: Array<{ email: string; responseStatus?: 'needsAction' | 'declined' | 'tentative' | 'accepted'; displayName?: string; optional?: boolean; organizer?: boolean }>;
  conferenceData?: Record<string, unknown>;
  /**
   * Emulator only, never on the wire: an invitation Calendar hides from its owner (one from an
   * unknown sender, when the owner only shows invitations from known senders). events.list
   * leaves it out unless `showHiddenInvitations=true` (events.list reference: "Whether to
   * include hidden invitations in the result. … The default is False.").
   */
  hiddenInvitation?: boolean;
  [field: string]: unknown;
}

/** Google's 400 for an event shape it will not store; thrown by putEvent / patchEvent. */
export class GoogleRefusal extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

interface StoredEvent {
  readonly id: string;
  resource: EventInput;
  seq: number;
  deleted: boolean;
  /** When it was deleted (emulator clock). */
  deletedAt: number | undefined;
  readonly created: string;
  updated: string;
  /** Instance id → its exception (changed fields or cancellation). */
  readonly exceptions: Map<string, { seq: number; cancelled: boolean; patch: EventInput }>;
}

/** An occurrence a change of its series' rule or start took away: listed as cancelled once. */
interface Tombstone {
  readonly id: string;
  readonly seq: number;
  readonly recurringEventId: string;
  readonly originalStartTime: Record<string, string>;
}

interface Calendar {
  readonly email: string;
  timeZone: string;
  readonly events: Map<string, StoredEvent>;
  readonly tombstones: Map<string, Tombstone>;
}

interface SyncTokenState {
  readonly email: string;
  readonly seq: number;
  readonly issuedAt: number;
  /** The query parameters the token was issued for (all but the ones a token replaces). */
  readonly query: string;
  valid: boolean;
}

/** One expanded entry: the wire item plus what the window filter needs. */
interface Entry {
  readonly item: Record<string, unknown>;
  readonly startMs: number;
  readonly endMs: number;
  /** Listed whatever the window says (a cancelled entry Google sends anyway). */
  readonly ignoresWindow?: boolean;
}

export interface ListQuery {
  readonly email: string;
  readonly singleEvents: boolean;
  readonly showDeleted: boolean;
  readonly showHiddenInvitations: boolean;
  readonly timeMin: number | undefined;
  readonly timeMax: number | undefined;
  readonly syncToken: string | undefined;
  readonly maxAttendees: number | undefined;
  /** The other parameters a sync token must be used with again, canonical. */
  readonly signature: string;
}

export type ListOutcome =
  | { kind: 'ok'; items: Array<Record<string, unknown>>; nextSyncToken: string }
  | { kind: 'gone' }
  | { kind: 'query-mismatch' };

export interface StoreOptions {
  /** The emulator's clock. */
  readonly now?: () => number;
  /**
   * How long a sync token is honoured (then 410). Google names no lifetime ("Sometimes sync
   * tokens are invalidated by the server, for various reasons including token expiration",
   * guides/sync): one day by default, shorter than any the field has seen.
   */
  readonly syncTokenMaxAgeMs?: number;
}

// An open-ended series is expanded this far.
const MAX_INSTANCES = 400;
const DAY = 86_400_000;
// google-api-ruby-client #860: after a recurring event is deleted, an incremental sync with
// singleEvents=true sends "only six months worth of events with the status 'cancelled'". From
// when is not said: here the six months after the deletion, so an occurrence earlier the same
// day is not sent on its own (the less kind reading: only the series' own id covers it).
const CANCELLED_OCCURRENCES_MS = 183 * DAY;
// OutlookGoogleCalendarSync #2123, #2124: a full listing returned series and invitations
// deleted days before, as cancelled entries that still carry start and end (and, for someone
// else's invitation, the summary), far outside timeMin…timeMax and without showDeleted. How
// long after the deletion that lasts is not said: a month here.
const GHOST_MS = 30 * DAY;
const EVENT_ID_ALPHABET = 'abcdefghijklmnopqrstuv0123456789'; // base32hex, as Google requires

export class GoogleCalendarStore {
  private seq = 0;
  private readonly calendars = new Map<string, Calendar>();
  private readonly syncTokens = new Map<string, SyncTokenState>();
  private readonly now: () => number;
  private readonly syncTokenMaxAgeMs: number;

  constructor(options: StoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.syncTokenMaxAgeMs = options.syncTokenMaxAgeMs ?? DAY;
  }

  reset(): void {
    this.calendars.clear();
    this.syncTokens.clear();
  }

  addUser(email: string, timeZone = 'UTC'): void {
    const key = email.toLowerCase();
    const existing = this.calendars.get(key);
    if (existing) existing.timeZone = timeZone;
    else this.calendars.set(key, { email: key, timeZone, events: new Map(), tombstones: new Map() });
  }

  hasUser(email: string): boolean {
    return this.calendars.has(email.toLowerCase());
  }

  timeZone(email: string): string | undefined {
    return this.calendars.get(email.toLowerCase())?.timeZone;
  }

  /**
   * Creates or replaces an event; returns it as the API would. Replacing a series whose rule or
   * start changed gives its occurrences new ids; the ones that no longer exist are listed as
   * cancelled by the next incremental sync (as the issue's field reports describe re-timed series).
   */
  putEvent(email: string, input: EventInput): Record<string, unknown> {
    refuseShape(input);
    const calendar = this.calendar(email);
    const id = input.id ?? newEventId();
    const at = new Date(this.now()).toISOString();
    const previous = calendar.events.get(id);
    const stored: StoredEvent = {
      id,
      resource: { ...input, id },
      seq: ++this.seq,
      deleted: false,
      deletedAt: undefined,
      created: previous?.created ?? at,
      updated: at,
      exceptions: previous?.exceptions ?? new Map(),
    };
    const before = previous && !previous.deleted ? this.instancesOf(calendar, previous) : [];
    calendar.events.set(id, stored);
    const after = new Set(this.instancesOf(calendar, stored).map((i) => i.id));
    for (const instance of before) {
      if (!after.has(instance.id)) calendar.tombstones.set(instance.id, { id: instance.id, seq: stored.seq, recurringEventId: id, originalStartTime: instance.originalStart });
    }
    for (const instanceId of after) calendar.tombstones.delete(instanceId);
    return this.wire(calendar, stored, stored.resource);
  }

  /**
   * Changes fields of an event, or of one instance of a series when `id` is an instance id
   * (`{seriesId}_{originalStart}`, as events.list with singleEvents returns it).
   */
  patchEvent(email: string, id: string, patch: EventInput): void {
    const calendar = this.calendar(email);
    const stored = calendar.events.get(id);
    if (stored && !stored.deleted) {
      const { id: _id, ...rest } = { ...stored.resource, ...patch };
      this.putEvent(email, { ...rest, id });
      return;
    }
    const { master } = this.instanceOf(calendar, id);
    const previous = master.exceptions.get(id);
    const merged = { ...previous?.patch, ...patch };
    refuseShape({ ...master.resource, ...merged });
    master.exceptions.set(id, { seq: ++this.seq, cancelled: patch.status === 'cancelled', patch: merged });
  }

  /** Deletes an event, or cancels one instance of a series. */
  deleteEvent(email: string, id: string): void {
    const calendar = this.calendar(email);
    const stored = calendar.events.get(id);
    if (stored && !stored.deleted) {
      stored.deleted = true;
      stored.deletedAt = this.now();
      stored.seq = ++this.seq;
      stored.updated = new Date(this.now()).toISOString();
      return;
    }
    const { master } = this.instanceOf(calendar, id);
    master.exceptions.set(id, { seq: ++this.seq, cancelled: true, patch: master.exceptions.get(id)?.patch ?? {} });
  }

  /**
   * "This and following events": the series ends before the instance `fromInstanceId` (its rule
   * gets an UNTIL, as the truncated series of OutlookGoogleCalendarSync #2123 shows) and a new
   * series carries on from there with `changes` applied: the earlier occurrences keep one
   * recurringEventId, the later ones have another (google-api-php-client #2009), an `_R` id built
   * from the old one and the split's start (odoo/odoo #287171 rebuilds "the old `_R` id"). Google
   * warns that ids are opaque and their format may change (OutlookGoogleCalendarSync #2205): the
   * product never reads them. Returns the new series' id.
   */
  splitSeries(email: string, seriesId: string, fromInstanceId: string, changes: EventInput): string {
    const calendar = this.calendar(email);
    const master = calendar.events.get(seriesId);
    if (!master || master.deleted) throw new Error(`No such series: ${seriesId}`);
    const instances = this.instancesOf(calendar, master);
    const index = instances.findIndex((i) => i.id === fromInstanceId);
    if (index <= 0) throw new Error(`No instance ${fromInstanceId} after the first of ${seriesId}`);
    const from = instances[index]!;
    const startMs = instantOf(from.resource.start, calendar.timeZone);
    const rule = parseRule(master.resource.recurrence ?? []);
    const rrule = (master.resource.recurrence ?? []).find((r) => r.startsWith('RRULE:'))!;
    const withoutEnd = rrule.replace(/;(COUNT|UNTIL)=[^;]*/g, '');
    const untilInstant = startMs - 1000;
    const until = new Date(untilInstant).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const rest = master.resource.recurrence!.filter((r) => !r.startsWith('RRULE:'));
    const newId = `${seriesId}_R${localOf(startMs, from.resource.start?.timeZone ?? calendar.timeZone).replace(/[-:]/g, '')}`;
    const following = rule.count === undefined ? withoutEnd : `${withoutEnd};COUNT=${rule.count - index}`;
    const { id: _id, ...fields } = master.resource;
    this.putEvent(email, { ...fields, id: seriesId, recurrence: [...rest, `${withoutEnd};UNTIL=${until}`] });
    this.putEvent(email, { ...fields, start: from.resource.start, end: from.resource.end, recurrence: [...rest, following], ...changes, id: newId });
    return newId;
  }

  /** Makes every sync token (of one user, or of all) answer 410 Gone. */
  expireSyncTokens(email?: string): number {
    let count = 0;
    for (const state of this.syncTokens.values()) {
      if (state.valid && (email === undefined || state.email === email.toLowerCase())) {
        state.valid = false;
        count += 1;
      }
    }
    return count;
  }

  calendarResource(email: string): Record<string, unknown> {
    const calendar = this.calendar(email);
    return {
      kind: 'calendar#calendar',
      etag: `"${calendar.email.length}${this.seq}"`,
      id: calendar.email,
      summary: calendar.email,
      timeZone: calendar.timeZone,
      conferenceProperties: { allowedConferenceSolutionTypes: ['hangoutsMeet'] },
    };
  }

  /** All entries of a list request (paging is the caller's), or why the token cannot be used. */
  list(query: ListQuery): ListOutcome {
    const calendar = this.calendar(query.email);
    const now = this.now();
    let since: number | undefined;
    if (query.syncToken !== undefined) {
      const state = this.syncTokens.get(query.syncToken);
      if (!state || !state.valid || state.email !== calendar.email || now - state.issuedAt > this.syncTokenMaxAgeMs) return { kind: 'gone' };
      // events.list: "All other query parameters should be the same as for the initial
      // synchronization to avoid undefined behavior." What Google does otherwise is not
      // documented: here a 400, which a client must turn into a full sync on its own.
      if (state.query !== query.signature) return { kind: 'query-mismatch' };
      since = state.seq;
    }
    // Deleted entries always come with a sync token ("it is not allowed to set showDeleted to False").
    const withDeleted = since !== undefined || query.showDeleted;
    const entries: Entry[] = [];
    for (const stored of calendar.events.values()) {
      if (stored.resource.hiddenInvitation === true && !query.showHiddenInvitations) continue;
      const recurring = (stored.resource.recurrence?.length ?? 0) > 0;
      const changed = since === undefined || stored.seq > since;
      if (stored.deleted) {
        if (changed && withDeleted) entries.push(this.deletedEntry(calendar, stored));
        else if (since === undefined && this.isGhost(calendar, stored, now)) entries.push(this.deletedEntry(calendar, stored));
        if (recurring && query.singleEvents && changed && withDeleted) entries.push(...this.cancelledOccurrences(calendar, stored));
        continue;
      }
      if (!recurring || !query.singleEvents) {
        if (!changed) continue;
        const cancelled = stored.resource.status === 'cancelled';
        if (cancelled && !withDeleted) continue;
        entries.push(cancelled ? this.deletedEntry(calendar, stored) : this.entry(calendar, stored, stored.resource, stored.seq));
        continue;
      }
      for (const instance of this.instancesOf(calendar, stored)) {
        if (!(changed || instance.seq > (since ?? 0))) continue;
        if (instance.cancelled && !withDeleted) continue;
        entries.push(instance.cancelled ? cancelledInstance(instance.id, instance.seq, stored.id, instance.originalStart) : this.entry(calendar, stored, instance.resource, instance.seq));
      }
    }
    if (since !== undefined && query.singleEvents) {
      for (const t of calendar.tombstones.values()) if (t.seq > since) entries.push(cancelledInstance(t.id, t.seq, t.recurringEventId, t.originalStartTime));
    }
    const inWindow =
      since !== undefined
        ? entries
        : entries.filter((e) => e.ignoresWindow === true || ((query.timeMin === undefined || e.endMs > query.timeMin) && (query.timeMax === undefined || e.startMs < query.timeMax)));
    inWindow.sort((a, b) => a.startMs - b.startMs || String(a.item.id).localeCompare(String(b.item.id)));
    const token = `${randomBytes(12).toString('base64url')}=`;
    this.syncTokens.set(token, { email: calendar.email, seq: this.seq, issuedAt: now, query: query.signature, valid: true });
    return { kind: 'ok', items: inWindow.map((e) => limitAttendees(e.item, query.maxAttendees)), nextSyncToken: token };
  }

  /** events.instances: the occurrences of a series in a time range, or why there are none. */
  instances(
    email: string,
    seriesId: string,
    query: { timeMin: number | undefined; timeMax: number | undefined; showDeleted: boolean; maxAttendees: number | undefined },
  ): { kind: 'ok'; items: Array<Record<string, unknown>> } | { kind: 'gone' } | { kind: 'not-found' } {
    const calendar = this.calendar(email);
    const stored = calendar.events.get(seriesId);
    if (!stored) return { kind: 'not-found' };
    if (stored.deleted) return { kind: 'gone' };
    const recurring = (stored.resource.recurrence?.length ?? 0) > 0;
    const entries = recurring
      ? this.instancesOf(calendar, stored)
          .filter((i) => query.showDeleted || !i.cancelled)
          .map((i) => (i.cancelled ? cancelledInstance(i.id, i.seq, stored.id, i.originalStart) : this.entry(calendar, stored, i.resource, i.seq)))
      : [this.entry(calendar, stored, stored.resource, stored.seq)];
    const inRange = entries.filter((e) => e.startMs === 0 || ((query.timeMin === undefined || e.endMs > query.timeMin) && (query.timeMax === undefined || e.startMs < query.timeMax)));
    inRange.sort((a, b) => a.startMs - b.startMs);
    return { kind: 'ok', items: inRange.map((e) => limitAttendees(e.item, query.maxAttendees)) };
  }

  private calendar(email: string): Calendar {
    const calendar = this.calendars.get(email.toLowerCase());
    if (!calendar) throw new Error(`No such user in the Google emulator: ${email}`);
    return calendar;
  }

  private instanceOf(calendar: Calendar, id: string): { master: StoredEvent } {
    const cut = id.lastIndexOf('_');
    const master = cut > 0 ? calendar.events.get(id.slice(0, cut)) : undefined;
    if (!master || master.deleted || !this.instancesOf(calendar, master).some((i) => i.id === id)) throw new Error(`No such event or instance: ${id}`);
    return { master };
  }

  /** The occurrences of a series with their exceptions applied. */
  private instancesOf(calendar: Calendar, master: StoredEvent): Array<{ id: string; seq: number; cancelled: boolean; resource: EventInput; originalStart: Record<string, string> }> {
    if ((master.resource.recurrence?.length ?? 0) === 0) return [];
    const rule = parseRule(master.resource.recurrence ?? []);
    const start = master.resource.start ?? {};
    const end = master.resource.end ?? {};
    const out: Array<{ id: string; seq: number; cancelled: boolean; resource: EventInput; originalStart: Record<string, string> }> = [];
    const allDay = start.date !== undefined && end.date !== undefined;
    const zone = start.timeZone ?? calendar.timeZone;
    const first = allDay ? start.date! : localOf(Date.parse(start.dateTime ?? ''), zone).slice(0, 10);
    const limit = Math.min(rule.count ?? MAX_INSTANCES, MAX_INSTANCES);
    for (const date of occurrenceDates(rule, first)) {
      if (out.length >= limit) break;
      let resourceStart: EventInput['start'];
      let resourceEnd: EventInput['end'];
      let id: string;
      let originalStart: Record<string, string>;
      if (allDay) {
        const days = (Date.parse(end.date!) - Date.parse(start.date!)) / DAY;
        if (rule.until !== undefined && Date.parse(`${date}T00:00:00Z`) > rule.until) break;
        resourceStart = { date };
        resourceEnd = { date: addDays(date, days) };
        id = `${master.id}_${date.replace(/-/g, '')}`;
        originalStart = { date };
      } else {
        const firstMs = Date.parse(start.dateTime ?? '');
        const duration = Date.parse(end.dateTime ?? '') - firstMs;
        const at = localToInstant(`${date}${localOf(firstMs, zone).slice(10)}`, zone);
        if (rule.until !== undefined && at > rule.until) break;
        resourceStart = { dateTime: new Date(at).toISOString(), timeZone: zone };
        resourceEnd = { dateTime: new Date(at + duration).toISOString(), timeZone: end.timeZone ?? zone };
        id = `${master.id}_${new Date(at).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}`;
        originalStart = { dateTime: formatInZone(at, calendar.timeZone), timeZone: zone };
      }
      const exception = master.exceptions.get(id);
      const { recurrence: _r, ...rest } = master.resource;
      out.push({
        id,
        seq: exception?.seq ?? master.seq,
        cancelled: exception?.cancelled ?? false,
        resource: { ...rest, start: resourceStart, end: resourceEnd, ...exception?.patch, id, recurringEventId: master.id, originalStartTime: originalStart },
        originalStart,
      });
    }
    return out;
  }

  /** The cancelled occurrences an incremental sync sends for a deleted series (google-api-ruby-client #860). */
  private cancelledOccurrences(calendar: Calendar, stored: StoredEvent): Entry[] {
    const from = stored.deletedAt ?? 0;
    return this.instancesOf(calendar, stored)
      .filter((i) => {
        const at = instantOf(i.resource.start, calendar.timeZone);
        return at >= from && at < from + CANCELLED_OCCURRENCES_MS;
      })
      .map((i) => cancelledInstance(i.id, stored.seq, stored.id, i.originalStart));
  }

  /** A deleted series, or someone else's deleted invitation, that a full listing still returns. */
  private isGhost(calendar: Calendar, stored: StoredEvent, now: number): boolean {
    const recent = stored.deletedAt !== undefined && now - stored.deletedAt < GHOST_MS;
    return recent && ((stored.resource.recurrence?.length ?? 0) > 0 || !this.ownedBy(calendar, stored.resource));
  }

  private entry(calendar: Calendar, stored: StoredEvent, resource: EventInput, seq: number): Entry {
    const item = this.wire(calendar, stored, resource, seq);
    return { item, startMs: instantOf(resource.start, calendar.timeZone), endMs: instantOf(resource.end, calendar.timeZone) };
  }

  /**
   * A deleted event or series under its own id. The sync guide promises only the id ("Deleted
   * events are only guaranteed to have the id field populated"); the field sees more
   * (OutlookGoogleCalendarSync #2123: a deleted series with its start, end and recurrence,
   * `summary` null; #2124: "because the Event was organised by someone else … it has more detail
   * associated despite it being cancelled", the summary included). Listed whatever the window.
   */
  private deletedEntry(calendar: Calendar, stored: StoredEvent): Entry {
    const wire = this.wire(calendar, stored, stored.resource);
    const item: Record<string, unknown> = { kind: 'calendar#event', etag: `"${stored.seq}"`, id: stored.id, status: 'cancelled', updated: stored.updated };
    const series = (stored.resource.recurrence?.length ?? 0) > 0;
    const own = this.ownedBy(calendar, stored.resource);
    if (series || !own) Object.assign(item, { start: wire.start, end: wire.end, organizer: wire.organizer, ...(series ? { recurrence: stored.resource.recurrence } : {}) });
    if (!own && stored.resource.summary !== undefined) item.summary = stored.resource.summary;
    return { item, startMs: instantOf(stored.resource.start, calendar.timeZone), endMs: instantOf(stored.resource.end, calendar.timeZone), ignoresWindow: true };
  }

  private ownedBy(calendar: Calendar, resource: EventInput): boolean {
    const organizer = organizerOf(resource, calendar.email);
    return organizer === '' || organizer.toLowerCase() === calendar.email;
  }

  private wire(calendar: Calendar, stored: StoredEvent, resource: EventInput, seq = stored.seq): Record<string, unknown> {
    const time = (t: EventInput['start']): Record<string, string> | undefined => {
      if (t === undefined) return undefined;
      if (t.date !== undefined) return { date: t.date };
      const at = Date.parse(t.dateTime ?? '');
      return { dateTime: formatInZone(at, calendar.timeZone), timeZone: t.timeZone ?? calendar.timeZone };
    };
    const { id, start, end, attendees, organizer: _organizer, hiddenInvitation: _hidden, ...fields } = resource;
    const organizerEmail = organizerOf(resource, calendar.email) || calendar.email;
    // `self` is Google's match of an address against the calendar's owner, whatever its case. An
    // alias of the owner is not matched: no source says Google resolves aliases there, so the
    // less kind reading (an invitation to an alias has no `self` attendee) is the one kept.
    const own = organizerEmail.toLowerCase() === calendar.email;
    // Google leaves `self` out where it is false.
    return {
      kind: 'calendar#event',
      etag: `"${seq}"`,
      id,
      status: 'confirmed',
      htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(`${id} ${calendar.email}`).toString('base64url')}`,
      created: stored.created,
      updated: stored.updated,
      creator: { email: calendar.email, self: true },
      organizer: own ? { ...resource.organizer, email: calendar.email, self: true } : { ...resource.organizer, email: organizerEmail },
      iCalUID: `${stored.id}@google.com`,
      sequence: 0,
      eventType: 'default',
      ...fields,
      start: time(start),
      end: time(end),
      ...(attendees ? { attendees: attendees.map((a) => (a.email.toLowerCase() === calendar.email ? { ...a, self: true } : a)) } : {}),
    };
  }
}

/**
 * Shapes Google refuses with a 400 (events reference, eventType: "Out-of-office events cannot
 * be all-day", "Focus-time events cannot be all-day"; guides/calendar-status: a working location
 * event is created with `transparency: transparent` and `visibility: public`). The exact body
 * Google answers was not found in any source: the reason and message here are the emulator's
 * own, in Google's error shape.
 */
function refuseShape(input: EventInput): void {
  const allDay = input.start?.date !== undefined;
  if (allDay && (input.eventType === 'outOfOffice' || input.eventType === 'focusTime')) {
    throw new GoogleRefusal('invalid', `${input.eventType === 'outOfOffice' ? 'Out of office' : 'Focus time'} events cannot be all-day events.`);
  }
  if (input.eventType === 'workingLocation' && (input.transparency !== 'transparent' || input.visibility !== 'public')) {
    throw new GoogleRefusal('invalid', 'A working location event must be transparent and public.');
  }
}

/** The organizer's address as given or implied (EventInput.organizer); '' for the calendar's owner. */
function organizerOf(resource: EventInput, owner: string): string {
  if (resource.organizer !== undefined) return resource.organizer.email;
  const attendees = resource.attendees ?? [];
  const marked = attendees.find((a) => a.organizer === true);
  if (marked) return marked.email;
  // Google lists the organizer among the attendees, marked, whenever there are attendees: a list
  // without the mark is someone else's invitation (to the owner, or to a group she is in), sent
  // by the first attendee who is not the owner.
  return attendees.find((a) => a.email.toLowerCase() !== owner)?.email ?? '';
}

function instantOf(t: EventInput['start'], zone: string): number {
  return t?.date !== undefined ? localToInstant(`${t.date}T00:00:00`, zone) : Date.parse(t?.dateTime ?? '');
}

// Cancelled instances name their series and original start (https://developers.google.com/calendar/api/guides/sync).
function cancelledInstance(id: string, seq: number, recurringEventId: string, originalStartTime: Record<string, string>): Entry {
  return { item: { kind: 'calendar#event', etag: `"${seq}"`, id, status: 'cancelled', recurringEventId, originalStartTime }, startMs: 0, endMs: 0 };
}

// "If there are more than the specified number of attendees, only the participant is returned."
function limitAttendees(item: Record<string, unknown>, max: number | undefined): Record<string, unknown> {
  const attendees = item.attendees as Array<{ self?: boolean }> | undefined;
  if (max === undefined || !attendees || attendees.length <= max) return item;
  return { ...item, attendees: attendees.filter((a) => a.self === true), attendeesOmitted: true };
}

function newEventId(): string {
  const bytes = randomBytes(26);
  return Array.from(bytes, (b) => EVENT_ID_ALPHABET[b % 32]).join('');
}
