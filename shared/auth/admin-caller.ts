/**
 * Who called the admin API, as the Entra ID access token says, and what the app roles allow.
 * `CalendarSync.Reader`: status, lists and reports. `CalendarSync.Operator`: also resync,
 * connection check and preview (a preview shows live subjects).
 */
export const READER_ROLE = 'CalendarSync.Reader';
export const OPERATOR_ROLE = 'CalendarSync.Operator';
export type AdminRole = typeof READER_ROLE | typeof OPERATOR_ROLE;

export interface AdminCaller {
  /** The Entra object id of the user or application (`oid`). */
  readonly id: string;
  /** For the log: the user's sign-in name, or the calling application's client id. */
  readonly name: string;
  readonly roles: readonly string[];
}

/** An operator may do everything a reader may. */
export function mayAct(caller: AdminCaller, role: AdminRole): boolean {
  return caller.roles.includes(OPERATOR_ROLE) || (role === READER_ROLE && caller.roles.includes(READER_ROLE));
}

/** The caller as log fields: the identity, never the token. */
export const callerFields = (caller: AdminCaller): { caller: string; callerId: string } => ({ caller: caller.name, callerId: caller.id });
