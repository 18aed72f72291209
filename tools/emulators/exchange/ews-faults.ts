/**
 * The failures a test can switch on, for one mailbox or the whole server, each answered the way
 * Exchange answers it:
 * - ErrorServerBusy: HTTP 500 s:Fault with BackOffMilliseconds in MessageXml (MS:ews-throttling-in-exchange.md
 *   table 4; exchangelib services/common.py; Thunderbird EwsServer.sys.mjs);
 * - ErrorExceededConnectionCount (EWSMaxConcurrency): an error in the operation's response message, HTTP 200;
 *   the throttling page names only ErrorServerBusy as an HTTP 500 (table 4), `delivery: 'fault'` makes it one;
 * - ErrorNonExistentMailbox, ErrorImpersonateUserDenied: HTTP 500 faults, as for the impersonation header
 *   (EWS-FACTS §8.3); ErrorAccessDenied: a response-message error (a delegate's folder access);
 * - ErrorInvalidSyncStateData: SyncFolderItems' own error message (MS:syncfolderitems-operation.md);
 * - http503: IIS queuing EWS requests (table 4); http401: a stray 401 under load (exchangelib protocol.py
 *   retries them), answered with the challenge headers, per mailbox if asked; the connection's login stays
 *   (the HTTPS front's `strayUnauthorized` is the server-wide kind that drops it);
 * - timeout: the answer comes `delayMs` late (real time: clients time out on real time).
 */
export type EwsFaultKind =
  | 'ErrorServerBusy'
  | 'ErrorExceededConnectionCount'
  | 'ErrorNonExistentMailbox'
  | 'ErrorImpersonateUserDenied'
  | 'ErrorAccessDenied'
  | 'ErrorInvalidSyncStateData'
  | 'http503'
  | 'http401'
  | 'timeout';

export type EwsOperation = 'FindItem' | 'GetItem' | 'SyncFolderItems' | 'GetUserOofSettings' | 'GetUserConfiguration' | 'Subscribe' | 'Unsubscribe' | 'GetServerTimeZones';

export interface EwsFaultRule {
  readonly kind: EwsFaultKind;
  /** Only requests on this mailbox (the impersonated one, or the one a folder names); any when absent. */
  readonly mailbox?: string;
  readonly operation?: EwsOperation;
  /** How many matching requests fail; until cleared when absent. */
  readonly times?: number;
  /** ErrorServerBusy's BackOffMilliseconds (default 30000). */
  readonly backOffMs?: number;
  /** timeout: how late the answer comes (default 120000 ms). */
  readonly delayMs?: number;
  readonly delivery?: 'fault' | 'message';
}

export interface FaultHandle {
  /** Matching requests answered with this fault so far. */
  readonly served: number;
  clear(): void;
}

interface ActiveRule {
  readonly rule: EwsFaultRule;
  remaining: number;
  served: number;
}

export class FaultSwitches {
  private rules: ActiveRule[] = [];

  add(rule: EwsFaultRule): FaultHandle {
    const active: ActiveRule = { rule, remaining: rule.times ?? Infinity, served: 0 };
    this.rules.push(active);
    return {
      get served() {
        return active.served;
      },
      clear: () => {
        this.rules = this.rules.filter((r) => r !== active);
      },
    };
  }

  clear(): void {
    this.rules = [];
  }

  /** The first live rule matching the request (its count is taken), or undefined. */
  take(request: { mailbox: string | undefined; operation: string }): EwsFaultRule | undefined {
    const found = this.rules.find(
      (r) =>
        r.remaining > 0 &&
        (r.rule.mailbox === undefined || r.rule.mailbox.toLowerCase() === request.mailbox) &&
        (r.rule.operation === undefined || r.rule.operation === request.operation) &&
        // SyncFolderItems is the only operation that has a sync state to refuse.
        (r.rule.kind !== 'ErrorInvalidSyncStateData' || request.operation === 'SyncFolderItems'),
    );
    if (!found) return undefined;
    found.remaining -= 1;
    found.served += 1;
    return found.rule;
  }
}
