/**
 * The emulated Exchange organisation's mailboxes: who may reach each one (owner accounts, accounts
 * holding ApplicationImpersonation over it, delegates), its zone, its calendar (single items and
 * recurring masters with modified and deleted occurrences), its automatic-reply settings, and the
 * change log that SyncFolderItems and push subscriptions read. The log records masters and single
 * items only: an occurrence's change is a change of its master, because the synchronisation
 * service has "no calendaring logic" (MS:mailbox-synchronization-and-ews-in-exchange.md).
 */
import { randomBytes } from 'node:crypto';
import windowsIana from 'windows-iana';
import { expandSeries, type Recurrence } from './ews-recurrence.js';
import { localToInstant } from '../google/zoned-time.js';

export type FreeBusy = 'Free' | 'Tentative' | 'Busy' | 'OOF' | 'WorkingElsewhere' | 'NoData';
export type Sensitivity = 'Normal' | 'Personal' | 'Private' | 'Confidential';
export type ResponseType = 'Unknown' | 'Organizer' | 'Tentative' | 'Accept' | 'Decline' | 'NoResponseReceived';

/** The fields an item (or a modified occurrence) carries besides its times. */
export interface ItemFields {
  readonly subject: string;
  readonly location: string | undefined;
  readonly legacyFreeBusyStatus: FreeBusy;
  readonly sensitivity: Sensitivity;
  readonly categories: readonly string[];
  readonly isCancelled: boolean;
  /** Organizer when the mailbox organises it; an invitation's answer otherwise. */
  readonly myResponseType: ResponseType;
  /** The organiser's address (the mailbox's own unless an invitation). */
  readonly organizer: string;
  readonly isOnlineMeeting: boolean;
}

/** What a test writes: times as instants (`…Z` or with offset), or local dates `YYYY-MM-DD` for all-day events. */
export interface CalendarItemSeed {
  readonly subject?: string;
  readonly location?: string;
  readonly start: string;
  readonly end: string;
  readonly isAllDayEvent?: boolean;
  /** IANA zone of the organiser's wall clock (recurrence and all-day dates); the mailbox's zone unless given. */
  readonly timeZone?: string;
  readonly legacyFreeBusyStatus?: FreeBusy;
  readonly sensitivity?: Sensitivity;
  readonly categories?: readonly string[];
  readonly isCancelled?: boolean;
  readonly myResponseType?: ResponseType;
  readonly organizer?: string;
  readonly isOnlineMeeting?: boolean;
  readonly recurrence?: Recurrence;
  readonly uid?: string;
}

export type CalendarItemPatch = Partial<Omit<CalendarItemSeed, 'uid'>>;

/** What a test changes in one occurrence (it becomes an exception with its own fields and times). */
export type OccurrencePatch = Partial<Omit<ItemFields, 'organizer'>> & { readonly start?: string; readonly end?: string };

interface Exception {
  readonly deleted: boolean;
  readonly fields: Partial<ItemFields>;
  readonly startMs: number | undefined;
  readonly endMs: number | undefined;
}

export interface StoredItem {
  readonly id: string;
  readonly uid: string;
  version: number;
  fields: ItemFields;
  startMs: number;
  endMs: number;
  isAllDay: boolean;
  zone: string;
  recurrence: Recurrence | undefined;
  /** By the occurrence's original start. */
  readonly exceptions: Map<number, Exception>;
  lastModifiedMs: number;
}

export interface OofSettings {
  readonly state: 'Disabled' | 'Enabled' | 'Scheduled';
  readonly externalAudience: 'None' | 'Known' | 'All';
  /** Instants; Exchange always returns a Duration, even when Disabled. */
  readonly start: string;
  readonly end: string;
  readonly internalReply: string;
  readonly externalReply: string;
}

export interface MailboxSeed {
  readonly address: string;
  /** IANA zone; its Windows id is derived (TimeZoneContext takes Windows ids, MS:time-zones-and-ews-in-exchange.md). */
  readonly timeZone?: string;
  /**
   * false: the owner never chose a zone, so the mailbox has no OWA.UserOptions configuration
   * (GetUserConfiguration answers ErrorItemNotFound). Otherwise it holds the zone's Windows id,
   * as Set-MailboxRegionalConfiguration -TimeZone writes it.
   */
  readonly regionalConfiguration?: boolean;
  /** Accounts whose own mailbox this is (as the server authenticates them, e.g. `CONTOSO\\anna`). */
  readonly owners?: readonly string[];
  /** Accounts holding the ApplicationImpersonation right over this mailbox. */
  readonly impersonators?: readonly string[];
  /** Accounts with delegate (folder) access to the calendar. */
  readonly delegates?: readonly string[];
}

export type ChangeType = 'create' | 'update' | 'delete';

export interface ChangeRecord {
  readonly seq: number;
  readonly itemId: string;
  readonly type: ChangeType;
  readonly changeKey: string;
  readonly atMs: number;
}

export interface Mailbox {
  readonly address: string;
  timeZone: string;
  windowsZone: string;
  /** The Windows zone id under `timezone` in OWA.UserOptions; undefined: no such configuration. */
  regionalTimeZone: string | undefined;
  readonly owners: Set<string>;
  readonly impersonators: Set<string>;
  readonly delegates: Set<string>;
  readonly calendarFolderId: string;
  readonly items: Map<string, StoredItem>;
  readonly log: ChangeRecord[];
  oof: OofSettings;
}

/** One entry of an expanded calendar. */
export interface ViewEntry {
  readonly type: 'Single' | 'Occurrence' | 'Exception' | 'RecurringMaster';
  readonly itemId: string;
  readonly master: StoredItem;
  readonly fields: ItemFields;
  readonly startMs: number;
  readonly endMs: number;
  /** Occurrences and exceptions: the original start (RecurrenceId). */
  readonly originalStartMs: number | undefined;
  readonly index: number | undefined;
}

export type OccurrenceLookup =
  | { kind: 'found'; entry: ViewEntry }
  | { kind: 'deleted-occurrence' }
  | { kind: 'not-found' };

export const normaliseAccount = (account: string): string => account.trim().toLowerCase();

const newItemId = (): string => `AAMkAG${randomBytes(57).toString('base64')}`;
export const changeKeyOf = (item: { id: string; version: number }): string => `DwAAABYAAA${Buffer.from(`${item.id.slice(6, 18)}.${item.version}`).toString('base64')}`;

export class MailboxStore {
  private seq = 0;
  private readonly mailboxes = new Map<string, Mailbox>();
  /** `${masterId}|${originalStartMs}` ↔ occurrence ItemId, stable for as long as the master lives. */
  private readonly occurrenceIds = new Map<string, string>();
  private readonly occurrenceKeys = new Map<string, { masterId: string; originalStartMs: number }>();
  private readonly listeners = new Set<(mailbox: Mailbox, change: ChangeRecord) => void>();

  constructor(private readonly now: () => number) {}

  reset(): void {
    this.mailboxes.clear();
    this.occurrenceIds.clear();
    this.occurrenceKeys.clear();
  }

  onChange(listener: (mailbox: Mailbox, change: ChangeRecord) => void): void {
    this.listeners.add(listener);
  }

  addMailbox(seed: MailboxSeed): Mailbox {
    const address = normaliseAccount(seed.address);
    const zone = seed.timeZone ?? 'UTC';
    const existing = this.mailboxes.get(address);
    const mailbox: Mailbox = existing ?? {
      address,
      timeZone: zone,
      windowsZone: windowsZoneOf(zone),
      regionalTimeZone: undefined,
      owners: new Set(),
      impersonators: new Set(),
      delegates: new Set(),
      calendarFolderId: `AAMkAG${randomBytes(33).toString('base64')}AAA=`,
      items: new Map(),
      log: [],
      oof: { state: 'Disabled', externalAudience: 'All', start: new Date(this.now()).toISOString(), end: new Date(this.now() + 86_400_000).toISOString(), internalReply: '', externalReply: '' },
    };
    mailbox.timeZone = zone;
    mailbox.windowsZone = windowsZoneOf(zone);
    mailbox.regionalTimeZone = seed.regionalConfiguration === false ? undefined : mailbox.windowsZone;
    for (const a of seed.owners ?? []) mailbox.owners.add(normaliseAccount(a));
    for (const a of seed.impersonators ?? []) mailbox.impersonators.add(normaliseAccount(a));
    for (const a of seed.delegates ?? []) mailbox.delegates.add(normaliseAccount(a));
    this.mailboxes.set(address, mailbox);
    return mailbox;
  }

  removeMailbox(address: string): void {
    this.mailboxes.delete(normaliseAccount(address));
  }

  mailbox(address: string): Mailbox | undefined {
    return this.mailboxes.get(normaliseAccount(address));
  }

  /** The mailbox an account owns, for requests that name no mailbox. */
  ownMailbox(account: string): Mailbox | undefined {
    const key = normaliseAccount(account);
    for (const mailbox of this.mailboxes.values()) if (mailbox.owners.has(key) || mailbox.address === key) return mailbox;
    return undefined;
  }

  all(): Mailbox[] {
    return [...this.mailboxes.values()];
  }

  createItem(address: string, seed: CalendarItemSeed): StoredItem {
    const mailbox = this.require(address);
    const zone = seed.timeZone ?? mailbox.timeZone;
    const isAllDay = seed.isAllDayEvent ?? false;
    const item: StoredItem = {
      id: newItemId(),
      // An iCalendar UID as Exchange writes it: hex of a GlobalObjectId (MS:uid.md describes it as the item's unique id).
      uid: seed.uid ?? `040000008200E00074C5B7101A82E008${randomBytes(28).toString('hex').toUpperCase()}`,
      version: 1,
      fields: {
        subject: seed.subject ?? '',
        location: seed.location,
        legacyFreeBusyStatus: seed.legacyFreeBusyStatus ?? 'Busy',
        sensitivity: seed.sensitivity ?? 'Normal',
        categories: seed.categories ?? [],
        isCancelled: seed.isCancelled ?? false,
        myResponseType: seed.myResponseType ?? (seed.organizer === undefined || normaliseAccount(seed.organizer) === mailbox.address ? 'Organizer' : 'NoResponseReceived'),
        organizer: seed.organizer ?? mailbox.address,
        isOnlineMeeting: seed.isOnlineMeeting ?? false,
      },
      startMs: instantOf(seed.start, isAllDay, zone),
      endMs: instantOf(seed.end, isAllDay, zone),
      isAllDay,
      zone,
      recurrence: seed.recurrence,
      exceptions: new Map(),
      lastModifiedMs: this.now(),
    };
    if (item.endMs < item.startMs) throw new Error('end before start');
    mailbox.items.set(item.id, item);
    this.record(mailbox, item, 'create');
    return item;
  }

  updateItem(address: string, itemId: string, patch: CalendarItemPatch): StoredItem {
    const mailbox = this.require(address);
    const item = this.requireItem(mailbox, itemId);
    const { start, end, isAllDayEvent, timeZone, recurrence, ...fields } = patch;
    item.fields = { ...item.fields, ...definedOnly(fields) };
    if (timeZone !== undefined) item.zone = timeZone;
    if (isAllDayEvent !== undefined) item.isAllDay = isAllDayEvent;
    if (start !== undefined) item.startMs = instantOf(start, item.isAllDay, item.zone);
    if (end !== undefined) item.endMs = instantOf(end, item.isAllDay, item.zone);
    if ('recurrence' in patch) item.recurrence = recurrence;
    this.touch(mailbox, item);
    return item;
  }

  deleteItem(address: string, itemId: string): void {
    const mailbox = this.require(address);
    const item = this.requireItem(mailbox, itemId);
    mailbox.items.delete(itemId);
    item.version += 1;
    this.record(mailbox, item, 'delete');
  }

  /** Changes one occurrence (by its original start): it becomes an exception. Its master changes. */
  updateOccurrence(address: string, masterId: string, originalStart: string, patch: OccurrencePatch): string {
    const mailbox = this.require(address);
    const master = this.requireItem(mailbox, masterId);
    const original = this.requireOccurrence(master, Date.parse(originalStart));
    const previous = master.exceptions.get(original.startMs);
    const { start, end, ...fields } = patch;
    master.exceptions.set(original.startMs, {
      deleted: false,
      fields: { ...previous?.fields, ...definedOnly(fields) },
      startMs: start !== undefined ? Date.parse(start) : previous?.startMs,
      endMs: end !== undefined ? Date.parse(end) : previous?.endMs,
    });
    this.touch(mailbox, master);
    return this.occurrenceId(master.id, original.startMs);
  }

  /** Deletes one occurrence: it disappears from CalendarView; its id answers ErrorCalendarOccurrenceIsDeletedFromRecurrence. */
  deleteOccurrence(address: string, masterId: string, originalStart: string): void {
    const mailbox = this.require(address);
    const master = this.requireItem(mailbox, masterId);
    const original = this.requireOccurrence(master, Date.parse(originalStart));
    master.exceptions.set(original.startMs, { deleted: true, fields: {}, startMs: undefined, endMs: undefined });
    this.touch(mailbox, master);
  }

  setOof(address: string, oof: Partial<OofSettings>): void {
    const mailbox = this.require(address);
    mailbox.oof = { ...mailbox.oof, ...definedOnly(oof) };
  }

  /**
   * The calendar as CalendarView shows it: singles, occurrences and exceptions, masters hidden,
   * deleted occurrences absent (MS:recurrence-patterns-and-ews.md), sorted by start. "All calendar
   * items that have an end time that is before StartDate will not be returned … that have a start
   * time that is on or after EndDate will not be returned" (MS:calendarview.md): taken literally, so
   * an item ending exactly at StartDate is returned.
   */
  calendarView(mailbox: Mailbox, startMs: number, endMs: number): ViewEntry[] {
    const inWindow = (s: number, e: number): boolean => e >= startMs && s < endMs;
    const out: ViewEntry[] = [];
    for (const item of mailbox.items.values()) {
      if (item.recurrence === undefined) {
        if (inWindow(item.startMs, item.endMs)) out.push({ type: 'Single', itemId: item.id, master: item, fields: item.fields, startMs: item.startMs, endMs: item.endMs, originalStartMs: undefined, index: undefined });
        continue;
      }
      // An exception moved into the window from far outside must still be found: expand up to it.
      let until = endMs;
      for (const original of item.exceptions.keys()) until = Math.max(until, original + 1);
      for (const occurrence of expandSeries(this.timing(item), until)) {
        const exception = item.exceptions.get(occurrence.startMs);
        if (exception?.deleted) continue;
        const entry = this.entry(item, occurrence.startMs, occurrence.endMs, occurrence.index, exception);
        if (inWindow(entry.startMs, entry.endMs)) out.push(entry);
      }
    }
    return out.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  }

  /** An item or occurrence by ItemId, for GetItem. */
  lookup(mailbox: Mailbox, itemId: string): OccurrenceLookup {
    const item = mailbox.items.get(itemId);
    if (item) return { kind: 'found', entry: { type: item.recurrence ? 'RecurringMaster' : 'Single', itemId: item.id, master: item, fields: item.fields, startMs: item.startMs, endMs: item.endMs, originalStartMs: undefined, index: undefined } };
    const key = this.occurrenceKeys.get(itemId);
    if (!key) return { kind: 'not-found' };
    const master = mailbox.items.get(key.masterId);
    if (!master?.recurrence) return { kind: 'not-found' };
    return this.occurrenceByOriginalStart(master, key.originalStartMs);
  }

  /** OccurrenceItemId: the master's id and a 1-based InstanceIndex. */
  lookupByIndex(mailbox: Mailbox, masterId: string, index: number): OccurrenceLookup {
    const master = mailbox.items.get(masterId);
    if (!master?.recurrence || index < 1) return { kind: 'not-found' };
    const occurrences = expandSeries(this.timing(master), Number.MAX_SAFE_INTEGER, index);
    const occurrence = occurrences[index - 1];
    if (!occurrence) return { kind: 'not-found' };
    return this.occurrenceByOriginalStart(master, occurrence.startMs);
  }

  private occurrenceByOriginalStart(master: StoredItem, originalStartMs: number): OccurrenceLookup {
    const occurrence = expandSeries(this.timing(master), originalStartMs + 1).find((o) => o.startMs === originalStartMs);
    if (!occurrence) return { kind: 'not-found' };
    const exception = master.exceptions.get(originalStartMs);
    if (exception?.deleted) return { kind: 'deleted-occurrence' };
    return { kind: 'found', entry: this.entry(master, occurrence.startMs, occurrence.endMs, occurrence.index, exception) };
  }

  private entry(master: StoredItem, startMs: number, endMs: number, index: number, exception: Exception | undefined): ViewEntry {
    return {
      type: exception ? 'Exception' : 'Occurrence',
      itemId: this.occurrenceId(master.id, startMs),
      master,
      fields: exception ? { ...master.fields, ...exception.fields } : master.fields,
      startMs: exception?.startMs ?? startMs,
      endMs: exception?.endMs ?? endMs,
      originalStartMs: startMs,
      index,
    };
  }

  /** Occurrences of a series (for tests to pick one), exceptions applied, deleted ones left out. */
  occurrences(address: string, masterId: string, fromMs: number, toMs: number): ViewEntry[] {
    const mailbox = this.require(address);
    const master = this.requireItem(mailbox, masterId);
    return this.calendarView(mailbox, fromMs, toMs).filter((e) => e.master === master);
  }

  private timing(item: StoredItem): Parameters<typeof expandSeries>[0] {
    if (!item.recurrence) throw new Error('not a series');
    return { startMs: item.startMs, endMs: item.endMs, zone: item.zone, isAllDay: item.isAllDay, recurrence: item.recurrence };
  }

  private occurrenceId(masterId: string, originalStartMs: number): string {
    const key = `${masterId}|${originalStartMs}`;
    let id = this.occurrenceIds.get(key);
    if (id === undefined) {
      id = `AAMkAG${randomBytes(57).toString('base64')}AFEAA=`;
      this.occurrenceIds.set(key, id);
      this.occurrenceKeys.set(id, { masterId, originalStartMs });
    }
    return id;
  }

  private requireOccurrence(master: StoredItem, originalStartMs: number): { startMs: number } {
    const found = expandSeries(this.timing(master), originalStartMs + 1).find((o) => o.startMs === originalStartMs);
    if (!found) throw new Error(`no occurrence of ${master.id} starts at ${new Date(originalStartMs).toISOString()}`);
    return found;
  }

  private touch(mailbox: Mailbox, item: StoredItem): void {
    item.version += 1;
    item.lastModifiedMs = this.now();
    this.record(mailbox, item, 'update');
  }

  private record(mailbox: Mailbox, item: StoredItem, type: ChangeType): void {
    const change: ChangeRecord = { seq: ++this.seq, itemId: item.id, type, changeKey: changeKeyOf(item), atMs: this.now() };
    mailbox.log.push(change);
    for (const listener of this.listeners) listener(mailbox, change);
  }

  private require(address: string): Mailbox {
    const mailbox = this.mailbox(address);
    if (!mailbox) throw new Error(`no mailbox ${address}`);
    return mailbox;
  }

  private requireItem(mailbox: Mailbox, itemId: string): StoredItem {
    const item = mailbox.items.get(itemId);
    if (!item) throw new Error(`no item ${itemId} in ${mailbox.address}`);
    return item;
  }

  /** The current end of the change log (for sync states and watermarks). */
  currentSeq(): number {
    return this.seq;
  }
}

function windowsZoneOf(zone: string): string {
  return zone === 'UTC' ? 'UTC' : (windowsIana.findWindows(zone)[0] ?? 'UTC');
}

/** An instant, or local midnight of a date in `zone` for all-day items. */
function instantOf(value: string, isAllDay: boolean, zone: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    if (!isAllDay) throw new Error(`a date without a time (${value}) needs isAllDayEvent`);
    return localToInstant(`${value}T00:00:00`, zone);
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`not an instant: ${value}`);
  return ms;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
