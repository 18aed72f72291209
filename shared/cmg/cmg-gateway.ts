/**
 * What the product needs from CMG (CMG-INTERFACE.md), behind one small interface so a site
 * with a different CMG front can get an adapter. Methods throw only AppError: `configuration`
 * for 401, `permanent` with code `unknown_user` / `invalid_activity` / `unknown_code`,
 * `transient` after bounded retries (429 / 503 with Retry-After, 5xx, timeouts, resets).
 */
import type { CmgCode } from '../domain/cmg-code.js';
import type { ProviderKind } from '../domain/calendar-event.js';

export interface CmgUser {
  readonly userId: string;
  readonly email: string | null;
  readonly calendarSync: boolean;
  readonly language: string;
  readonly forwardByDefault: boolean;
  readonly messageSystem: number;
  readonly modifiedAt: string;
  readonly deleted: boolean;
}

export interface CmgCheck {
  readonly version: string;
  readonly application: string;
  readonly messageSystems: readonly number[];
}

/** The activity body of the contract (PUT /users/{userId}/activities/{externalId}). */
export interface CmgActivityBody {
  readonly code: string;
  readonly start: string;
  readonly end: string;
  readonly text: string;
  readonly forward: boolean;
  readonly inConference: boolean;
  readonly sign: string;
  readonly messageSystems: readonly number[];
  readonly source: { readonly provider: ProviderKind; readonly eventId: string };
}

export interface CmgRosterPage {
  readonly users: readonly CmgUser[];
  /** Checkpoint for the next `calendarSettings(since)`. */
  readonly asOf: string;
}

export interface CmgGateway {
  check(): Promise<CmgCheck>;
  /** Cached; refreshed after CMG_CODES_REFRESH or when an `unknown_code` error arrives. */
  codes(languages: readonly string[]): Promise<readonly CmgCode[]>;
  /** Every page of calendar settings changed since the checkpoint (all users without one). */
  calendarSettings(since?: string): Promise<CmgRosterPage>;
  upsertActivity(userId: string, externalId: string, body: CmgActivityBody): Promise<'created' | 'replaced'>;
  /** 404 counts as success. */
  deleteActivity(userId: string, externalId: string): Promise<void>;
  listActivities(userId: string, sign: string): Promise<ReadonlyArray<CmgActivityBody & { readonly externalId: string }>>;
}
