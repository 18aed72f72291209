/**
 * t:CalendarItem as FindItem, GetItem and SyncFolderItems write it: ItemShape honoured (IdOnly plus
 * AdditionalProperties, or every field for Default/AllProperties), elements in the schema's order
 * (ItemType's fields, then CalendarItemType's: UID, RecurrenceId, Start, End, OriginalStart,
 * IsAllDayEvent, LegacyFreeBusyStatus, Location, IsMeeting, IsCancelled, IsRecurring,
 * CalendarItemType, MyResponseType, Organizer, …, IsOnlineMeeting), times as UTC with `Z`.
 */
import { all, attribute, child, text, type XmlNode } from './ews-request-reader.js';
import { changeKeyOf, type Mailbox, type ViewEntry } from './ews-mailbox-store.js';
import type { XmlWriter } from './ews-soap-writer.js';

/** FieldURI values the emulator knows, in schema order. */
const FIELDS = [
  'item:ItemClass',
  'item:Subject',
  'item:Sensitivity',
  'item:Categories',
  'item:LastModifiedTime',
  'calendar:UID',
  'calendar:RecurrenceId',
  'calendar:Start',
  'calendar:End',
  'calendar:OriginalStart',
  'calendar:IsAllDayEvent',
  'calendar:LegacyFreeBusyStatus',
  'calendar:Location',
  'calendar:IsMeeting',
  'calendar:IsCancelled',
  'calendar:IsRecurring',
  'calendar:CalendarItemType',
  'calendar:MyResponseType',
  'calendar:Organizer',
  'calendar:IsOnlineMeeting',
] as const;

export type ItemShape = ReadonlySet<string>;

/** The fields an ItemShape asks for. */
export function itemShapeOf(shapeNode: XmlNode | undefined): ItemShape {
  const base = text(child(shapeNode, 'BaseShape'))?.trim() ?? 'IdOnly';
  const extra = all(child(shapeNode, 'AdditionalProperties'), 'FieldURI')
    .map((f) => attribute(f, 'FieldURI'))
    .filter((f): f is string => f !== undefined);
  return new Set(base === 'IdOnly' ? extra : [...FIELDS, ...extra]);
}

export const utc = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;

// WorkingElsewhere exists from Exchange2013 (exchangelib fields.py); an older schema cannot carry it.
const OLD_SCHEMAS = new Set(['Exchange2007', 'Exchange2007_SP1', 'Exchange2010', 'Exchange2010_SP1', 'Exchange2010_SP2']);

export function calendarItemXml(w: XmlWriter, entry: ViewEntry, mailbox: Mailbox, shape: ItemShape, schema: string): string {
  const f = entry.fields;
  const isOccurrence = entry.type === 'Occurrence' || entry.type === 'Exception';
  const freeBusy = f.legacyFreeBusyStatus === 'WorkingElsewhere' && OLD_SCHEMAS.has(schema) ? 'Busy' : f.legacyFreeBusyStatus;
  // ChangeKey is a master property in CalendarView (MS:calendarview.md): occurrences carry the master's.
  const parts: string[] = [w.t('ItemId', '', { Id: entry.itemId, ChangeKey: changeKeyOf(entry.master) })];
  const organizer = w.t('Organizer', w.t('Mailbox', [w.tText('Name', f.organizer.split('@')[0]), w.tText('EmailAddress', f.organizer), w.tText('RoutingType', 'SMTP')]));
  const values: Record<(typeof FIELDS)[number], string> = {
    'item:ItemClass': w.tText('ItemClass', 'IPM.Appointment'),
    'item:Subject': w.tText('Subject', f.subject),
    'item:Sensitivity': w.tText('Sensitivity', f.sensitivity),
    'item:Categories': f.categories.length === 0 ? '' : w.t('Categories', f.categories.map((c) => w.tText('String', c))),
    'item:LastModifiedTime': w.tText('LastModifiedTime', utc(entry.master.lastModifiedMs)),
    'calendar:UID': w.tText('UID', entry.master.uid),
    'calendar:RecurrenceId': isOccurrence ? w.tText('RecurrenceId', utc(entry.originalStartMs!)) : '',
    'calendar:Start': w.tText('Start', utc(entry.startMs)),
    'calendar:End': w.tText('End', utc(entry.endMs)),
    'calendar:OriginalStart': isOccurrence ? w.tText('OriginalStart', utc(entry.originalStartMs!)) : '',
    'calendar:IsAllDayEvent': w.tText('IsAllDayEvent', entry.master.isAllDay),
    'calendar:LegacyFreeBusyStatus': w.tText('LegacyFreeBusyStatus', freeBusy),
    'calendar:Location': w.tText('Location', f.location),
    'calendar:IsMeeting': w.tText('IsMeeting', f.organizer !== mailbox.address),
    'calendar:IsCancelled': w.tText('IsCancelled', f.isCancelled),
    'calendar:IsRecurring': w.tText('IsRecurring', entry.type !== 'Single'),
    'calendar:CalendarItemType': w.tText('CalendarItemType', entry.type),
    'calendar:MyResponseType': w.tText('MyResponseType', f.myResponseType),
    'calendar:Organizer': organizer,
    'calendar:IsOnlineMeeting': w.tText('IsOnlineMeeting', f.isOnlineMeeting),
  };
  for (const field of FIELDS) if (shape.has(field)) parts.push(values[field]);
  return w.t('CalendarItem', parts);
}
