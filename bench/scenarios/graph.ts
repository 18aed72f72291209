/**
 * Graph provider throughput: 1,000 mailboxes × 50 events through the emulator at 20 ms per
 * request, with the real msal + Graph SDK path. For a full sync and for incremental syncs
 * (nothing changed, one change per mailbox) it prints mailboxes per second and HTTP requests
 * per mailbox next to the minimum the protocol allows (one round trip: the first delta page and
 * mailboxSettings share a `$batch`; 50 events fit one page). Without --full, 200 mailboxes.
 * Then mailboxes of weekly series that began before the window, as standing meetings do: Graph
 * sends their occurrences as stubs without masters, so the first sync also reads the masters,
 * 20 to a `$batch` (bound 1 + ⌈N/20⌉ for N series), and later jobs reuse the remembered ones.
 */
import type { BenchScenario } from '../run-bench.js';
import type { GraphProfile } from '../../shared/config/profile-settings.js';
import type { CalendarWindow } from '../../shared/domain/calendar-window.js';
import { createGraphProvider } from '../../shared/providers/graph/graph-provider.js';
import { startGraphEmulator } from '../../tools/emulators/graph/graph-emulator.js';
import { InMemorySeriesMemory } from '../support/in-memory-series-memory.js';

const LATENCY_MS = 20;
const EVENTS_PER_MAILBOX = 50;
/** Mailboxes synced at once (the sync function's concurrency); each mailbox is sequential inside. */
const CONCURRENCY = 50;
const HOUR = 3_600_000;
/** Distinct weekly series per mailbox in the series phases: more than one `$batch` of masters. */
const SERIES_PER_MAILBOX = 30;

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
      const memories = new Map<string, InMemorySeriesMemory>();
      const phase = async (label: string, useToken: boolean, mailboxes: readonly string[] = addresses, minimum = 'minimum 1.00'): Promise<void> => {
        emulator.clearRecord();
        const connectionsBefore = emulator.connectionsOpened();
        let requests = 0;
        let items = 0;
        const started = performance.now();
        await forEachBounded(mailboxes, CONCURRENCY, async (address) => {
          const seriesMemory = memories.get(address);
          const result = await provider.fetchCalendar({ address, window, syncToken: useToken ? tokens.get(address) : undefined, seriesMemory });
          tokens.set(address, result.nextSyncToken);
          requests += result.requests;
          items += result.items.length;
        });
        const seconds = (performance.now() - started) / 1000;
        const ceiling = CONCURRENCY * (1000 / LATENCY_MS);
        console.log(
          `${label.padEnd(28)} ${mailboxes.length} mailboxes in ${seconds.toFixed(2)} s = ${(mailboxes.length / seconds).toFixed(0)} mailboxes/s (ceiling ${ceiling}/s at ${CONCURRENCY} concurrent); ` +
            `requests/mailbox ${(requests / mailboxes.length).toFixed(2)} (${minimum}), HTTP seen by Graph ${emulator.record.length}, items ${items}, sockets opened ${emulator.connectionsOpened() - connectionsBefore}`,
        );
      };

      await phase('full (delta initial round)', false);
      await phase('incremental, no change', true);
      for (const address of addresses) emulator.control.updateEvent(address, firstEvent.get(address) ?? '', { subject: 'Event 0 (moved)' });
      await phase('incremental, one change each', true);

      // Weekly series that began three weeks before the window: two or three stubs each in it, no master.
      const seriesMailboxes = addresses.slice(0, full ? 200 : 50).map((a) => a.replace('user', 'series'));
      const firstSeries = new Map<string, string>();
      for (const address of seriesMailboxes) {
        emulator.control.addUser({ address, timeZone: 'W. Europe Standard Time' });
        memories.set(address, new InMemorySeriesMemory());
        for (let n = 0; n < SERIES_PER_MAILBOX; n += 1) {
          const start = Date.parse(window.start) - 21 * 24 * HOUR + (n % 5) * 24 * HOUR + (8 + (n % 8)) * HOUR;
          const id = emulator.control.addEvent(address, { subject: `Weekly ${n}`, start: new Date(start).toISOString(), end: new Date(start + HOUR / 2).toISOString(), recurrence: { type: 'weekly', count: 8 } });
          if (n === 0) firstSeries.set(address, id);
        }
      }
      const bound = `bound 1 + ⌈${SERIES_PER_MAILBOX}/20⌉ = ${1 + Math.ceil(SERIES_PER_MAILBOX / 20)}`;
      await phase(`first sync, ${SERIES_PER_MAILBOX} series each`, false, seriesMailboxes, bound);
      await phase('series, incremental, quiet', true, seriesMailboxes);
      await phase('series, full, masters known', false, seriesMailboxes);
      for (const address of seriesMailboxes) emulator.control.updateEvent(address, firstSeries.get(address) ?? '', { subject: 'Weekly 0 (renamed)' });
      await phase('series, one series renamed', true, seriesMailboxes, 'delta + its instances: 2.00');
      console.log(`token requests for the whole run: ${emulator.control.tokensIssued()} (msal cache)`);
    } finally {
      await emulator.close();
    }
  },
};

export default scenario;
