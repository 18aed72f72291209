/** What tests, the dev host and the control routes may do to the Graph emulator, in-process. */
import type { AutomaticRepliesSeed, EventPatch, GraphAppRegistration, GraphPermission, MailboxAccess, SeedEvent, SeedUser, Subscription } from './graph-emulator-state.js';
import type { LifecycleEvent, NotificationDelivery } from './graph-subscription-routes.js';

/** One request Graph handled, with `$batch` sub-requests listed on their own. */
export interface GraphApiRequest {
  readonly method: string;
  /** Path below `/v1.0`, without the query. */
  readonly path: string;
  readonly batched: boolean;
}

export interface GraphEmulatorControl {
  readonly tenantId: string;
  registerApp(app: GraphAppRegistration): void;
  /** The app-wide fault switch: what the app is granted from now on (e.g. none of the mailbox permissions). */
  setAppPermissions(clientId: string, permissions: readonly GraphPermission[]): void;
  /**
   * Counts `count` requests of the same app (another instance of it) in flight on the mailbox
   * until the returned function is called.
   */
  holdMailboxRequests(user: string, count: number): () => void;
  addUser(user: SeedUser): { id: string; address: string };
  addEvent(user: string, event: SeedEvent): string;
  updateEvent(user: string, eventId: string, patch: EventPatch): void;
  deleteEvent(user: string, eventId: string): void;
  /** The occurrences of a series as calendarView lists them. */
  occurrences(user: string, seriesId: string): Array<{ id: string; start: string; end: string }>;
  updateOccurrence(user: string, seriesId: string, occurrenceId: string, patch: EventPatch): void;
  cancelOccurrence(user: string, seriesId: string, occurrenceId: string): void;
  setAutomaticReplies(user: string, setting: AutomaticRepliesSeed): void;
  setTimeZone(user: string, zone: string): void;
  setMailboxAccess(user: string, access: MailboxAccess): void;
  /** Every delta and skip token issued so far (for one user, or all) now answers 410. */
  expireDeltaTokens(user?: string): void;
  /** Every access token issued so far now answers 401. */
  revokeAccessTokens(): void;
  /** Tokens the token endpoint has issued. */
  tokensIssued(): number;
  subscriptions(): Subscription[];
  /** POSTs a lifecycle notification to the subscription's lifecycle URL; resolves to the subscriber's status. */
  sendLifecycleEvent(subscriptionId: string, lifecycleEvent: LifecycleEvent): Promise<number>;
  notifications(): NotificationDelivery[];
  /** Waits until every change notification sent so far was answered. */
  flushNotifications(): Promise<void>;
  /** Graph API requests from the record, `$batch` expanded. */
  apiRequests(): GraphApiRequest[];
}
