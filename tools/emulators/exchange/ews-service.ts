/**
 * The Exchange side of the EWS emulator: a function from an authenticated request (the account
 * the server part logged in, the SOAP body, the headers) to Exchange's answer. It checks what
 * Exchange checks before an operation runs (RequestServerVersion, the ExchangeImpersonation header
 * and the ApplicationImpersonation right, delegate access to a named mailbox, X-AnchorMailbox),
 * applies the fault switches, and hands the operation to ews-operations.ts. Tests drive it directly
 * with XML bodies as Microsoft's pages show them; the HTTPS/NTLM server part calls it per request.
 */
import { systemClock, type Clock } from '../../../shared/clock/clock.js';
import type { EwsServiceAnswer as EwsAnswer, EwsServiceRequest as EwsRequest } from './ews-emulator-server.js';
import { FaultSwitches, type EwsFaultRule, type EwsOperation } from './ews-faults.js';
import { MailboxStore, normaliseAccount, type Mailbox } from './ews-mailbox-store.js';
import { runOperation, SyncStates, type OperationContext } from './ews-operations.js';
import { PushSubscriptions } from './ews-push.js';
import { asNode, child, readRequest, text, type XmlNode } from './ews-request-reader.js';
import {
  EXCHANGE_2019,
  EXCHANGE_PREFIXES,
  REFERENCE_PAGE_PREFIXES,
  UNUSUAL_PREFIXES,
  XmlWriter,
  envelope,
  operationResponse,
  responseMessage,
  soapFault,
  type EwsPrefixes,
  type ServerVersion,
} from './ews-soap-writer.js';

/** The request the HTTPS front passes on, and the answer it sends back (the contract's EwsService). */
export type { EwsServiceRequest as EwsRequest, EwsServiceAnswer as EwsAnswer } from './ews-emulator-server.js';

export interface EwsServiceOptions {
  /** Which prefixes answers use: Exchange's own (default), the reference pages', or unusual ones. */
  readonly prefixes?: 'exchange' | 'reference' | 'unusual' | EwsPrefixes;
  readonly serverVersion?: ServerVersion;
  /** Drives push keep-alives and retries (a ManualClock in tests). */
  readonly clock?: Clock;
  /** Multiplies push waits (StatusFrequency, retries); 1 is Exchange's own timing. */
  readonly pushTimeScale?: number;
  readonly pushDeliveryTimeoutMs?: number;
  /** EWSFindCountLimit of the throttling policy: 1,000 by default (MS:ews-throttling-in-exchange.md). */
  readonly findCountLimit?: number;
  /**
   * EWSMaxConcurrency: requests of one account in flight at once beyond it are refused with
   * ErrorExceededConnectionCount (27 from Exchange 2013, MS:ews-throttling-in-exchange.md).
   */
  readonly maxConcurrency?: number;
  /** Added before every answer (real time), so that requests overlap as they do against a loaded server. */
  readonly latencyMs?: number;
  /**
   * Without X-AnchorMailbox Exchange "can return 500 or 503 errors" for impersonated requests
   * (MS:impersonation-and-ews-in-exchange.md, EWS-FACTS §2): when true, such a request gets 503.
   * Either way it is counted (`anchorMailboxMissing`).
   */
  readonly requireAnchorMailbox?: boolean;
  /** faultactor of faults. */
  readonly url?: string;
}

export interface EwsRequestRecord {
  readonly atMs: number;
  readonly operation: string;
  readonly account: string;
  /** The mailbox the request is about (impersonated, or named by a folder), when known. */
  readonly mailbox: string | undefined;
  readonly impersonated: boolean;
  readonly serverVersion: string | undefined;
  readonly anchorMailbox: string | undefined;
  readonly status: number;
  /** Every ResponseCode in the answer, in order. */
  readonly responseCodes: readonly string[];
}

// RequestServerVersion values (MS:requestserverversion.md), plus Exchange2016 which 2016/2019 also accept.
const SCHEMAS = new Set(['Exchange2007', 'Exchange2007_SP1', 'Exchange2010', 'Exchange2010_SP1', 'Exchange2010_SP2', 'Exchange2013', 'Exchange2013_SP1', 'Exchange2016']);
const OPERATIONS: Record<string, EwsOperation> = {
  FindItem: 'FindItem',
  GetItem: 'GetItem',
  SyncFolderItems: 'SyncFolderItems',
  GetUserOofSettingsRequest: 'GetUserOofSettings',
  GetUserConfiguration: 'GetUserConfiguration',
  Subscribe: 'Subscribe',
  Unsubscribe: 'Unsubscribe',
  GetServerTimeZones: 'GetServerTimeZones',
};
const XML = { 'Content-Type': 'text/xml; charset=utf-8' };

/** Requests in flight now and at most so far, per account and per mailbox. */
export class InFlight {
  readonly now = new Map<string, number>();
  readonly peak = new Map<string, number>();

  enter(key: string): number {
    const count = (this.now.get(key) ?? 0) + 1;
    this.now.set(key, count);
    this.peak.set(key, Math.max(count, this.peak.get(key) ?? 0));
    return count;
  }

  leave(key: string): void {
    this.now.set(key, (this.now.get(key) ?? 1) - 1);
  }

  reset(): void {
    this.now.clear();
    this.peak.clear();
  }
}

export interface EwsServiceParts {
  readonly store: MailboxStore;
  readonly push: PushSubscriptions;
  readonly faults: FaultSwitches;
  readonly syncStates: SyncStates;
  readonly records: EwsRequestRecord[];
  readonly inFlight: InFlight;
  readonly handle: (request: EwsRequest) => Promise<EwsAnswer>;
}

export function createEwsServiceParts(options: EwsServiceOptions = {}): EwsServiceParts {
  const clock = options.clock ?? systemClock;
  const prefixes = typeof options.prefixes === 'object' ? options.prefixes : { exchange: EXCHANGE_PREFIXES, reference: REFERENCE_PAGE_PREFIXES, unusual: UNUSUAL_PREFIXES }[options.prefixes ?? 'exchange'];
  const version = options.serverVersion ?? EXCHANGE_2019;
  const url = options.url ?? 'https://mail.contoso.test/EWS/Exchange.asmx';
  const store = new MailboxStore(() => clock.now());
  const push = new PushSubscriptions({ clock, timeScale: options.pushTimeScale ?? 1, deliveryTimeoutMs: options.pushDeliveryTimeoutMs ?? 5_000, serverVersionName: 'Exchange2013_SP1', prefixes });
  store.onChange((mailbox, change) => push.changed(mailbox, change));
  const faults = new FaultSwitches();
  const syncStates = new SyncStates();
  const records: EwsRequestRecord[] = [];
  const inFlight = new InFlight();
  const w = new XmlWriter(prefixes);

  const fault = (code: string, message: string, values?: Record<string, string>): EwsAnswer => ({ status: 500, body: soapFault(prefixes, version, { code, message, ...(values ? { values } : {}) }), headers: XML });

  const handle = async (request: EwsRequest): Promise<EwsAnswer> => {
    const account = normaliseAccount(request.user);
    const anchor = headerValue(request.headers['x-anchormailbox']);
    const read = readRequest(request.body);
    if (read.kind === 'malformed') {
      const answer = fault('ErrorSchemaValidation', `The request failed schema validation: ${read.detail}`);
      records.push({ atMs: clock.now(), operation: '', account, mailbox: undefined, impersonated: false, serverVersion: undefined, anchorMailbox: anchor, status: answer.status, responseCodes: codesIn(answer.body) });
      return answer;
    }
    const parsed = read.request;
    const operation = OPERATIONS[parsed.operation] ?? parsed.operation;
    const impersonatedAddress = parsed.impersonation?.address.trim().toLowerCase();
    const mailboxAddress = impersonatedAddress ?? namedMailbox(parsed.body) ?? store.ownMailbox(account)?.address;
    let answer: EwsAnswer;
    const accountKey = `account:${account}`;
    const mailboxKey = `mailbox:${mailboxAddress ?? ''}`;
    const concurrent = inFlight.enter(accountKey);
    inFlight.enter(mailboxKey);
    try {
      if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
      answer = concurrent > (options.maxConcurrency ?? 27) ? connectionCountExceeded() : await answerFor();
    } catch (error) {
      answer = fault('ErrorInternalServerError', `An internal server error occurred. ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      inFlight.leave(accountKey);
      inFlight.leave(mailboxKey);
    }
    records.push({ atMs: clock.now(), operation, account, mailbox: mailboxAddress, impersonated: parsed.impersonation !== undefined, serverVersion: parsed.serverVersion, anchorMailbox: anchor, status: answer.status, responseCodes: codesIn(answer.body) });
    return answer;

    async function answerFor(): Promise<EwsAnswer> {
      // "This attribute is required when the target server version is … Exchange Server 2010" and later
      // (MS:requestserverversion.md); absent, the request is served on the Exchange2007 schema.
      const schema = parsed.serverVersion ?? 'Exchange2007';
      if (!SCHEMAS.has(schema)) return fault('ErrorInvalidServerVersion', 'The specified server version is invalid.');
      if (anchor === undefined && parsed.impersonation !== undefined && options.requireAnchorMailbox === true) return { status: 503, body: 'Service Unavailable', headers: { 'Content-Type': 'text/html' } };

      const rule = faults.take({ mailbox: mailboxAddress, operation });
      if (rule?.kind === 'timeout') await new Promise((resolve) => setTimeout(resolve, rule.delayMs ?? 120_000));
      const switched = rule && rule.kind !== 'timeout' ? switchedAnswer(rule) : undefined;
      if (switched) return switched;

      let impersonated: Mailbox | undefined;
      if (parsed.impersonation) {
        impersonated = store.mailbox(impersonatedAddress ?? '');
        // Header failures come before the operation, as SOAP faults (EWS-FACTS §8.3; MS:responsecode.md).
        if (!impersonated) return fault('ErrorNonExistentMailbox', 'The SMTP address has no mailbox associated with it.');
        if (!impersonated.impersonators.has(account)) return fault('ErrorImpersonateUserDenied', 'The account does not have permission to impersonate the requested user.');
      }
      if (!(parsed.operation in OPERATIONS)) return fault('ErrorInvalidRequest', `The request is invalid: the emulator does not implement ${parsed.operation}.`);
      const context: OperationContext = { w, prefixes, version, url, account, schema, impersonated, store, push, syncStates, findCountLimit: options.findCountLimit ?? 1000 };
      const result = runOperation(context, parsed.operation, parsed.body);
      return { status: result.status, body: result.body, headers: XML };
    }

    function connectionCountExceeded(): EwsAnswer {
      return switchedAnswer({ kind: 'ErrorExceededConnectionCount' })!;
    }

    function switchedAnswer(rule: EwsFaultRule): EwsAnswer | undefined {
      const asMessage = (code: string, message: string): EwsAnswer => {
        const name = parsed.operation === 'GetUserOofSettingsRequest' ? 'GetUserOofSettings' : parsed.operation;
        const body =
          parsed.operation === 'GetUserOofSettingsRequest'
            ? operationResponse(w, 'GetUserOofSettingsResponse', responseMessage(w, 'ResponseMessage', { error: { code, text: message } }))
            : operationResponse(w, `${name}Response`, w.m('ResponseMessages', responseMessage(w, `${name}ResponseMessage`, { error: { code, text: message } })));
        return { status: 200, body: envelope(prefixes, version, body), headers: XML };
      };
      const either = (code: string, message: string, defaultDelivery: 'fault' | 'message', values?: Record<string, string>): EwsAnswer =>
        (rule.delivery ?? defaultDelivery) === 'fault' ? fault(code, message, values) : asMessage(code, message);
      switch (rule.kind) {
        case 'ErrorServerBusy':
          return either('ErrorServerBusy', 'The server cannot service this request right now. Try again later.', 'fault', { BackOffMilliseconds: String(rule.backOffMs ?? 30_000) });
        case 'ErrorExceededConnectionCount':
          return either('ErrorExceededConnectionCount', 'You have exceeded the available concurrent connections for your account.  Try again once your other requests have completed.', 'message');
        case 'ErrorNonExistentMailbox':
          return either('ErrorNonExistentMailbox', 'The SMTP address has no mailbox associated with it.', 'fault');
        case 'ErrorImpersonateUserDenied':
          return either('ErrorImpersonateUserDenied', 'The account does not have permission to impersonate the requested user.', 'fault');
        case 'ErrorAccessDenied':
          return either('ErrorAccessDenied', 'Access is denied. Check credentials and try again.', 'message');
        case 'ErrorInvalidSyncStateData':
          return (rule.delivery ?? 'message') === 'message'
            ? { status: 200, body: envelope(prefixes, version, operationResponse(w, 'SyncFolderItemsResponse', w.m('ResponseMessages', invalidSyncState(w)))), headers: XML }
            : fault('ErrorInvalidSyncStateData', 'Synchronization state data is corrupt or otherwise invalid.');
        case 'http503':
          return { status: 503, body: '<html><body><h1>Service Unavailable</h1></body></html>', headers: { 'Content-Type': 'text/html' } };
        case 'http401':
          return { status: 401, body: '', headers: { 'WWW-Authenticate': 'Negotiate, NTLM' } };
        case 'timeout':
          return undefined;
      }
    }
  };

  return { store, push, faults, syncStates, records, inFlight, handle };
}

export function invalidSyncState(w: XmlWriter): string {
  // MS:syncfolderitems-operation.md, error response example: an empty SyncState and IncludesLastItemInRange true.
  return responseMessage(w, 'SyncFolderItemsResponseMessage', {
    error: { code: 'ErrorInvalidSyncStateData', text: 'Synchronization state data is corrupt or otherwise invalid.' },
    content: w.m('SyncState') + w.mText('IncludesLastItemInRange', true),
  });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.trim() === '' ? undefined : first.trim().toLowerCase();
}

/** The first mailbox a request names (DistinguishedFolderId/Mailbox/EmailAddress, or GetUserOofSettings' Mailbox/Address). */
function namedMailbox(node: XmlNode | undefined): string | undefined {
  if (!node) return undefined;
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('@_') || key === '#text') continue;
    for (const v of Array.isArray(value) ? (value as unknown[]) : [value]) {
      const n = asNode(v);
      if (key === 'Mailbox') {
        const address = text(child(n, 'EmailAddress')) ?? text(child(n, 'Address'));
        if (address) return address.trim().toLowerCase();
      }
      const found = namedMailbox(n);
      if (found) return found;
    }
  }
  return undefined;
}

function codesIn(body: string): string[] {
  return [...body.matchAll(/:ResponseCode[^>]*>([A-Za-z]+)</g)].map((m) => m[1]!);
}
