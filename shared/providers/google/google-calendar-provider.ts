/**
 * The CalendarProvider for one Google Workspace connection profile: a service account with
 * domain-wide delegation reading each mailbox's primary calendar through @googleapis/calendar.
 */
import { calendar, type calendar_v3 } from '@googleapis/calendar';
import { AppError, permanentError } from '../../errors/app-error.js';
import type { GoogleProfile } from '../../config/profile-settings.js';
import { silentLogger, type Logger } from '../../observability/logger.js';
import type { CalendarProvider, FetchCalendarResult, PushSubscription } from '../calendar-provider.js';
import { createGoogleAuth } from './google-auth.js';
import { readChannel, watchRequest } from './google-channels.js';
import { classifyGoogleError, type GoogleCallContext } from './google-errors.js';
import { listEvents } from './google-events.js';
import { countingRequests } from './google-request-count.js';
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
  /** JWT clients (one per mailbox, each holding its token) kept in memory (default 1000). */
  readonly maxCachedSubjects?: number;
  /** Longest answer read (default MAX_RESPONSE_BYTES). */
  readonly maxResponseBytes?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
}

export function createGoogleCalendarProvider(profile: GoogleProfile, options: GoogleProviderOptions): CalendarProvider {
  const logger = (options.logger ?? silentLogger).child({ provider: 'google', profile: profile.name });
  const auth = createGoogleAuth(profile, { timeoutMs: options.timeoutMs, maxCachedSubjects: options.maxCachedSubjects ?? 1000, maxResponseBytes: options.maxResponseBytes });
  const policy: RetryPolicy = {
    maxRetries: options.maxRetries,
    baseDelayMs: options.retryBaseMs ?? 1000,
    maxWaitMs: options.maxRetryWaitMs ?? 30_000,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: options.random ?? Math.random,
    logger,
  };
  const now = options.now ?? Date.now;
  const pageSize = options.pageSize ?? 2500;
  // googleapis-common joins the method path onto rootUrl with `new URL(path, rootUrl)`.
  const rootUrl = profile.apiRoot.endsWith('/') ? profile.apiRoot : `${profile.apiRoot}/`;
  // googleapis-common pins its own google-auth-library patch release, whose JWT type differs
  // from ours only in private members; at run time it just calls `request()` on the client.
  const api = (subject: string | undefined): calendar_v3.Calendar =>
    calendar({ version: 'v3', auth: auth.clientFor(subject) as unknown as calendar_v3.Options['auth'], rootUrl });

  const call = async <T>(op: string, context: GoogleCallContext, work: () => Promise<T>): Promise<T> => {
    try {
      return await withGoogleRetries(op, context, policy, work);
    } catch (error) {
      const failure = classifyGoogleError(error, context).error;
      if (failure.code === 'auth-rejected') auth.forget(context.address);
      logger.warn('google.failed', { call: op, address: context.address, kind: failure.kind, code: failure.code });
      throw failure;
    }
  };

  return {
    kind: 'google',
    profileName: profile.name,

    async fetchCalendar(request): Promise<FetchCalendarResult> {
      const context: GoogleCallContext = { profileName: profile.name, address: request.address, incremental: request.syncToken !== undefined };
      const client = api(request.address);
      const { result, requests } = await countingRequests(() =>
        listEvents({ calendarId: request.address, window: request.window, syncToken: request.syncToken, pageSize }, (params) =>
          call('events.list', context, async () => (await client.events.list(params)).data),
        ),
      );
      logger.debug('google.fetched', { address: request.address, mode: result.mode, items: result.items.length, requests });
      return { ...result, requests };
    },

    async checkConnection(): Promise<void> {
      // The service account's own token proves the key and the token endpoint; delegation is
      // per mailbox and shows in the first fetch.
      await call('token', { profileName: profile.name, address: undefined }, async () => {
        await auth.clientFor(undefined).getAccessToken();
      });
    },

    async subscribe(request): Promise<PushSubscription> {
      const context: GoogleCallContext = { profileName: profile.name, address: request.address };
      const client = api(request.address);
      const data = await call('events.watch', context, async () =>
        (await client.events.watch({ calendarId: request.address, requestBody: watchRequest(request, now()) })).data,
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
      const client = api(subscription.address);
      try {
        await call('channels.stop', context, async () => {
          await client.channels.stop({ requestBody: { id: subscription.id, resourceId: subscription.resourceId } });
        });
      } catch (error) {
        // Already expired or stopped: the goal is reached.
        if (error instanceof AppError && error.code === 'channel-not-found') return;
        throw error;
      }
    },
  };
}
