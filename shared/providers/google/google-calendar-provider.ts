/**
 * The CalendarProvider for one Google Workspace connection profile: a service account with
 * domain-wide delegation reading each mailbox's primary calendar through @googleapis/calendar.
 */
import { calendar, type MethodOptions } from '@googleapis/calendar';
import { AppError, permanentError } from '../../errors/app-error.js';
import type { GoogleProfile } from '../../config/profile-settings.js';
import { silentLogger, type Logger } from '../../observability/logger.js';
import type { CalendarProvider, FetchCalendarResult, PushSubscription } from '../calendar-provider.js';
import { createGoogleAuth } from './google-auth.js';
import { readChannel, watchRequest } from './google-channels.js';
import { classifyGoogleError, type GoogleCallContext } from './google-errors.js';
import { listEvents } from './google-events.js';
import { countingRequests } from './google-request-count.js';
import { relistSeries } from './google-series.js';
import { withGoogleRetries, type RetryPolicy } from './google-retry.js';

export interface GoogleProviderOptions {
  /** Per HTTP request (SyncConfig.providerTimeoutMs). */
  readonly timeoutMs: number;
  /** Retries of one request after throttling / 5xx / timeouts (SyncConfig.providerMaxRetries). */
  readonly maxRetries: number;
  readonly logger?: Logger;
  /** events.list page size; Google's maximum, 2500, by default. */
  readonly pageSize?: number;
  /** First backoff step when the server gives no Retry-After (default 1 s). */
  readonly retryBaseMs?: number;
  /** Longest wait slept in-process (default 30 s); longer waits go back to the job queue. */
  readonly maxRetryWaitMs?: number;
  /** Longest answer read (default MAX_RESPONSE_BYTES). */
  readonly maxResponseBytes?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
}

export function createGoogleCalendarProvider(profile: GoogleProfile, options: GoogleProviderOptions): CalendarProvider {
  const logger = (options.logger ?? silentLogger).child({ provider: 'google', profile: profile.name });
  const now = options.now ?? Date.now;
  const auth = createGoogleAuth(profile, { timeoutMs: options.timeoutMs, maxResponseBytes: options.maxResponseBytes, now });
  const policy: RetryPolicy = {
    maxRetries: options.maxRetries,
    baseDelayMs: options.retryBaseMs ?? 1000,
    maxWaitMs: options.maxRetryWaitMs ?? 30_000,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: options.random ?? Math.random,
    logger,
  };
  const pageSize = options.pageSize ?? 2500;
  // googleapis-common joins the method path onto rootUrl with `new URL(path, rootUrl)`.
  const rootUrl = profile.apiRoot.endsWith('/') ? profile.apiRoot : `${profile.apiRoot}/`;
  // One client for every mailbox: it holds no credentials; each request carries its mailbox's token.
  const api = calendar({ version: 'v3', rootUrl, ...auth.requestOptions });

  const failed = (op: string, context: GoogleCallContext, failure: AppError): AppError => {
    // A series gone since the delta named it is an answer (google-series.ts), not a failure.
    if (failure.code !== 'series-gone') logger.warn('google.failed', { call: op, address: context.address, kind: failure.kind, code: failure.code });
    return failure;
  };

  /**
   * One Google call as the context's mailbox, with our retries. A 401 means Google no longer honours a token
   * we still thought good (revoked early, or our clock is off): it is dropped and the call tried
   * once more with a new one; a second 401 goes to the job.
   */
  const call = async <T>(op: string, context: GoogleCallContext, work: (options: MethodOptions) => Promise<T>): Promise<T> => {
    for (let refused = 0; ; refused += 1) {
      let token: string | undefined;
      try {
        return await withGoogleRetries(op, context, policy, async () => {
          token = await auth.accessToken(context.address);
          return work({ headers: { Authorization: `Bearer ${token}` } });
        });
      } catch (error) {
        const failure = classifyGoogleError(error, context).error;
        if (failure.code === 'auth-rejected' && token !== undefined) {
          auth.forget(context.address, token);
          if (refused === 0) {
            logger.warn('google.token-refused', { call: op, address: context.address });
            continue;
          }
        }
        throw failed(op, context, failure);
      }
    }
  };

  return {
    kind: 'google',
    profileName: profile.name,

    async fetchCalendar(request): Promise<FetchCalendarResult> {
      const context: GoogleCallContext = { profileName: profile.name, address: request.address, incremental: request.syncToken !== undefined };
      const { result, requests } = await countingRequests(async () => {
        const listed = await listEvents({ calendarId: request.address, window: request.window, syncToken: request.syncToken, pageSize }, (params) =>
          call('events.list', context, async (options) => (await api.events.list(params, options)).data),
        );
        if (listed.mode === 'full') return listed;
        const series = await relistSeries({ calendarId: request.address, window: request.window, pageSize }, listed.items, (params) =>
          call('events.instances', { ...context, resource: 'series' }, async (options) => (await api.events.instances(params, options)).data),
        );
        return { ...listed, ...series };
      });
      logger.debug('google.fetched', { address: request.address, mode: result.mode, items: result.items.length, requests });
      return { ...result, requests };
    },

    async checkConnection(): Promise<void> {
      // The service account's own token proves the key and the token endpoint; delegation is
      // per mailbox and shows in the first fetch.
      // Always a new token: one from the cache would prove nothing about the key or the endpoint now.
      const context: GoogleCallContext = { profileName: profile.name, address: undefined };
      await withGoogleRetries('token', context, policy, () => auth.checkToken()).catch((error: unknown) => {
        throw failed('token', context, classifyGoogleError(error, context).error);
      });
    },

    async subscribe(request): Promise<PushSubscription> {
      const context: GoogleCallContext = { profileName: profile.name, address: request.address };
      const data = await call('events.watch', context, async (options) =>
        (await api.events.watch({ calendarId: request.address, requestBody: watchRequest(request, now()) }, options)).data,
      );
      return readChannel(data, request);
    },

    async renew(): Promise<PushSubscription> {
      // https://developers.google.com/calendar/api/guides/push#renewing_notification_channels:
      // "there is no automatic way to renew a notification channel"; the caller watches anew
      // (subscribe) and stops the old channel (unsubscribe).
      throw permanentError(`Google profile "${profile.name}": channels cannot be renewed; subscribe a new one and unsubscribe the old`, 'renew-unsupported');
    },

    async unsubscribe(subscription): Promise<void> {
      // Stopped as the mailbox that created it (the subject of the watch call); without the
      // address, with the service account's own token.
      const context: GoogleCallContext = { profileName: profile.name, address: subscription.address, resource: 'channel' };
      try {
        await call('channels.stop', context, async (options) => {
          await api.channels.stop({ requestBody: { id: subscription.id, resourceId: subscription.resourceId } }, options);
        });
      } catch (error) {
        // Already expired or stopped: the goal is reached.
        if (error instanceof AppError && error.code === 'channel-not-found') return;
        throw error;
      }
    },
  };
}
