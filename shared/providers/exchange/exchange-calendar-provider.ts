/**
 * The CalendarProvider for one Exchange Server connection profile (issue 26): a service account
 * reading each mailbox over EWS, impersonating its owner or as a delegate. The reading itself is
 * exchange-calendar-read.ts; the envelopes ews-requests.ts; the answers ews-responses.ts; the
 * wire (NTLMv2 once per socket, channel binding, the per-profile connection limit) the transport.
 */
import type { ExchangeProfile } from '../../config/profile-settings.js';
import type { ExchangeCalendarItem } from '../../domain/exchange-calendar-item.js';
import { normalizeExchangeAutomaticReplies } from '../../domain/normalize-exchange-automatic-replies.js';
import { normalizeExchangeEvent } from '../../domain/normalize-exchange-event.js';
import { permanentError } from '../../errors/app-error.js';
import { silentLogger, type Logger } from '../../observability/logger.js';
import type { CalendarProvider, FetchCalendarResult, PushSubscription } from '../calendar-provider.js';
import { readExchangeCalendar, type ExchangeReadCalls } from './exchange-calendar-read.js';
import { classifyEwsFailure, classifyEwsHttp } from './exchange-errors.js';
import { calendarViewRequest, getUserConfigurationRequest, getUserOofSettingsRequest, serverTimeZonesProbe, subscribePushRequest, syncFolderItemsRequest, type EwsTarget } from './ews-requests.js';
import {
  isEwsFailure,
  readCalendarView,
  readRegionalTimeZone,
  readResponseMessages,
  readSubscribe,
  readSyncFolderItems,
  readUserOofSettings,
  UNREADABLE_RESPONSE,
  type EwsFailure,
} from './ews-responses.js';
import type { ExchangeOofSettings } from '../../domain/normalize-exchange-automatic-replies.js';

/** What the provider needs of the EWS transport (ews-transport.ts): one SOAP POST, authenticated. */
export interface EwsPoster {
  post(envelope: string, options: { readonly anchorMailbox?: string | undefined }): Promise<{ readonly status: number; readonly body: string }>;
}

export interface ExchangeProviderOptions {
  readonly transport: EwsPoster;
  /**
   * The zone all-day items are read in when the mailbox's regional configuration names none, or
   * one we cannot map, or is refused (SyncConfig.defaultTimeZone).
   */
  readonly timeZone: string;
  /** Retries of one request after throttling or a passing failure (SyncConfig.providerMaxRetries). */
  readonly maxRetries: number;
  /** Quiet polls read the automatic replies again once the last read is this old (SyncConfig.updateIntervalMs). */
  readonly automaticRepliesEveryMs: number;
  /** Keep-alive period asked of push subscriptions (PushConfig.exchangeStatusFrequencyMinutes). */
  readonly statusFrequencyMinutes: number;
  readonly logger?: Logger;
  /** First backoff step when Exchange gives no BackOffMilliseconds (default 1 s). */
  readonly retryBaseMs?: number;
  /** Longest wait slept in-process (default 30 s); longer waits go back to the job queue. */
  readonly maxRetryWaitMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
}

export function createExchangeCalendarProvider(profile: ExchangeProfile, options: ExchangeProviderOptions): CalendarProvider {
  const logger = (options.logger ?? silentLogger).child({ provider: 'exchange', profile: profile.name });
  const now = options.now ?? Date.now;
  const readOptions = {
    profileName: profile.name,
    access: profile.access,
    maxRetries: options.maxRetries,
    maxRetryWaitMs: options.maxRetryWaitMs ?? 30_000,
    retryBaseMs: options.retryBaseMs ?? 1000,
    automaticRepliesEveryMs: options.automaticRepliesEveryMs,
    defaultTimeZone: options.timeZone,
    now,
    sleep: options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    random: options.random ?? Math.random,
    logger,
  };

  /** One operation for one mailbox: X-AnchorMailbox names it, so Exchange routes to its server. */
  const ask = async <T>(target: EwsTarget, envelope: string, read: (status: number, body: string) => T | EwsFailure): Promise<T | EwsFailure> => {
    const answer = await options.transport.post(envelope, { anchorMailbox: target.mailbox });
    return read(answer.status, answer.body);
  };

  const callsFor = (target: EwsTarget): ExchangeReadCalls<ExchangeCalendarItem, ExchangeOofSettings> => ({
    syncFolderItems: (state, max) => ask(target, syncFolderItemsRequest(target, state, max), readSyncFolderItems),
    calendarView: (start, end, max) => ask(target, calendarViewRequest(target, start, end, max), readCalendarView),
    userOofSettings: () => ask(target, getUserOofSettingsRequest(target), readUserOofSettings),
    regionalTimeZone: () => ask(target, getUserConfigurationRequest(target), readRegionalTimeZone),
  });

  return {
    kind: 'exchange',
    profileName: profile.name,

    async fetchCalendar(request): Promise<FetchCalendarResult> {
      const target: EwsTarget = { mailbox: request.address, access: profile.access };
      const read = await readExchangeCalendar(
        callsFor(target),
        { address: request.address, window: request.window, syncToken: request.syncToken, previousSyncToken: request.previousSyncToken },
        readOptions,
      );
      const automaticReplies = read.automaticReplies !== undefined && 'read' in read.automaticReplies ? normalizeExchangeAutomaticReplies(read.automaticReplies.read) : undefined;
      logger.debug('exchange.fetched', { address: request.address, mode: read.mode, items: read.items.length, timeZone: read.timeZone, requests: read.requests });
      return {
        mode: read.mode,
        items: read.items.map((item) => normalizeExchangeEvent(item, read.timeZone, request.address)),
        nextSyncToken: read.nextSyncToken,
        timeZone: read.timeZone,
        automaticReplies,
        requests: read.requests,
      };
    },

    async checkConnection(): Promise<void> {
      const answer = await options.transport.post(serverTimeZonesProbe(), {});
      const read = readResponseMessages(answer.status, answer.body, 'GetServerTimeZones');
      // An EWS answer of any kind, even a refusal of the operation, came from EWS past sign-in.
      if (isEwsFailure(read) && read.responseCode === UNREADABLE_RESPONSE) throw classifyEwsHttp(answer.status, profile.name);
    },

    async subscribe(request): Promise<PushSubscription> {
      const target: EwsTarget = { mailbox: request.address, access: profile.access };
      const attempt = (watermark: string | undefined) =>
        ask(target, subscribePushRequest(target, request.notificationUrl, options.statusFrequencyMinutes, watermark), readSubscribe);
      let created = await attempt(request.watermark);
      if (isEwsFailure(created) && request.watermark !== undefined && classifyEwsFailure(created, profile.name, 'subscription').code === 'watermark-invalid') {
        // Older than 30 days, or from a server since replaced: start from now. The next
        // scheduled sync reads whatever the gap held.
        logger.info('exchange.watermark-refused', { address: request.address });
        created = await attempt(undefined);
      }
      if (isEwsFailure(created)) throw classifyEwsFailure(created, profile.name, 'subscription');
      return { id: created.subscriptionId, address: request.address, expiresAt: request.expiresAt };
    },

    async renew(): Promise<PushSubscription> {
      // A push subscription lives as long as its notifications are answered OK; there is nothing
      // to extend. A silent one is replaced (maintain-subscriptions.ts).
      throw permanentError(`Exchange profile "${profile.name}": push subscriptions are not renewed; subscribe anew`, 'renew-unsupported');
    },

    async unsubscribe(): Promise<void> {
      // EWS Unsubscribe ends pull subscriptions only (MS:unsubscribe-operation.md). A push
      // subscription ends when its next notification or keep-alive is answered Unsubscribe,
      // which the webhook does for a subscription no longer on record.
    },
  };
}
