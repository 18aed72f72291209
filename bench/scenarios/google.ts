/**
 * Google provider against the emulator over loopback with 20 ms per request: how many mailboxes
 * per second a full and an incremental (nothing changed) fetch get through, and how many
 * requests each mailbox costs against the least possible (full: token + one page of ≤2500
 * events; incremental: one list call, the token being cached).
 */
import { generateKeyPairSync } from 'node:crypto';
import type { BenchScenario } from '../run-bench.js';
import type { GoogleProfile } from '../../shared/config/profile-settings.js';
import { createGoogleCalendarProvider } from '../../shared/providers/google/google-calendar-provider.js';
import { startGoogleEmulator } from '../../tools/emulators/google/google-emulator.js';

const EVENTS_PER_MAILBOX = 50;
const LATENCY_MS = 20;
const CONCURRENCY = 32;

async function eachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const scenario: BenchScenario = {
  name: 'google',
  description: `Google fetch through the emulator (${LATENCY_MS} ms/request, ${EVENTS_PER_MAILBOX} events/mailbox, concurrency ${CONCURRENCY})`,
  async run({ full }) {
    const mailboxes = full ? 1000 : 200;
    const emulator = await startGoogleEmulator();
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const clientEmail = 'bench@bench.iam.gserviceaccount.com';
    emulator.control.addServiceAccount({ clientEmail, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    const now = Date.now();
    const day = 86_400_000;
    const window = { start: new Date(now - day).toISOString(), end: new Date(now + 14 * day).toISOString() };
    const addresses = Array.from({ length: mailboxes }, (_, i) => `user${i}@bench.example.com`);
    for (const address of addresses) {
      emulator.control.addUser(address, { timeZone: 'Europe/Stockholm' });
      for (let e = 0; e < EVENTS_PER_MAILBOX; e += 1) {
        const start = now + ((e % 14) * day) + (e % 8) * 3_600_000;
        emulator.control.putEvent(address, { summary: `Meeting ${e}`, start: { dateTime: new Date(start).toISOString() }, end: { dateTime: new Date(start + 1_800_000).toISOString() } });
      }
    }
    const profile: GoogleProfile = {
      name: 'BENCH',
      kind: 'google',
      domains: ['bench.example.com'],
      serviceAccountKey: { client_email: clientEmail, private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
      scope: 'https://www.googleapis.com/auth/calendar.readonly',
      tokenUrl: emulator.control.tokenUrl,
      apiRoot: emulator.control.apiRoot,
    };
    const provider = createGoogleCalendarProvider(profile, { timeoutMs: 10_000, maxRetries: 3 });
    emulator.switches.latencyMs = LATENCY_MS;
    const tokens = new Map<string, string>();

    const measure = async (label: string, minimum: number, fetch: (address: string) => Promise<number>): Promise<void> => {
      emulator.clearRecord();
      let requests = 0;
      const started = performance.now();
      await eachBounded(addresses, CONCURRENCY, async (address) => {
        const made = await fetch(address);
        requests += made;
      });
      const seconds = (performance.now() - started) / 1000;
      const perMailbox = requests / mailboxes;
      console.log(
        `${label.padEnd(12)} ${mailboxes} mailboxes in ${seconds.toFixed(2)} s = ${(mailboxes / seconds).toFixed(1)} mailboxes/s; ` +
          `${perMailbox.toFixed(2)} requests/mailbox (minimum ${minimum}; emulator saw ${emulator.record.length}); ` +
          `bound by latency: ${((CONCURRENCY * 1000) / (LATENCY_MS * minimum)).toFixed(0)} mailboxes/s`,
      );
    };

    await measure('full', 2, async (address) => {
      const result = await provider.fetchCalendar({ address, window });
      if (result.items.length !== EVENTS_PER_MAILBOX) console.log(`  ${address}: ${result.items.length} items, expected ${EVENTS_PER_MAILBOX}`);
      tokens.set(address, result.nextSyncToken);
      return result.requests;
    });
    await measure('incremental', 1, async (address) => {
      const result = await provider.fetchCalendar({ address, window, syncToken: tokens.get(address) });
      return result.requests;
    });
    await emulator.close();
  },
};

export default scenario;
