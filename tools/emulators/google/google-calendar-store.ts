/**
 * The emulator's calendars: users with a time zone and their events (single, recurring with a
 * simple RRULE, instance exceptions), a change sequence for sync tokens, and list pages.
 * Wire shapes follow https://developers.google.com/calendar/api/v3/reference/events.
 */
import { randomBytes } from 'node:crypto';
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
  /** Only `RRULE:FREQ=DAILY|WEEKLY[;INTERVAL=n][;COUNT=n|;UNTIL=YYYYMMDD[THHMMSSZ]]`. */
  recurrence?: string[];
  /**
   * Who organises it: the calendar's owner unless given. An invitation from someone else, to a
   * group the owner belongs to, lists the group among the attendees and not the owner
   * (google-api-ruby-client #658, #881), so no attendee is `self`.
   */
  organizer?: { email: string; displayName?: string };
  attendees?: Array<{ email: string; responseStatus?: 'needsAction' | 'declined' | 'tentative' | 'accepted'; displayName?: string; optional?: boolean; organizer?: boolean }>;
  conferenceData?: Record<string, unknown>;
  [field: string]: unknown;
}

interface StoredEvent {
  readonly id: string;
  resource: EventInput;
  seq: number;
  deleted: boolean;
  readonly created: string;
  updated: string;
  /** Instance id → its exception (changed fields or cancellation). */
  readonly exceptions: Map<string, { seq: number; cancelled: boolean; patch: EventInput }>;
}

interface Calendar {
  readonly email: string;
  timeZone: string;
  readonly events: Map<string, StoredEvent>;
}

interface SyncTokenState {
  readonly email: string;
  readonly seq: number;
  valid: boolean;
}

/** One expanded entry: the wire item plus what the window filter and change filter need. */
interface Entry {
  readonly item: Record<string, unknown>;
  readonly startMs: number;
  readonly endMs: number;
}

export interface ListQuery {
  readonly email: string;
  readonly singleEvents: boolean;
  readonly showDeleted: boolean;
  readonly timeMin: number | undefined;
  readonly timeMax: number | undefined;
  readonly syncToken: string | undefined;
  readonly maxAttendees: number | undefined;
}

export type ListOutcome = { kind: 'ok'; items: Array<Record<string, unknown>>; nextSyncToken: string } | { kind: 'gone' };

// An open-ended series is expanded this far (the emulator needs simple recurrence only).
const MAX_INSTANCES = 400;
const EVENT_ID_ALPHABET = 'abcdefghijklmnopqrstuv0123456789'; // base32hex, as Google requires

export class GoogleCalendarStore {
  private seq = 0;
  private readonly calendars = new Map<string, Calendar>();
  private readonly syncTokens = new Map<string, SyncTokenState>();

  reset(): void {
    this.calendars.clear();
    this.syncTokens.clear();
  }

  addUser(email: string, timeZone = 'UTC'): void {
    const key = email.toLowerCase();
    const existing = this.calendars.get(key);
    if (existing) existing.timeZone = timeZone;
    else this.calendars.set(key, { email: key, timeZone, events: new Map() });
  }

  hasUser(email: string): boolean {
    return this.calendars.has(email.toLowerCase());
  }

  timeZone(email: string): string | undefined {
    return this.calendars.get(email.toLowerCase())?.timeZone;
  }

  /** Creates or replaces an event; returns it as the API would. */
  putEvent(email: string, input: EventInput, now = Date.now()): Record<string, unknown> {
    const calendar = this.calendar(email);
    const id = input.id ?? newEventId();
    const at = new Date(now).toISOString();
    const previous = calendar.events.get(id);
    const stored: StoredEvent = { id, resource: { ...input, id }, seq: ++this.seq, deleted: false, created: previous?.created ?? at, updated: at, exceptions: previous?.exceptions ?? new Map() };
    calendar.events.set(id, stored);
    return this.wire(calendar, stored, stored.resource);
  }

  /**
   * Changes fields of an event, or of one instance of a series when `id` is an instance id
   * (`{seriesId}_{originalStart}`, as events.list with singleEvents returns it).
   */
  patchEvent(email: string, id: string, patch: EventInput, now = Date.now()): void {
    const calendar = this.calendar(email);
    const stored = calendar.events.get(id);
    if (stored && !stored.deleted) {
      stored.resource = { ...stored.resource, ...patch, id };
      stored.seq = ++this.seq;
      stored.updated = new Date(now).toISOString();
      return;
    }
    const { master } = this.instanceOf(calendar, id);
    const previous = master.exceptions.get(id);
    master.exceptions.set(id, { seq: ++this.seq, cancelled: patch.status === 'cancelled', patch: { ...previous?.patch, ...patch } });
  }

  /** Deletes an event, or cancels one instance of a series. */
  deleteEvent(email: string, id: string, now = Date.now()): void {
    const calendar = this.calendar(email);
    const stored = calendar.events.get(id);
    if (stored && !stored.deleted) {
      stored.deleted = true;
      stored.seq = ++this.seq;
      stored.updated = new Date(now).toISOString();
      return;
    }
    const { master } = this.instanceOf(calendar, id);
    master.exceptions.set(id, { seq: ++this.seq, cancelled: true, patch: master.exceptions.get(id)?.patch ?? {} });
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

  /** All entries of a list request (paging is the caller's), or `gone` for an expired token. */
  list(query: ListQuery): ListOutcome {
    const calendar = this.calendar(query.email);
    let since: number | undefined;
    if (query.syncToken !== undefined) {
      const state = this.syncTokens.get(query.syncToken);
      if (!state || !state.valid || state.email !== calendar.email) return { kind: 'gone' };
      since = state.seq;
    }
    // Deleted entries always come with a sync token ("it is not allowed to set showDeleted to False").
    const withDeleted = since !== undefined || query.showDeleted;
    const entries: Entry[] = [];
    for (const stored of calendar.events.values()) {
      const recurring = (stored.resource.recurrence?.length ?? 0) > 0;
      if (!recurring || !query.singleEvents) {
        if (since !== undefined && stored.seq <= since) continue;
        const cancelled = stored.deleted || stored.resource.status === 'cancelled';
        if (cancelled && !withDeleted) continue;
        entries.push(cancelled ? this.deletedEntry(stored.id, stored.seq) : this.entry(calendar, stored, stored.resource, stored.seq));
        continue;
      }
      for (const instance of this.instances(calendar, stored)) {
        const changed = since === undefined || stored.seq > since || instance.seq > since;
        if (!changed) continue;
        const cancelled = stored.deleted || instance.cancelled;
        if (cancelled && !withDeleted) continue;
        entries.push(cancelled ? this.deletedEntry(instance.id, instance.seq, stored.id, instance.originalStart) : this.entry(calendar, stored, instance.resource, instance.seq));
      }
    }
    const inWindow = since !== undefined ? entries : entries.filter((e) => (query.timeMin === undefined || e.endMs > query.timeMin) && (query.timeMax === undefined || e.startMs < query.timeMax));
    inWindow.sort((a, b) => a.startMs - b.startMs || String(a.item.id).localeCompare(String(b.item.id)));
    const token = `${randomBytes(12).toString('base64url')}=`;
    this.syncTokens.set(token, { email: calendar.email, seq: this.seq, valid: true });
    return { kind: 'ok', items: inWindow.map((e) => limitAttendees(e.item, query.maxAttendees)), nextSyncToken: token };
  }

  private calendar(email: string): Calendar {
    const calendar = this.calendars.get(email.toLowerCase());
    if (!calendar) throw new Error(`No such user in the Google emulator: ${email}`);
    return calendar;
  }

  private instanceOf(calendar: Calendar, id: string): { master: StoredEvent } {
    const cut = id.lastIndexOf('_');
    const master = cut > 0 ? calendar.events.get(id.slice(0, cut)) : undefined;
    if (!master || master.deleted || !this.instances(calendar, master).some((i) => i.id === id)) throw new Error(`No such event or instance: ${id}`);
    return { master };
  }

  /** The occurrences of a series with their exceptions applied. */
  private instances(calendar: Calendar, master: StoredEvent): Array<{ id: string; seq: number; cancelled: boolean; resource: EventInput; originalStart: Record<string, string> }> {
    const rule = parseRule(master.resource.recurrence ?? []);
    const start = master.resource.start ?? {};
    const end = master.resource.end ?? {};
    const out: Array<{ id: string; seq: number; cancelled: boolean; resource: EventInput; originalStart: Record<string, string> }> = [];
    const step = rule.freq === 'WEEKLY' ? 7 * rule.interval : rule.interval;
    for (let n = 0; n < Math.min(rule.count ?? MAX_INSTANCES, MAX_INSTANCES); n += 1) {
      let resourceStart: EventInput['start'];
      let resourceEnd: EventInput['end'];
      let id: string;
      let originalStart: Record<string, string>;
      if (start.date !== undefined && end.date !== undefined) {
        const days = (Date.parse(end.date) - Date.parse(start.date)) / 86_400_000;
        const date = addDays(start.date, n * step);
        if (rule.until !== undefined && Date.parse(`${date}T00:00:00Z`) > rule.until) break;
        resourceStart = { date };
        resourceEnd = { date: addDays(date, days) };
        id = `${master.id}_${date.replace(/-/g, '')}`;
        originalStart = { date };
      } else {
        const zone = start.timeZone ?? calendar.timeZone;
        const first = Date.parse(start.dateTime ?? '');
        const duration = Date.parse(end.dateTime ?? '') - first;
        const local = localOf(first, zone);
        const at = localToInstant(`${addDays(local.slice(0, 10), n * step)}${local.slice(10)}`, zone);
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

  private entry(calendar: Calendar, stored: StoredEvent, resource: EventInput, seq: number): Entry {
    const item = this.wire(calendar, stored, resource, seq);
    const bound = (t: EventInput['start']): number =>
      t?.date !== undefined ? localToInstant(`${t.date}T00:00:00`, calendar.timeZone) : Date.parse(t?.dateTime ?? '');
    return { item, startMs: bound(resource.start), endMs: bound(resource.end) };
  }

  // "Deleted events are only guaranteed to have the id field populated"; cancelled instances
  // also name their series and original start (https://developers.google.com/calendar/api/guides/sync).
  private deletedEntry(id: string, seq: number, recurringEventId?: string, originalStartTime?: Record<string, string>): Entry {
    const item: Record<string, unknown> = { kind: 'calendar#event', etag: `"${seq}"`, id, status: 'cancelled' };
    if (recurringEventId !== undefined) Object.assign(item, { recurringEventId, originalStartTime });
    return { item, startMs: 0, endMs: 0 };
  }

  private wire(calendar: Calendar, stored: StoredEvent, resource: EventInput, seq = stored.seq): Record<string, unknown> {
    const time = (t: EventInput['start']): Record<string, string> | undefined => {
      if (t === undefined) return undefined;
      if (t.date !== undefined) return { date: t.date };
      const at = Date.parse(t.dateTime ?? '');
      return { dateTime: formatInZone(at, calendar.timeZone), timeZone: t.timeZone ?? calendar.timeZone };
    };
    const { id, start, end, attendees, organizer, ...fields } = resource;
    // Google leaves `self` out where it is false.
    const own = organizer === undefined || organizer.email.toLowerCase() === calendar.email;
    return {
      kind: 'calendar#event',
      etag: `"${seq}"`,
      id,
      status: 'confirmed',
      htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(`${id} ${calendar.email}`).toString('base64url')}`,
      created: stored.created,
      updated: stored.updated,
      creator: { email: calendar.email, self: true },
      organizer: own ? { ...organizer, email: calendar.email, self: true } : organizer,
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

function parseRule(recurrence: string[]): { freq: 'DAILY' | 'WEEKLY'; interval: number; count: number | undefined; until: number | undefined } {
  const rrule = recurrence.find((r) => r.startsWith('RRULE:'));
  const parts = new Map((rrule ?? '').slice(6).split(';').map((p) => p.split('=') as [string, string]));
  const freq = parts.get('FREQ');
  if (freq !== 'DAILY' && freq !== 'WEEKLY') throw new Error(`The Google emulator supports only FREQ=DAILY or WEEKLY, not ${rrule ?? 'none'}`);
  const untilRaw = parts.get('UNTIL');
  const until = untilRaw === undefined ? undefined : Date.parse(untilRaw.replace(/^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z)?$/, (_m, y, mo, d, h = '23', mi = '59', s = '59') => `${y}-${mo}-${d}T${h}:${mi}:${s}Z`));
  return { freq, interval: Number(parts.get('INTERVAL') ?? 1), count: parts.has('COUNT') ? Number(parts.get('COUNT')) : undefined, until };
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
