/**
 * What the Graph emulator knows: app registrations, users (mailboxes) with settings, events
 * (single and simple daily / weekly series with changeable or cancelled occurrences), and a
 * change log per user, by event, from which calendarView/delta answers "what changed since token".
 */
import { randomBytes, randomUUID } from 'node:crypto';
import windowsIana from 'windows-iana';
import { addDays, formatInZone, isTimeZone, zonedTimeToInstant } from '../../../shared/domain/time-zone.js';

export type MailboxAccess = 'ok' | 'accessDenied' | 'restDisabled';

/**
 * Application permissions the emulator checks. Calendars.Read and MailboxSettings.Read stand for
 * the Exchange RBAC for Applications roles as much as for Entra ID grants; User.Read.All is
 * only ever an Entra ID grant (RBAC for Applications has no directory roles).
 */
export const GRAPH_PERMISSIONS = ['Calendars.Read', 'MailboxSettings.Read', 'User.Read.All'] as const;
export type GraphPermission = (typeof GRAPH_PERMISSIONS)[number];

export interface GraphAppRegistration {
  readonly clientId: string;
  /** What the app was granted; default all of GRAPH_PERMISSIONS. */
  readonly permissions?: readonly GraphPermission[] | undefined;
  readonly clientSecret?: string | undefined;
  /** Certificate credential: the thumbprint msal sends as x5t (SHA-1) or x5t#S256, and the key that verifies the assertion. */
  readonly certificate?: { readonly thumbprint: string; readonly publicKeyPem: string } | undefined;
}

export interface AutomaticRepliesSeed {
  readonly status: 'disabled' | 'alwaysEnabled' | 'scheduled';
  /** Wall-clock start/end in `timeZone` (Graph dateTimeTimeZone). */
  readonly scheduledStartDateTime?: { dateTime: string; timeZone: string } | undefined;
  readonly scheduledEndDateTime?: { dateTime: string; timeZone: string } | undefined;
}

export interface SeedUser {
  /** The primary SMTP address (`mail`). */
  readonly address: string;
  /** Default: the address. Many organisations sign in with a UPN that is not the mail address. */
  readonly userPrincipalName?: string | undefined;
  /** Further SMTP addresses the mailbox receives mail for (`proxyAddresses` as `smtp:…`). */
  readonly aliases?: readonly string[] | undefined;
  readonly id?: string | undefined;
  readonly displayName?: string | undefined;
  /** Windows (or IANA) zone name, as mailboxSettings.timeZone holds it. Default "UTC". */
  readonly timeZone?: string | undefined;
  readonly automaticReplies?: AutomaticRepliesSeed | undefined;
  readonly access?: MailboxAccess | undefined;
}

export interface EventFields {
  readonly subject: string;
  /** UTC instants (ISO); for all-day events midnight of the first day and of the day after the last. */
  readonly start: string;
  readonly end: string;
  readonly isAllDay?: boolean | undefined;
  readonly showAs?: 'free' | 'tentative' | 'busy' | 'oof' | 'workingElsewhere' | 'unknown' | undefined;
  readonly sensitivity?: 'normal' | 'personal' | 'private' | 'confidential' | undefined;
  readonly categories?: readonly string[] | undefined;
  readonly isCancelled?: boolean | undefined;
  readonly isOnlineMeeting?: boolean | undefined;
  readonly location?: string | undefined;
  readonly response?: 'none' | 'organizer' | 'tentativelyAccepted' | 'accepted' | 'declined' | 'notResponded' | undefined;
}

export interface SeedEvent extends EventFields {
  readonly id?: string | undefined;
  /** A simple series: `count` occurrences every `interval` days or weeks from `start`. */
  readonly recurrence?: { readonly type: 'daily' | 'weekly'; readonly interval?: number | undefined; readonly count: number } | undefined;
}

export type EventPatch = Partial<EventFields>;

export interface StoredUser {
  readonly id: string;
  readonly address: string;
  readonly userPrincipalName: string;
  /** `SMTP:` the primary address, `smtp:` each alias, as Entra ID lists them. */
  readonly proxyAddresses: readonly string[];
  readonly displayName: string;
  timeZone: string;
  automaticReplies: AutomaticRepliesSeed;
  access: MailboxAccess;
  /** Bumped by "expire delta tokens": older tokens get 410. */
  generation: number;
}

interface StoredEvent {
  readonly id: string;
  readonly userId: string;
  fields: EventFields;
  readonly recurrence: SeedEvent['recurrence'];
  readonly createdDateTime: string;
  lastModifiedDateTime: string;
  changeKey: string;
  readonly overrides: Map<string, EventPatch>;
  readonly cancelledOccurrences: Set<string>;
}

/** One entry of a calendar view: a single event, or one occurrence / exception of a series; or a series master. */
export interface Instance {
  readonly id: string;
  readonly type: 'singleInstance' | 'occurrence' | 'exception' | 'seriesMaster';
  readonly seriesMasterId: string | undefined;
  /** A series master's pattern. */
  readonly recurrence?: SeedEvent['recurrence'];
  /** A series master's, an occurrence's or an exception's start: the first occurrence's, the original one's. */
  readonly fields: EventFields;
  readonly createdDateTime: string;
  readonly lastModifiedDateTime: string;
  readonly changeKey: string;
}

interface ChangeEntry {
  readonly seq: number;
  readonly eventId: string;
  /** The event's instances before this change (none when the change created it). */
  readonly before: readonly Instance[];
}

/** An event changed after some point: as it is now (undefined when deleted), and where its instances were. */
export interface ChangedEvent {
  readonly eventId: string;
  /** The single event, or the series master; undefined once deleted. */
  readonly now: Instance | undefined;
  /** Its instances (occurrences and exceptions for a series) now. */
  readonly instances: readonly Instance[];
  /** Every instance it had before any of the changes. */
  readonly before: readonly Instance[];
}

export interface Subscription {
  readonly id: string;
  readonly userId: string;
  readonly resource: string;
  readonly changeType: string;
  readonly notificationUrl: string;
  readonly lifecycleNotificationUrl: string | undefined;
  readonly clientState: string | undefined;
  readonly applicationId: string;
  expirationDateTime: string;
}

/** A change worth a notification: which event, how. */
export interface EventChange {
  readonly userId: string;
  readonly eventId: string;
  readonly changeType: 'created' | 'updated' | 'deleted';
}

export const newGraphId = (): string => `AAMkA${randomBytes(24).toString('base64url')}=`;
const newChangeKey = (): string => randomBytes(12).toString('base64');

/** mailboxSettings may hold a Windows zone name; the expansion needs the IANA one. */
function ianaZone(name: string): string {
  if (isTimeZone(name)) return name;
  return windowsIana.findIana(name)[0] ?? 'UTC';
}

export const overlaps = (start: string, end: string, windowStart: string, windowEnd: string): boolean =>
  Date.parse(start) < Date.parse(windowEnd) && Date.parse(end) > Date.parse(windowStart);

export class GraphEmulatorState {
  readonly apps = new Map<string, GraphAppRegistration>();
  readonly subscriptions = new Map<string, Subscription>();
  private readonly users = new Map<string, StoredUser>();
  /** Events by id, and by user (calendar reads scan one user's events, not everyone's). */
  private readonly events = new Map<string, StoredEvent>();
  private readonly eventsByUser = new Map<string, Map<string, StoredEvent>>();
  private readonly changes = new Map<string, ChangeEntry[]>();
  private sequence = 0;

  constructor(
    readonly tenantId: string,
    private readonly onChange: (change: EventChange) => void,
  ) {}

  get seq(): number {
    return this.sequence;
  }

  addUser(seed: SeedUser): StoredUser {
    const address = seed.address.toLowerCase();
    const user: StoredUser = {
      id: seed.id ?? randomUUID(),
      address,
      userPrincipalName: (seed.userPrincipalName ?? address).toLowerCase(),
      proxyAddresses: [`SMTP:${address}`, ...(seed.aliases ?? []).map((a) => `smtp:${a.toLowerCase()}`)],
      displayName: seed.displayName ?? seed.address.split('@')[0] ?? seed.address,
      timeZone: seed.timeZone ?? 'UTC',
      automaticReplies: seed.automaticReplies ?? { status: 'disabled' },
      access: seed.access ?? 'ok',
      generation: 0,
    };
    this.users.set(user.id, user);
    this.changes.set(user.id, []);
    return user;
  }

  /**
   * As Graph finds `/users/{id | userPrincipalName}`: by object id or UPN, never by mail address.
   * A mail address that is not the UPN is not found, whatever Exchange delivers to it
   * (microsoft-graph-docs #3979: "UPN != email address … cannot be relied upon").
   */
  findUser(key: string): StoredUser | undefined {
    const byId = this.users.get(key);
    if (byId) return byId;
    const upn = key.toLowerCase();
    for (const user of this.users.values()) if (user.userPrincipalName === upn) return user;
    return undefined;
  }

  /** Users a directory filter clause matches (`mail`, `userPrincipalName`, `proxyAddresses` compare case-insensitively). */
  usersWhere(property: 'mail' | 'userPrincipalName' | 'proxyAddresses', value: string): StoredUser[] {
    const wanted = value.toLowerCase();
    return [...this.users.values()].filter((u) =>
      property === 'mail' ? u.address === wanted : property === 'userPrincipalName' ? u.userPrincipalName === wanted : u.proxyAddresses.some((p) => p.toLowerCase() === wanted),
    );
  }

  allUsers(): StoredUser[] {
    return [...this.users.values()];
  }

  /** For the control API: by object id, UPN or mail address. */
  user(key: string): StoredUser {
    const user = this.findUser(key) ?? this.usersWhere('mail', key)[0];
    if (!user) throw new Error(`emulator: no user ${key}`);
    return user;
  }

  /** Every instance of the user's calendar, series expanded, sorted by start. */
  instances(userId: string): Instance[] {
    const out: Instance[] = [];
    for (const event of this.eventsByUser.get(userId)?.values() ?? []) out.push(...this.expand(event));
    return out.sort((a, b) => a.fields.start.localeCompare(b.fields.start) || a.id.localeCompare(b.id));
  }

  instance(userId: string, instanceId: string): Instance | undefined {
    return this.instances(userId).find((i) => i.id === instanceId);
  }

  /** The series master (or single event) with this id, as an instance; undefined when there is none. */
  master(userId: string, eventId: string): Instance | undefined {
    const event = this.eventsByUser.get(userId)?.get(eventId);
    return event ? this.head(event) : undefined;
  }

  /** The instances of one series (occurrences and exceptions); undefined when there is no such series. */
  seriesInstances(userId: string, seriesId: string): Instance[] | undefined {
    const event = this.eventsByUser.get(userId)?.get(seriesId);
    return event?.recurrence ? this.expand(event) : undefined;
  }

  /** Events changed after `since`, in the order of their first change. */
  changedSince(userId: string, since: number): ChangedEvent[] {
    const before = new Map<string, Instance[]>();
    for (const entry of this.changes.get(userId) ?? []) {
      if (entry.seq <= since) continue;
      before.set(entry.eventId, [...(before.get(entry.eventId) ?? []), ...entry.before]);
    }
    return [...before].map(([eventId, was]) => {
      const event = this.eventsByUser.get(userId)?.get(eventId);
      return { eventId, now: event ? this.head(event) : undefined, instances: event ? this.expand(event) : [], before: was };
    });
  }

  addEvent(userKey: string, seed: SeedEvent): string {
    const user = this.user(userKey);
    const now = new Date().toISOString();
    const { id, recurrence, ...fields } = seed;
    const event: StoredEvent = {
      id: id ?? newGraphId(),
      userId: user.id,
      fields,
      recurrence,
      createdDateTime: now,
      lastModifiedDateTime: now,
      changeKey: newChangeKey(),
      overrides: new Map(),
      cancelledOccurrences: new Set(),
    };
    this.mutate(user.id, event.id, [], () => {
      this.events.set(event.id, event);
      const own = this.eventsByUser.get(user.id) ?? new Map<string, StoredEvent>();
      own.set(event.id, event);
      this.eventsByUser.set(user.id, own);
    });
    this.onChange({ userId: user.id, eventId: event.id, changeType: 'created' });
    return event.id;
  }

  updateEvent(userKey: string, eventId: string, patch: EventPatch): void {
    const event = this.event(userKey, eventId);
    this.mutate(event.userId, event.id, this.expand(event), () => {
      event.fields = { ...event.fields, ...patch };
      this.touch(event);
    });
    this.onChange({ userId: event.userId, eventId, changeType: 'updated' });
  }

  deleteEvent(userKey: string, eventId: string): void {
    const event = this.event(userKey, eventId);
    this.mutate(event.userId, event.id, this.expand(event), () => {
      this.events.delete(eventId);
      this.eventsByUser.get(event.userId)?.delete(eventId);
    });
    this.onChange({ userId: event.userId, eventId, changeType: 'deleted' });
  }

  /** Turns one occurrence into an exception with these changes. */
  updateOccurrence(userKey: string, seriesId: string, occurrenceId: string, patch: EventPatch): void {
    const event = this.series(userKey, seriesId, occurrenceId);
    this.mutate(event.userId, event.id, this.expand(event), () => {
      event.overrides.set(occurrenceId, { ...(event.overrides.get(occurrenceId) ?? {}), ...patch });
      this.touch(event);
    });
    this.onChange({ userId: event.userId, eventId: seriesId, changeType: 'updated' });
  }

  /** Cancels (removes) one occurrence of a series, as Outlook does. */
  cancelOccurrence(userKey: string, seriesId: string, occurrenceId: string): void {
    const event = this.series(userKey, seriesId, occurrenceId);
    this.mutate(event.userId, event.id, this.expand(event), () => {
      event.cancelledOccurrences.add(occurrenceId);
      this.touch(event);
    });
    this.onChange({ userId: event.userId, eventId: seriesId, changeType: 'updated' });
  }

  private event(userKey: string, eventId: string): StoredEvent {
    const user = this.user(userKey);
    const event = this.events.get(eventId);
    if (!event || event.userId !== user.id) throw new Error(`emulator: no event ${eventId} for ${userKey}`);
    return event;
  }

  private series(userKey: string, seriesId: string, occurrenceId: string): StoredEvent {
    const event = this.event(userKey, seriesId);
    if (!event.recurrence) throw new Error(`emulator: ${seriesId} is not a series`);
    if (!this.occurrenceStarts(event).some((o) => o.id === occurrenceId)) throw new Error(`emulator: no occurrence ${occurrenceId}`);
    return event;
  }

  private touch(event: StoredEvent): void {
    event.lastModifiedDateTime = new Date().toISOString();
    event.changeKey = newChangeKey();
  }

  /**
   * Applies a change and logs it under one new sequence number, by event: Exchange tracks the
   * item that changed (a single event or a series master), not the occurrences it expands to.
   */
  private mutate(userId: string, eventId: string, before: Instance[], apply: () => void): void {
    apply();
    this.sequence += 1;
    const log = this.changes.get(userId) ?? [];
    log.push({ seq: this.sequence, eventId, before });
    this.changes.set(userId, log);
  }

  /**
   * A series repeats at the same wall-clock time in its organiser's zone, as Exchange expands
   * it: across a daylight-saving change its UTC times shift by the hour. All-day occurrences are
   * whole dates.
   */
  private occurrenceStarts(event: StoredEvent): Array<{ id: string; start: number }> {
    const r = event.recurrence;
    if (!r) return [];
    const days = (r.type === 'daily' ? 1 : 7) * (r.interval ?? 1);
    const first = Date.parse(event.fields.start);
    const zone = event.fields.isAllDay ? 'UTC' : ianaZone(this.users.get(event.userId)?.timeZone ?? 'UTC');
    const local = formatInZone(first, zone);
    const [date, hh, mm, ss] = [local.slice(0, 10), Number(local.slice(11, 13)), Number(local.slice(14, 16)), first % 60_000];
    // An occurrence's id names its series and its start, so re-timing a series gives every
    // occurrence a new id, as Exchange does (the old ids are simply never seen again).
    return Array.from({ length: r.count }, (_, n) => {
      const start = zonedTimeToInstant(addDays(date, n * days), hh, mm, zone) + ss;
      return { id: `${event.id.replace(/=$/, '')}_${new Date(start).toISOString().replace(/[-:]|\.\d+/g, '')}=`, start };
    });
  }

  private base(event: StoredEvent): Pick<Instance, 'createdDateTime' | 'lastModifiedDateTime' | 'changeKey'> {
    // Occurrences live inside their master's item: they share its change key.
    return { createdDateTime: event.createdDateTime, lastModifiedDateTime: event.lastModifiedDateTime, changeKey: event.changeKey };
  }

  /** The event itself: a single instance, or the series master with the first occurrence's start and end. */
  private head(event: StoredEvent): Instance {
    return event.recurrence
      ? { id: event.id, type: 'seriesMaster', seriesMasterId: undefined, recurrence: event.recurrence, fields: event.fields, ...this.base(event) }
      : { id: event.id, type: 'singleInstance', seriesMasterId: undefined, fields: event.fields, ...this.base(event) };
  }

  private expand(event: StoredEvent): Instance[] {
    const base = this.base(event);
    if (!event.recurrence) return [this.head(event)];
    const length = Date.parse(event.fields.end) - Date.parse(event.fields.start);
    return this.occurrenceStarts(event)
      .filter((o) => !event.cancelledOccurrences.has(o.id))
      .map((o) => {
        const override = event.overrides.get(o.id);
        const fields: EventFields = {
          ...event.fields,
          start: new Date(o.start).toISOString(),
          end: new Date(o.start + length).toISOString(),
          ...(override ?? {}),
        };
        return { id: o.id, type: override ? 'exception' : 'occurrence', seriesMasterId: event.id, fields, ...base };
      });
  }
}
