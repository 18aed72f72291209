/**
 * The CalendarProvider for one Microsoft Graph connection profile (calendar-provider.ts).
 * Built once per profile and shared by all jobs: the msal token cache, the keep-alive
 * connections and the per-mailbox concurrency gate live as long as it does.
 */
import type { GraphProfile } from '../../config/profile-settings.js';
import { silentLogger, type Logger } from '../../observability/logger.js';
import type { CalendarProvider } from '../calendar-provider.js';
import type { ReadLimits } from '../read-limits.js';
import { createGraphApi } from './graph-client.js';
import { fetchGraphCalendar } from './graph-calendar-fetch.js';
import { classifyGraphError } from './graph-errors.js';
import { createGraphSubscription, deleteGraphSubscription, renewGraphSubscription } from './graph-subscriptions.js';
import { createGraphTokenSource } from './graph-token-source.js';
import { MailboxUsers } from './graph-mailbox-users.js';
import { createHttpTransport } from './http-transport.js';
import { MailboxGate } from './mailbox-gate.js';

export interface GraphProviderOptions {
  /** Per HTTP request (PROVIDER_TIMEOUT_MS). */
  readonly timeoutMs: number;
  /** Retries after the first attempt on 429 / 5xx / timeouts (PROVIDER_MAX_RETRIES). */
  readonly maxRetries: number;
  /** Backoff base when Graph names no delay. Default 500 ms. */
  readonly retryBaseDelayMs?: number | undefined;
  /** Longest wait between retries; a longer Retry-After ends the fetch with it instead. Default 30 s. */
  readonly maxRetryDelayMs?: number | undefined;
  /** `Prefer: odata.maxpagesize` for calendar pages. Default 100. */
  readonly pageSize?: number | undefined;
  /** Extra trusted CA certificates (PEM): the loopback emulator's in tests and the dev host. */
  readonly trustedCertificates?: readonly string[] | undefined;
  /** Overrides HTTPS_PROXY / NO_PROXY. */
  readonly proxyUrl?: string | undefined;
  readonly noProxy?: string | undefined;
  readonly logger?: Logger | undefined;
  /** For tests that assert retry spacing without waiting. */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Pages and items one fetch may read. Default DEFAULT_READ_LIMITS. */
  readonly readLimits?: ReadLimits | undefined;
}

export function createGraphProvider(profile: GraphProfile, options: GraphProviderOptions): CalendarProvider {
  const logger = (options.logger ?? silentLogger).child({ provider: 'graph', profile: profile.name });
  const transport = createHttpTransport({
    timeoutMs: options.timeoutMs,
    trustedCertificates: options.trustedCertificates,
    proxyUrl: options.proxyUrl,
    noProxy: options.noProxy,
  });
  const tokens = createGraphTokenSource(profile, transport);
  const api = createGraphApi({
    profileName: profile.name,
    graphEndpoint: profile.graphEndpoint,
    tokens,
    transport,
    retry: {
      maxRetries: options.maxRetries,
      baseDelayMs: options.retryBaseDelayMs ?? 500,
      maxDelayMs: options.maxRetryDelayMs ?? 30_000,
      sleep: options.sleep,
    },
    logger,
  });
  const gate = new MailboxGate();
  const users = new MailboxUsers(api, profile.resolveAddresses);
  const fetchOptions = {
    pageSize: options.pageSize ?? 100,
    maxRetryDelayMs: options.maxRetryDelayMs ?? 30_000,
    sleep: options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    logger,
    limits: options.readLimits,
  };

  return {
    kind: 'graph',
    profileName: profile.name,
    async fetchCalendar(request) {
      const read = await users.read(request.address, request.directoryUser, (userRef) => fetchGraphCalendar(api, gate, request, fetchOptions, userRef));
      return { ...read.value, requests: read.value.requests + read.requests, directoryUser: read.directoryUser };
    },
    async checkConnection() {
      // A token proves tenant, client id and credential; it needs no mailbox.
      try {
        await tokens.getToken();
      } catch (error) {
        throw classifyGraphError(error, profile.name);
      }
    },
    subscribe: async (request) => (await users.read(request.address, undefined, (userRef) => createGraphSubscription(api, gate, request, userRef))).value,
    renew: (subscription, expiresAt) => renewGraphSubscription(api, subscription, expiresAt),
    unsubscribe: (subscription) => deleteGraphSubscription(api, subscription),
  };
}
