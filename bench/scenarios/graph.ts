/**
 * Graph provider throughput: 1,000 mailboxes × 50 events through the emulator at 20 ms per
 * request, with the real msal + Graph SDK path. For a full sync and for incremental syncs
 * (nothing changed, one change per mailbox) it prints mailboxes per second and HTTP requests
 * per mailbox next to the minimum the protocol allows (one round trip: the first delta page and
 * mailboxSettings share a `$batch`; 50 events fit one page). Without --full, 200 mailboxes.
 */
import type { BenchScenario } from '../run.js';
import type { GraphProfile } from '../../shared/config/profile-settings.js';
import type { CalendarWindow } from '../../shared/domain/calendar-window.js';
import { createGraphProvider } from '../../shared/providers/graph/graph-provider.js';
import { startGraphEmulator } from '../../tools/emulators/graph/graph-emulator.js';

const LATENCY_MS = 20;
const EVENTS_PER_MAILBOX = 50;
/** Mailboxes synced at once (the sync function's concurrency); each mailbox is sequential inside. */
const CONCURRENCY = 50;
const HOUR = 3_600_000;

async function forEachBounded<T>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const scenario: BenchScenario = {
  name: 'graph',
  description: `Graph fetch: mailboxes/s and requests per mailbox (vs the minimum) at ${LATENCY_MS} ms latency, ${EVENTS_PER_MAILBOX} events each`,
  async run({ full }) {
    const mailboxCount = full ? 1_000 : 200;
    const clientId = 'bench-app';
    const clientSecret = 'bench-secret-value-1234';
    const emulator = await startGraphEmulator({ apps: [{ clientId, clientSecret }] });
    try {
      const now = Date.now();
      const window: CalendarWindow = { start: new Date(now - 24 * HOUR).toISOString(), end: new Date(now + 14 * 24 * HOUR).toISOString() };
      const addresses = Array.from({ length: mailboxCount }, (_, i) => `user${i}@bench.example`);
      const firstEvent = new Map<string, string>();
      for (const address of addresses) {
        emulator.control.addUser({ address, timeZone: 'W. Europe Standard Time' });
        for (let e = 0; e < EVENTS_PER_MAILBOX; e += 1) {
          const start = now + (e * 6 + 1) * HOUR;
          const id = emulator.control.addEvent(address, { subject: `Event ${e}`, start: new Date(start).toISOString(), end: new Date(start + HOUR).toISOString() });
          if (e === 0) firstEvent.set(address, id);
        }
      }
      const profile: GraphProfile = {
        name: 'BENCH',
        kind: 'graph',
        domains: ['bench.example'],
        tenantId: emulator.control.tenantId,
        clientId,
        credential: { type: 'secret', clientSecret },
        authorityHost: emulator.url,
        graphEndpoint: emulator.url,
        resolveAddresses: false,
      };
      const provider = createGraphProvider(profile, { timeoutMs: 10_000, maxRetries: 3, trustedCertificates: [emulator.certificate], noProxy: '127.0.0.1' });
      emulator.switches.latencyMs = LATENCY_MS;

      const tokens = new Map<string, string>();
      const phase = async (label: string, useToken: boolean): Promise<void> => {
        emulator.clearRecord();
        const connectionsBefore = emulator.connectionsOpened();
        let requests = 0;
        let items = 0;
        const started = performance.now();
        await forEachBounded(addresses, CONCURRENCY, async (address) => {
          const result = await provider.fetchCalendar({ address, window, syncToken: useToken ? tokens.get(address) : undefined });
          tokens.set(address, result.nextSyncToken);
          requests += result.requests;
          items += result.items.length;
        });
        const seconds = (performance.now() - started) / 1000;
        const ceiling = CONCURRENCY * (1000 / LATENCY_MS);
        console.log(
          `${label.padEnd(28)} ${mailboxCount} mailboxes in ${seconds.toFixed(2)} s = ${(mailboxCount / seconds).toFixed(0)} mailboxes/s (ceiling ${ceiling}/s at ${CONCURRENCY} concurrent); ` +
            `requests/mailbox ${(requests / mailboxCount).toFixed(2)} (minimum 1.00), HTTP seen by Graph ${emulator.record.length}, items ${items}, sockets opened ${emulator.connectionsOpened() - connectionsBefore}`,
        );
      };

      await phase('full (delta initial round)', false);
      await phase('incremental, no change', true);
      for (const address of addresses) emulator.control.updateEvent(address, firstEvent.get(address) ?? '', { subject: 'Event 0 (moved)' });
      await phase('incremental, one change each', true);
      console.log(`token requests for the whole run: ${emulator.control.tokensIssued()} (msal cache)`);
    } finally {
      await emulator.close();
    }
  },
};

export default scenario;
