/**
 * The EWS emulator in-process: the service function the HTTPS/NTLM server part calls per request,
 * and the control tests, the dev host and the benchmarks use to set up mailboxes, calendars,
 * automatic replies, rights and faults, and to read what Exchange was asked.
 */
import type { FaultHandle, EwsFaultRule, EwsOperation } from './ews-faults.js';
import { normaliseAccount, type CalendarItemPatch, type CalendarItemSeed, type MailboxSeed, type OccurrencePatch, type OofSettings } from './ews-mailbox-store.js';
import type { NotificationDelivery } from './ews-push.js';
import { createEwsServiceParts, type EwsAnswer, type EwsRequest, type EwsRequestRecord, type EwsServiceOptions } from './ews-service.js';

export interface OccurrenceView {
  readonly itemId: string;
  readonly type: 'Occurrence' | 'Exception';
  /** RecurrenceId: the occurrence's original start, UTC. */
  readonly originalStart: string;
  readonly start: string;
  readonly end: string;
  readonly subject: string;
}

export interface SubscriptionView {
  readonly id: string;
  readonly mailbox: string;
  readonly url: string;
  readonly statusFrequencyMinutes: number;
  readonly state: 'active' | 'ended';
  readonly endedBecause: 'callback-unsubscribed' | 'unsubscribed' | 'retries-exhausted' | undefined;
  /** Consecutive failed deliveries (the retry being waited for). */
  readonly failures: number;
  /** Events waiting to be delivered. */
  readonly pendingEvents: number;
}

export interface EwsEmulatorControl {
  /** Adds (or changes) a mailbox; returns its Windows zone id and calendar FolderId. */
  addMailbox(seed: MailboxSeed): { address: string; windowsTimeZone: string; calendarFolderId: string };
  /** The mailbox disappears: requests naming it get ErrorNonExistentMailbox. */
  removeMailbox(address: string): void;
  /**
   * Changes the mailbox's zone. Items keep their instants: an all-day event made before now spans
   * the old zone's midnights, the shift field reports describe (calrs, mustang; EWS-FACTS §6).
   */
  setTimeZone(mailbox: string, timeZone: string): void;
  /**
   * What the mailbox's regional configuration (OWA.UserOptions, `timezone`) holds, apart from the
   * zone its items are made in: a Windows id (any text, so an unknown one can be tried), or
   * undefined for a mailbox without the configuration (GetUserConfiguration: ErrorItemNotFound).
   */
  setRegionalTimeZone(mailbox: string, windowsZone: string | undefined): void;
  /** ApplicationImpersonation of `account` over `mailbox` (every mailbox when absent for revoke). */
  grantImpersonation(account: string, mailbox: string): void;
  revokeImpersonation(account: string, mailbox?: string): void;
  grantDelegate(account: string, mailbox: string): void;
  revokeDelegate(account: string, mailbox: string): void;
  /** A single item or a recurring master; its change reaches SyncFolderItems and push subscriptions. */
  createItem(mailbox: string, seed: CalendarItemSeed): { itemId: string; uid: string };
  updateItem(mailbox: string, itemId: string, patch: CalendarItemPatch): void;
  deleteItem(mailbox: string, itemId: string): void;
  /** The occurrences of a series in [from, to) as CalendarView shows them. */
  occurrences(mailbox: string, masterId: string, from: string, to: string): OccurrenceView[];
  /** Moves or changes one occurrence (by its original start): it becomes an exception; returns its ItemId. */
  updateOccurrence(mailbox: string, masterId: string, originalStart: string, patch: OccurrencePatch): string;
  deleteOccurrence(mailbox: string, masterId: string, originalStart: string): void;
  setOof(mailbox: string, settings: Partial<OofSettings>): void;
  addFault(rule: EwsFaultRule): FaultHandle;
  clearFaults(): void;
  /** Every SyncState issued so far (for one mailbox, or all) answers ErrorInvalidSyncStateData; returns how many. */
  invalidateSyncStates(mailbox?: string): number;
  subscriptions(): SubscriptionView[];
  notifications(): readonly NotificationDelivery[];
  /** Waits until every notification sent so far was answered or failed. */
  flushNotifications(): Promise<void>;
  /** Every request served, in order. */
  requests(): readonly EwsRequestRecord[];
  /** Requests served, of one operation and/or one mailbox. */
  requestCount(filter?: { operation?: EwsOperation; mailbox?: string }): number;
  /** Requests served per mailbox and operation, e.g. `{ 'anna@contoso.com': { SyncFolderItems: 3, FindItem: 1 } }`. */
  counters(): Record<string, Partial<Record<string, number>>>;
  /** The most requests that were in flight at once for a mailbox, or for an account. */
  peakInFlight(of: { mailbox: string } | { account: string }): number;
  /** Requests that came without X-AnchorMailbox (for one mailbox, or all). */
  anchorMailboxMissing(mailbox?: string): number;
  /** Forgets mailboxes, subscriptions, sync states, faults and the request record. */
  reset(): void;
}

export interface EwsEmulator {
  /** The contract's EwsService: what the server part calls for each authenticated request. */
  readonly service: (request: EwsRequest) => Promise<EwsAnswer>;
  readonly control: EwsEmulatorControl;
}

export function createEwsEmulator(options: EwsServiceOptions = {}): EwsEmulator {
  const parts = createEwsServiceParts(options);
  const { store, push, faults, syncStates, records, inFlight } = parts;
  const mailboxOf = (address: string) => {
    const mailbox = store.mailbox(address);
    if (!mailbox) throw new Error(`no mailbox ${address}`);
    return mailbox;
  };
  const control: EwsEmulatorControl = {
    addMailbox: (seed) => {
      const mailbox = store.addMailbox(seed);
      return { address: mailbox.address, windowsTimeZone: mailbox.windowsZone, calendarFolderId: mailbox.calendarFolderId };
    },
    removeMailbox: (address) => store.removeMailbox(address),
    setTimeZone: (mailbox, timeZone) => void store.addMailbox({ address: mailbox, timeZone }),
    setRegionalTimeZone: (mailbox, windowsZone) => {
      mailboxOf(mailbox).regionalTimeZone = windowsZone;
    },
    grantImpersonation: (account, mailbox) => void mailboxOf(mailbox).impersonators.add(normaliseAccount(account)),
    revokeImpersonation: (account, mailbox) => {
      for (const m of mailbox === undefined ? store.all() : [mailboxOf(mailbox)]) m.impersonators.delete(normaliseAccount(account));
    },
    grantDelegate: (account, mailbox) => void mailboxOf(mailbox).delegates.add(normaliseAccount(account)),
    revokeDelegate: (account, mailbox) => void mailboxOf(mailbox).delegates.delete(normaliseAccount(account)),
    createItem: (mailbox, seed) => {
      const item = store.createItem(mailbox, seed);
      return { itemId: item.id, uid: item.uid };
    },
    updateItem: (mailbox, itemId, patch) => void store.updateItem(mailbox, itemId, patch),
    deleteItem: (mailbox, itemId) => store.deleteItem(mailbox, itemId),
    occurrences: (mailbox, masterId, from, to) =>
      store.occurrences(mailbox, masterId, Date.parse(from), Date.parse(to)).map((e) => ({
        itemId: e.itemId,
        type: e.type === 'Exception' ? 'Exception' : 'Occurrence',
        originalStart: new Date(e.originalStartMs ?? e.startMs).toISOString(),
        start: new Date(e.startMs).toISOString(),
        end: new Date(e.endMs).toISOString(),
        subject: e.fields.subject,
      })),
    updateOccurrence: (mailbox, masterId, originalStart, patch) => store.updateOccurrence(mailbox, masterId, originalStart, patch),
    deleteOccurrence: (mailbox, masterId, originalStart) => store.deleteOccurrence(mailbox, masterId, originalStart),
    setOof: (mailbox, settings) => store.setOof(mailbox, settings),
    addFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    invalidateSyncStates: (mailbox) => syncStates.invalidate(mailbox),
    subscriptions: () =>
      [...push.subscriptions.values()].map((s) => ({
        id: s.id,
        mailbox: s.mailbox,
        url: s.url,
        statusFrequencyMinutes: s.statusFrequencyMinutes,
        state: s.state,
        endedBecause: s.endedBecause,
        failures: s.failures,
        pendingEvents: s.pending.length,
      })),
    notifications: () => push.deliveries,
    flushNotifications: () => push.flush(),
    requests: () => records,
    requestCount: (filter = {}) =>
      records.filter((r) => (filter.operation === undefined || r.operation === filter.operation) && (filter.mailbox === undefined || r.mailbox === filter.mailbox.toLowerCase())).length,
    counters: () => {
      const out: Record<string, Partial<Record<string, number>>> = {};
      for (const r of records) {
        const perMailbox = (out[r.mailbox ?? ''] ??= {});
        perMailbox[r.operation] = (perMailbox[r.operation] ?? 0) + 1;
      }
      return out;
    },
    peakInFlight: (of) => inFlight.peak.get('mailbox' in of ? `mailbox:${of.mailbox.toLowerCase()}` : `account:${normaliseAccount(of.account)}`) ?? 0,
    anchorMailboxMissing: (mailbox) => records.filter((r) => r.anchorMailbox === undefined && (mailbox === undefined || r.mailbox === mailbox.toLowerCase())).length,
    reset: () => {
      store.reset();
      push.reset();
      faults.clear();
      syncStates.reset();
      records.length = 0;
      inFlight.reset();
    },
  };
  return { service: parts.handle, control };
}
