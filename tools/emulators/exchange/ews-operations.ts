/**
 * The EWS operations the emulator serves, each answering per folder or per item in one
 * m:ResponseMessages (so one answer can mix Success and Error):
 * FindItem (CalendarView expanded, or masters and singles without it), GetItem, SyncFolderItems,
 * GetUserOofSettings, GetUserConfiguration (OWA.UserOptions), Subscribe (push) and Unsubscribe.
 */
import { randomBytes } from 'node:crypto';
import windowsIana from 'windows-iana';
import { calendarItemXml, itemShapeOf } from './ews-item-xml.js';
import { type Mailbox, type MailboxStore, type ViewEntry } from './ews-mailbox-store.js';
import { seqOfWatermark, watermarkOf, type PushSubscriptions } from './ews-push.js';
import { all, attribute, child, text, type XmlNode } from './ews-request-reader.js';
import { envelope, notMailboxOwnerFault, operationResponse, responseMessage, soapFault, type EwsPrefixes, type ResponseError, type ServerVersion, type XmlWriter } from './ews-soap-writer.js';

export interface OperationContext {
  readonly w: XmlWriter;
  readonly prefixes: EwsPrefixes;
  readonly version: ServerVersion;
  readonly url: string;
  /** The authenticated account, normalised. */
  readonly account: string;
  /** RequestServerVersion (Exchange2007 when absent). */
  readonly schema: string;
  /** The mailbox of the ExchangeImpersonation header, already checked. */
  readonly impersonated: Mailbox | undefined;
  readonly store: MailboxStore;
  readonly push: PushSubscriptions;
  readonly syncStates: SyncStates;
  readonly findCountLimit: number;
}

export interface OperationResult {
  readonly status: number;
  readonly body: string;
}

type Access = { kind: 'ok'; mailbox: Mailbox; access: 'own' | 'impersonation' | 'delegate' } | { kind: 'error'; error: ResponseError };

// SyncFolderItems "will return a maximum of 512 changes" (MS:syncfolderitems-operation.md).
const MAX_SYNC_CHANGES = 512;
// "more than the maximum allowed, currently 2 years" (ErrorCalendarViewRangeTooBig, MS:responsecode.md).
const MAX_VIEW_YEARS = 2;

const ACCESS_DENIED: ResponseError = { code: 'ErrorAccessDenied', text: 'Access is denied. Check credentials and try again.' };
const NO_MAILBOX: ResponseError = { code: 'ErrorNonExistentMailbox', text: 'The SMTP address has no mailbox associated with it.' };
const FOLDER_NOT_FOUND: ResponseError = { code: 'ErrorFolderNotFound', text: 'The specified folder could not be found in the store.' };
const ITEM_NOT_FOUND: ResponseError = { code: 'ErrorItemNotFound', text: 'The specified object was not found in the store., The process failed to get the correct properties.' };

export function runOperation(ctx: OperationContext, operation: string, body: XmlNode): OperationResult {
  switch (operation) {
    case 'FindItem':
      return findItem(ctx, body);
    case 'GetItem':
      return getItem(ctx, body);
    case 'SyncFolderItems':
      return syncFolderItems(ctx, body);
    case 'GetUserOofSettingsRequest':
      return getUserOofSettings(ctx, body);
    case 'GetUserConfiguration':
      return getUserConfiguration(ctx, body);
    case 'Subscribe':
      return subscribe(ctx, body);
    case 'Unsubscribe':
      return unsubscribe(ctx, body);
    case 'GetServerTimeZones':
      return getServerTimeZones(ctx, body);
    default:
      return schemaFault(ctx, `no operation ${operation}`);
  }
}

function ok(ctx: OperationContext, name: string, messages: readonly string[]): OperationResult {
  return { status: 200, body: envelope(ctx.prefixes, ctx.version, operationResponse(ctx.w, name, ctx.w.m('ResponseMessages', messages))) };
}

function schemaFault(ctx: OperationContext, detail: string): OperationResult {
  return { status: 500, body: soapFault(ctx.prefixes, ctx.version, { code: 'ErrorSchemaValidation', message: `The request failed schema validation: ${detail}` }) };
}

/** Whether the caller may open `mailbox`'s calendar, and how. */
function accessTo(ctx: OperationContext, mailbox: Mailbox): Access {
  if (ctx.impersonated) {
    if (mailbox === ctx.impersonated) return { kind: 'ok', mailbox, access: 'impersonation' };
    const acting = ctx.impersonated;
    return [acting.address, ...acting.owners].some((a) => mailbox.delegates.has(a)) ? { kind: 'ok', mailbox, access: 'delegate' } : { kind: 'error', error: ACCESS_DENIED };
  }
  if (mailbox.owners.has(ctx.account) || mailbox.address === ctx.account) return { kind: 'ok', mailbox, access: 'own' };
  // Delegate access: the account has been granted the folder (MS:delegate-access-and-ews-in-exchange.md).
  if (mailbox.delegates.has(ctx.account)) return { kind: 'ok', mailbox, access: 'delegate' };
  return { kind: 'error', error: ACCESS_DENIED };
}

/** Each folder a FolderIds-like element names, resolved to a mailbox the caller may open, or the error for it. */
function foldersIn(ctx: OperationContext, parent: XmlNode | undefined): Access[] {
  const out: Access[] = [];
  for (const folder of all(parent, 'DistinguishedFolderId')) {
    if (attribute(folder, 'Id') !== 'calendar') {
      out.push({ kind: 'error', error: FOLDER_NOT_FOUND }); // the emulator holds calendars only
      continue;
    }
    const named = text(child(child(folder, 'Mailbox'), 'EmailAddress'))?.trim();
    if (named) {
      const mailbox = ctx.store.mailbox(named);
      out.push(mailbox ? accessTo(ctx, mailbox) : { kind: 'error', error: NO_MAILBOX });
      continue;
    }
    const mailbox = ctx.impersonated ?? ctx.store.ownMailbox(ctx.account);
    // An account without a mailbox must name one (ErrorMissingEmailAddress, MS:responsecode.md).
    out.push(
      mailbox
        ? accessTo(ctx, mailbox)
        : { kind: 'error', error: { code: 'ErrorMissingEmailAddress', text: 'When making a request as an account that does not have a mailbox, you must specify the mailbox primary SMTP address for any distinguished folder Ids.' } },
    );
  }
  for (const folder of all(parent, 'FolderId')) {
    const id = attribute(folder, 'Id');
    const mailbox = ctx.store.all().find((m) => m.calendarFolderId === id);
    out.push(mailbox ? accessTo(ctx, mailbox) : { kind: 'error', error: FOLDER_NOT_FOUND });
  }
  return out;
}

function findItem(ctx: OperationContext, body: XmlNode): OperationResult {
  const { w } = ctx;
  const shape = itemShapeOf(child(body, 'ItemShape'));
  const view = child(body, 'CalendarView');
  let window: { startMs: number; endMs: number; max: number | undefined } | undefined;
  let windowError: ResponseError | undefined;
  if (view) {
    const startMs = Date.parse(attribute(view, 'StartDate') ?? '');
    const endMs = Date.parse(attribute(view, 'EndDate') ?? '');
    const maxText = attribute(view, 'MaxEntriesReturned');
    const max = maxText === undefined ? undefined : Number(maxText);
    if (Number.isNaN(startMs) || Number.isNaN(endMs)) return schemaFault(ctx, 'CalendarView needs StartDate and EndDate as xs:dateTime');
    if (max !== undefined && (!Number.isInteger(max) || max < 1)) return schemaFault(ctx, 'MaxEntriesReturned must be a positive integer');
    const limit = new Date(startMs);
    limit.setUTCFullYear(limit.getUTCFullYear() + MAX_VIEW_YEARS);
    if (endMs < startMs) windowError = { code: 'ErrorCalendarEndDateIsEarlierThanStartDate', text: 'EndDate is earlier than StartDate' };
    else if (endMs > limit.getTime()) windowError = { code: 'ErrorCalendarViewRangeTooBig', text: 'The time window specified is larger than the maximum allowed of 2 years.' };
    window = { startMs, endMs, max };
  }
  const messages = foldersIn(ctx, child(body, 'ParentFolderIds')).map((folder) => {
    if (folder.kind === 'error') return responseMessage(w, 'FindItemResponseMessage', { error: folder.error });
    if (windowError) return responseMessage(w, 'FindItemResponseMessage', { error: windowError });
    // Without CalendarView, FindItem lists single items and recurring masters unexpanded (MS:calendarview.md, remarks).
    const entries: ViewEntry[] = window
      ? ctx.store.calendarView(folder.mailbox, window.startMs, window.endMs)
      : [...folder.mailbox.items.values()].map((item) => ({ type: item.recurrence ? 'RecurringMaster' : 'Single', itemId: item.id, master: item, fields: item.fields, startMs: item.startMs, endMs: item.endMs, originalStartMs: undefined, index: undefined }));
    const returned = window?.max === undefined ? entries : entries.slice(0, window.max);
    // EWSFindCountLimit: over 1,000 items in one answer is refused, naming the limit (jamesiarmes/php-ews#143).
    if (returned.length > ctx.findCountLimit) {
      return responseMessage(w, 'FindItemResponseMessage', {
        error: {
          code: 'ErrorExceededFindCountLimit',
          text: 'You have exceeded the maximum number of objects that can be returned for the find operation. Use paging to reduce the result size and try your request again.',
          values: { PolicyLimit: String(ctx.findCountLimit) },
        },
      });
    }
    // Truncated at MaxEntriesReturned: TotalItemsInView still counts all, IncludesLastItemInRange false
    // (MS:how-to-get-appointments-and-meetings-by-using-ews-in-exchange.md, response example).
    const root = w.m('RootFolder', w.t('Items', returned.map((e) => calendarItemXml(w, e, folder.mailbox, shape, ctx.schema))), {
      TotalItemsInView: String(entries.length),
      IncludesLastItemInRange: String(returned.length === entries.length),
    });
    return responseMessage(w, 'FindItemResponseMessage', { content: root });
  });
  return ok(ctx, 'FindItemResponse', messages);
}

/** GetItem: one message per id; stale ids answer ErrorItemNotFound, deleted occurrences ErrorCalendarOccurrenceIsDeletedFromRecurrence. */
function getItem(ctx: OperationContext, body: XmlNode): OperationResult {
  const { w } = ctx;
  const shape = itemShapeOf(child(body, 'ItemShape'));
  const ids = child(body, 'ItemIds');
  const answer = (found: ReturnType<MailboxStore['lookup']>, mailbox: Mailbox | undefined): string => {
    if (found.kind === 'deleted-occurrence') {
      return responseMessage(w, 'GetItemResponseMessage', { error: { code: 'ErrorCalendarOccurrenceIsDeletedFromRecurrence', text: 'Occurrence has been deleted from the recurrence.' }, content: w.m('Items') });
    }
    if (found.kind === 'not-found' || !mailbox) return responseMessage(w, 'GetItemResponseMessage', { error: ITEM_NOT_FOUND, content: w.m('Items') });
    const access = accessTo(ctx, mailbox);
    if (access.kind === 'error') return responseMessage(w, 'GetItemResponseMessage', { error: access.error, content: w.m('Items') });
    return responseMessage(w, 'GetItemResponseMessage', { content: w.m('Items', calendarItemXml(w, found.entry, mailbox, shape, ctx.schema)) });
  };
  const locate = (lookup: (m: Mailbox) => ReturnType<MailboxStore['lookup']>): string => {
    for (const mailbox of ctx.store.all()) {
      const found = lookup(mailbox);
      if (found.kind !== 'not-found') return answer(found, mailbox);
    }
    return answer({ kind: 'not-found' }, undefined);
  };
  const messages = [
    ...all(ids, 'ItemId').map((id) => locate((m) => ctx.store.lookup(m, attribute(id, 'Id') ?? ''))),
    // OccurrenceItemId: the master's id and a 1-based InstanceIndex (MS:recurrence-patterns-and-ews.md).
    ...all(ids, 'OccurrenceItemId').map((id) => locate((m) => ctx.store.lookupByIndex(m, attribute(id, 'RecurringMasterId') ?? '', Number(attribute(id, 'InstanceIndex'))))),
  ];
  return ok(ctx, 'GetItemResponse', messages);
}

interface SyncStateRecord {
  readonly mailbox: string;
  readonly seq: number;
  valid: boolean;
}

/** Sync states issued; anything else (or a state made invalid) is ErrorInvalidSyncStateData. */
export class SyncStates {
  private readonly states = new Map<string, SyncStateRecord>();

  issue(mailbox: string, seq: number): string {
    // Real states are base64 of gzip data, starting H4sI (MS:syncfolderitems-operation.md examples).
    const state = `H4sIAAAAAAAEAO29B2AcSZY${randomBytes(48).toString('base64')}`;
    this.states.set(state, { mailbox, seq, valid: true });
    return state;
  }

  find(state: string): SyncStateRecord | undefined {
    return this.states.get(state);
  }

  /** Every state issued so far (for one mailbox, or all) is refused from now on; returns how many. */
  invalidate(mailbox?: string): number {
    let count = 0;
    for (const record of this.states.values()) {
      if (record.valid && (mailbox === undefined || record.mailbox === mailbox.toLowerCase())) {
        record.valid = false;
        count += 1;
      }
    }
    return count;
  }

  reset(): void {
    this.states.clear();
  }
}

function syncFolderItems(ctx: OperationContext, body: XmlNode): OperationResult {
  const { w } = ctx;
  const maxText = text(child(body, 'MaxChangesReturned'))?.trim();
  const max = Number(maxText);
  // MaxChangesReturned is required, 1 to 512 (MS:maxchangesreturned.md); outside it the schema refuses the request.
  if (maxText === undefined || !Number.isInteger(max) || max < 1 || max > MAX_SYNC_CHANGES) return schemaFault(ctx, `MaxChangesReturned ${maxText ?? 'missing'} is not between 1 and 512`);
  const folders = foldersIn(ctx, child(body, 'SyncFolderId'));
  const folder = folders[0];
  if (!folder) return schemaFault(ctx, 'SyncFolderId names no folder');
  if (folder.kind === 'error') return ok(ctx, 'SyncFolderItemsResponse', [responseMessage(w, 'SyncFolderItemsResponseMessage', { error: folder.error })]);
  const mailbox = folder.mailbox;
  const stateText = text(child(body, 'SyncState'))?.trim() ?? '';
  let since = 0;
  if (stateText !== '') {
    const state = ctx.syncStates.find(stateText);
    if (!state || !state.valid || state.mailbox !== mailbox.address) {
      return ok(ctx, 'SyncFolderItemsResponse', [
        responseMessage(w, 'SyncFolderItemsResponseMessage', {
          error: { code: 'ErrorInvalidSyncStateData', text: 'Synchronization state data is corrupt or otherwise invalid.' },
          content: w.m('SyncState') + w.mText('IncludesLastItemInRange', true),
        }),
      ]);
    }
    since = state.seq;
  }
  const ignored = new Set(all(child(body, 'Ignore'), 'ItemId').map((id) => attribute(id, 'Id')));
  // The net change per item since the state, in the order of each item's last change.
  const net = new Map<string, { existedBefore: boolean; last: (typeof mailbox.log)[number] }>();
  for (const change of mailbox.log) {
    if (change.seq <= since) {
      if (change.type === 'create') net.set(change.itemId, { existedBefore: true, last: change });
      continue;
    }
    const previous = net.get(change.itemId);
    net.set(change.itemId, { existedBefore: previous?.existedBefore ?? false, last: change });
  }
  const changes = [...net.values()]
    .filter((c) => c.last.seq > since && !ignored.has(c.last.itemId))
    .filter((c) => !(c.last.type === 'delete' && !c.existedBefore))
    .sort((a, b) => a.last.seq - b.last.seq);
  const returned = changes.slice(0, max);
  const complete = returned.length === changes.length;
  const nextSeq = complete ? ctx.store.currentSeq() : returned[returned.length - 1]!.last.seq;
  const shape = itemShapeOf(child(body, 'ItemShape'));
  const changeXml = returned.map(({ existedBefore, last }) => {
    const itemIdXml = w.t('ItemId', '', { Id: last.itemId, ChangeKey: last.changeKey });
    if (last.type === 'delete') return w.t('Delete', itemIdXml);
    const item = mailbox.items.get(last.itemId);
    const entry: ViewEntry | undefined = item && { type: item.recurrence ? 'RecurringMaster' : 'Single', itemId: item.id, master: item, fields: item.fields, startMs: item.startMs, endMs: item.endMs, originalStartMs: undefined, index: undefined };
    const itemXml = entry ? calendarItemXml(w, entry, mailbox, shape, ctx.schema) : w.t('CalendarItem', itemIdXml);
    return w.t(existedBefore ? 'Update' : 'Create', itemXml);
  });
  return ok(ctx, 'SyncFolderItemsResponse', [
    responseMessage(w, 'SyncFolderItemsResponseMessage', {
      content: w.mText('SyncState', ctx.syncStates.issue(mailbox.address, nextSeq)) + w.mText('IncludesLastItemInRange', complete) + w.m('Changes', changeXml),
    }),
  ]);
}

/**
 * GetUserOofSettings: the settings of the mailbox named in the body, for its owner only; anyone else,
 * a delegate included, gets the "User is not mailbox owner" fault (MS:getuseroofsettings-operation.md).
 * Duration times are UTC written without a zone, as the reference page's example shows them.
 */
function getUserOofSettings(ctx: OperationContext, body: XmlNode): OperationResult {
  const { w } = ctx;
  const address = text(child(child(body, 'Mailbox'), 'Address'))?.trim() ?? '';
  const mailbox = ctx.store.mailbox(address);
  if (!mailbox) {
    return { status: 200, body: envelope(ctx.prefixes, ctx.version, operationResponse(w, 'GetUserOofSettingsResponse', responseMessage(w, 'ResponseMessage', { error: NO_MAILBOX }))) };
  }
  const access = accessTo(ctx, mailbox);
  if (access.kind === 'error' || access.access === 'delegate') return { status: 500, body: notMailboxOwnerFault(ctx.prefixes, ctx.version, ctx.url) };
  const oof = mailbox.oof;
  const naiveUtc = (iso: string): string => new Date(iso).toISOString().slice(0, 19);
  const settings = w.t('OofSettings', [
    w.tText('OofState', oof.state),
    w.tText('ExternalAudience', oof.externalAudience),
    w.t('Duration', [w.tText('StartTime', naiveUtc(oof.start)), w.tText('EndTime', naiveUtc(oof.end))]),
    w.t('InternalReply', w.tText('Message', oof.internalReply)),
    w.t('ExternalReply', w.tText('Message', oof.externalReply)),
  ]);
  const content = responseMessage(w, 'ResponseMessage', { content: '' }) + settings + w.mText('AllowExternalOof', 'All');
  return { status: 200, body: envelope(ctx.prefixes, ctx.version, operationResponse(w, 'GetUserOofSettingsResponse', content)) };
}

/**
 * GetUserConfiguration of the one configuration the emulator keeps: OWA.UserOptions on the root
 * folder, a dictionary holding the mailbox's zone as Exchange's MailboxRegionalConfiguration saves
 * it (key `timezone`, the Windows id as a String). The answer's shape is the reference page's
 * (MS:getuserconfiguration-operation.md: UserConfiguration with UserConfigurationName, ItemId,
 * Dictionary of DictionaryEntry/DictionaryKey/DictionaryValue with Type and Value). A configuration
 * that does not exist (never written, or any other name) is ErrorItemNotFound. A delegate holds
 * the calendar folder's permission only, not the root folder's: ErrorAccessDenied.
 */
function getUserConfiguration(ctx: OperationContext, body: XmlNode): OperationResult {
  const { w } = ctx;
  const answer = (outcome: { content: string } | { error: ResponseError }): OperationResult => ok(ctx, 'GetUserConfigurationResponse', [responseMessage(w, 'GetUserConfigurationResponseMessage', outcome)]);
  const name = child(body, 'UserConfigurationName');
  const configuration = attribute(name, 'Name');
  const folder = child(name, 'DistinguishedFolderId');
  if (!configuration || !folder) return schemaFault(ctx, 'UserConfigurationName needs a Name and a DistinguishedFolderId');
  const named = text(child(child(folder, 'Mailbox'), 'EmailAddress'))?.trim();
  const mailbox = named ? ctx.store.mailbox(named) : (ctx.impersonated ?? ctx.store.ownMailbox(ctx.account));
  if (!mailbox) return answer({ error: NO_MAILBOX });
  const access = accessTo(ctx, mailbox);
  if (access.kind === 'error') return answer({ error: access.error });
  if (access.access === 'delegate') return answer({ error: ACCESS_DENIED });
  if (attribute(folder, 'Id') !== 'root' || configuration !== 'OWA.UserOptions' || mailbox.regionalTimeZone === undefined) return answer({ error: ITEM_NOT_FOUND });
  const entry = (key: string, type: string, value: string): string =>
    w.t('DictionaryEntry', [w.t('DictionaryKey', [w.tText('Type', 'String'), w.tText('Value', key)]), w.t('DictionaryValue', [w.tText('Type', type), w.tText('Value', value)])]);
  const content = w.m('UserConfiguration', [
    w.t('UserConfigurationName', w.t('DistinguishedFolderId', '', { Id: 'root' }), { Name: configuration }),
    w.t('ItemId', '', { Id: `${mailbox.calendarFolderId.slice(0, 20)}OWAUserOptions`, ChangeKey: 'CQAAAA==' }),
    w.t('Dictionary', [entry('timezone', 'String', mailbox.regionalTimeZone), entry('dateformat', 'String', 'yyyy-MM-dd'), entry('checknameincontactsfirst', 'Boolean', 'false')]),
  ]);
  return answer({ content });
}

function subscribe(ctx: OperationContext, body: XmlNode): OperationResult {
  const { w } = ctx;
  const request = child(body, 'PushSubscriptionRequest');
  const fail = (error: ResponseError): OperationResult => ok(ctx, 'SubscribeResponse', [responseMessage(w, 'SubscribeResponseMessage', { error })]);
  if (!request) return fail({ code: 'ErrorInvalidSubscriptionRequest', text: 'The emulator serves push subscriptions only.' });
  const folder = foldersIn(ctx, child(request, 'FolderIds'))[0];
  if (!folder) return schemaFault(ctx, 'FolderIds names no folder');
  if (folder.kind === 'error') return fail(folder.error);
  // "Subscriptions are not supported for delegate user access." (MS:subscribe-operation.md, error example).
  if (folder.access === 'delegate') return fail({ code: 'ErrorSubscriptionDelegateAccessNotSupported', text: 'Subscriptions are not supported for delegate user access.' });
  const url = text(child(request, 'URL'))?.trim() ?? '';
  // Length 1–2082, http or https (ErrorInvalidPushSubscriptionUrl, MS:responsecode.md).
  if (url.length === 0 || url.length >= 2083 || !/^https?:\/\/[^/]+/i.test(url) || !URL.canParse(url)) return fail({ code: 'ErrorInvalidPushSubscriptionUrl', text: 'The URL for the push subscription is invalid.' });
  const frequencyText = text(child(request, 'StatusFrequency'))?.trim();
  const frequency = frequencyText === undefined ? 30 : Number(frequencyText);
  // StatusFrequency: 1 to 1440 minutes, default 30 (MS:statusfrequency.md).
  if (!Number.isInteger(frequency) || frequency < 1 || frequency > 1440) return schemaFault(ctx, `StatusFrequency ${frequencyText ?? ''} is not between 1 and 1440`);
  const watermark = text(child(request, 'Watermark'))?.trim();
  let fromSeq = ctx.store.currentSeq();
  if (watermark) {
    const seq = seqOfWatermark(folder.mailbox.address, watermark);
    if (seq === undefined || seq > ctx.store.currentSeq()) return fail({ code: 'ErrorInvalidWatermark', text: 'The watermark used for creating this subscription was not recognized.' });
    fromSeq = seq;
  }
  const eventTypes = all(child(request, 'EventTypes'), 'EventType').map((e) => text(e)?.trim() ?? '');
  const backlog = folder.mailbox.log.filter((c) => c.seq > fromSeq);
  const sub = ctx.push.subscribe(folder.mailbox, { url, statusFrequencyMinutes: frequency, eventTypes, fromSeq }, backlog);
  return ok(ctx, 'SubscribeResponse', [responseMessage(w, 'SubscribeResponseMessage', { content: w.mText('SubscriptionId', sub.id) + w.mText('Watermark', watermarkOf(folder.mailbox.address, fromSeq)) })]);
}

function unsubscribe(ctx: OperationContext, body: XmlNode): OperationResult {
  const { w } = ctx;
  const id = text(child(body, 'SubscriptionId'))?.trim() ?? '';
  const sub = ctx.push.subscriptions.get(id);
  const caller = ctx.impersonated ?? ctx.store.ownMailbox(ctx.account);
  let message: string;
  if (!sub || sub.state !== 'active') message = responseMessage(w, 'UnsubscribeResponseMessage', { error: { code: 'ErrorSubscriptionNotFound', text: 'The specified subscription was not found.' } });
  else if (caller?.address !== sub.mailbox) message = responseMessage(w, 'UnsubscribeResponseMessage', { error: { code: 'ErrorSubscriptionAccessDenied', text: 'The subscription can only be accessed by the creator of the subscription.' } });
  else {
    ctx.push.unsubscribe(id);
    message = responseMessage(w, 'UnsubscribeResponseMessage', { content: '' });
  }
  return ok(ctx, 'UnsubscribeResponse', [message]);
}


/**
 * GetServerTimeZones without full data: Id and Name of each Windows zone asked for, or of all
 * (MS:getservertimezones-operation.md). It names no mailbox, so it is what a connection check can
 * ask. The emulator has no display names: Name repeats the Id.
 */
function getServerTimeZones(ctx: OperationContext, body: XmlNode): OperationResult {
  const { w } = ctx;
  const known: readonly string[] = [...new Set(windowsIana.WINDOWS_TO_IANA_MAP.map((z) => z.windowsName))];
  const asked = all(child(body, 'Ids'), 'Id').map((id) => text(id)?.trim() ?? '');
  const ids = asked.length === 0 ? known : asked.filter((id) => known.includes(id));
  const definitions = ids.map((id) => w.t('TimeZoneDefinition', '', { Id: id, Name: id }));
  return ok(ctx, 'GetServerTimeZonesResponse', [responseMessage(w, 'GetServerTimeZonesResponseMessage', { content: w.m('TimeZoneDefinitions', definitions) })]);
}
