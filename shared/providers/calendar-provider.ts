/**
 * The one small interface each calendar system sits behind (ARCHITECTURE.md). A provider is
 * built from one connection profile; the sync use case never sees Graph or Google shapes.
 * Every method throws only AppError (shared/errors): `permanent` for a mailbox the provider
 * will not serve (reported as invalid address), `configuration` for bad credentials (message
 * names the profile, never the secret), `resync` when the sync token expired, `transient`
 * for throttling / 5xx / timeouts after the provider's own bounded retries.
 */
import type { AutomaticReplies } from '../domain/automatic-replies.js';
import type { CalendarWindow } from '../domain/calendar-window.js';
import type { NormalizeResult, ProviderKind, SeriesMaster } from '../domain/calendar-event.js';

/**
 * Graph: where a mailbox's series masters are remembered between jobs, so that occurrence stubs
 * of an unchanged series need no request. The caller keeps it (Table Storage in the product).
 */
export interface SeriesMemory {
  recall(): Promise<readonly SeriesMaster[]>;
  /** Replaces what is remembered under these masters' ids. */
  remember(masters: readonly SeriesMaster[]): Promise<void>;
  forget(ids: readonly string[]): Promise<void>;
}

/** Graph: the directory user an address was found to be (`PROFILE_<NAME>_RESOLVE_ADDRESSES`). */
export interface DirectoryUser {
  readonly address: string;
  /** The user's object id. */
  readonly id: string;
}

export interface FetchCalendarRequest {
  /** The mailbox's mail address (Graph user principal / mail; Google subject and calendar id). */
  readonly address: string;
  /** Graph: what an earlier fetch found the address to be; ignored when it names another address. */
  readonly directoryUser?: DirectoryUser | undefined;
  readonly window: CalendarWindow;
  /** From the previous fetch of the same window; absent → full fetch. */
  readonly syncToken?: string | undefined;
  /**
   * A full fetch: the token this profile's last fetch of the mailbox left, whatever its window.
   * The result is full all the same; a provider may start its change tracking from it rather than
   * from nothing (Exchange: SyncFolderItems from that state, not over the whole folder again).
   */
  readonly previousSyncToken?: string | undefined;
  /** Graph: the mailbox's remembered series masters; without it every master needed is fetched. */
  readonly seriesMemory?: SeriesMemory | undefined;
}

export interface FetchCalendarResult {
  /** `full`: items are the whole window; `delta`: only what changed since the token. */
  readonly mode: 'full' | 'delta';
  /** Normalised items (shared/domain normalisers): events, removals by id, invalid items. */
  readonly items: readonly NormalizeResult[];
  /** Token for the next incremental fetch of the same window. */
  readonly nextSyncToken: string;
  /** The mailbox's IANA time zone (all-day events are dates in it). */
  readonly timeZone: string;
  /** Graph only (Google has no equivalent): the automatic-replies state, read on every fetch. */
  readonly automaticReplies?: AutomaticReplies | undefined;
  /** HTTP requests this fetch made (for status and benchmarks). */
  readonly requests: number;
  /** Graph, when the profile resolves addresses: the directory user the mailbox was read as. */
  readonly directoryUser?: DirectoryUser | undefined;
  /**
   * Delta only: series (by master id) whose occurrences in the window the items list in full
   * (listed anew because something in the series changed), or that no longer exist. Activities
   * of their occurrences that are not among the items must go.
   */
  readonly seriesInScope?: readonly string[] | undefined;
}

export interface PushSubscriptionRequest {
  readonly address: string;
  /** Webhook URL for change notifications. */
  readonly notificationUrl: string;
  /** Graph only: lifecycle notifications URL (can only be set at creation). */
  readonly lifecycleUrl?: string | undefined;
  /** Graph clientState / Google channel token / the secret an Exchange callback URL carries (already in notificationUrl): a random secret we verify on receipt. */
  readonly secret: string;
  /** Requested expiry (the provider may shorten it). */
  readonly expiresAt: string;
  /** Exchange: where the subscription it replaces stopped, so nothing in between is missed. */
  readonly watermark?: string | undefined;
}

export interface PushSubscription {
  /** Graph subscription id / Google channel id / Exchange SubscriptionId. */
  readonly id: string;
  /** The mailbox it watches: Google stops a channel as the user that created it. */
  readonly address?: string | undefined;
  /** Google: the resource id needed to stop the channel. */
  readonly resourceId?: string | undefined;
  readonly expiresAt: string;
}

export interface CalendarProvider {
  readonly kind: ProviderKind;
  /** The connection profile this provider was built from. */
  readonly profileName: string;
  fetchCalendar(request: FetchCalendarRequest): Promise<FetchCalendarResult>;
  /** Cheap probe that credentials work (admin "check connections"). */
  checkConnection(): Promise<void>;
  subscribe(request: PushSubscriptionRequest): Promise<PushSubscription>;
  /** Graph: PATCH expiration. Google: channels cannot be renewed; the caller replaces them. */
  renew(subscription: PushSubscription, expiresAt: string): Promise<PushSubscription>;
  /** Tolerates an already-gone subscription. */
  unsubscribe(subscription: PushSubscription): Promise<void>;
}
