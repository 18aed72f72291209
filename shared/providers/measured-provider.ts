/**
 * A calendar provider whose every call is timed into `calsync.provider.duration` (by provider,
 * operation and outcome) and traced as a span of the job or timer that made it. The provider's
 * own retries and token requests fall inside the call, as a job experiences them.
 */
import { elapsedMs, type Telemetry } from '../observability/telemetry.js';
import type { CalendarProvider } from './calendar-provider.js';

type Operation = 'fetchCalendar' | 'checkConnection' | 'subscribe' | 'renew' | 'unsubscribe';

export function measuredProvider(provider: CalendarProvider, telemetry: Telemetry): CalendarProvider {
  const measure = <T>(operation: Operation, call: () => Promise<T>): Promise<T> =>
    telemetry.span(
      `${provider.kind} ${operation}`,
      async () => {
        const startedAt = performance.now();
        let outcome = 'ok';
        try {
          return await call();
        } catch (error) {
          const code = (error as { code?: unknown } | null)?.code;
          outcome = typeof code === 'string' ? code : 'error';
          throw error;
        } finally {
          telemetry.record('providerDuration', elapsedMs(startedAt), { provider: provider.kind, operation, outcome });
        }
      },
      { kind: 'client', attributes: { 'calsync.provider': provider.kind, 'calsync.profile': provider.profileName } },
    );
  return {
    kind: provider.kind,
    profileName: provider.profileName,
    fetchCalendar: (request) => measure('fetchCalendar', () => provider.fetchCalendar(request)),
    checkConnection: () => measure('checkConnection', () => provider.checkConnection()),
    subscribe: (request) => measure('subscribe', () => provider.subscribe(request)),
    renew: (subscription, expiresAt) => measure('renew', () => provider.renew(subscription, expiresAt)),
    unsubscribe: (subscription) => measure('unsubscribe', () => provider.unsubscribe(subscription)),
  };
}
