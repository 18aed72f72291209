/** A Google emulator with one service account (fresh RSA key) and a profile pointing at it. */
import { generateKeyPairSync } from 'node:crypto';
import type { GoogleProfile } from '../../../shared/config/profile-settings.js';
import { startGoogleEmulator, type RunningGoogleEmulator } from '../../../tools/emulators/google/google-emulator.js';

export const CLIENT_EMAIL = 'calsync@calsync-test.iam.gserviceaccount.com';
export const READONLY_SCOPE = 'https://www.googleapis.com/auth/calendar.readonly';

export interface GoogleFixture {
  readonly emulator: RunningGoogleEmulator;
  readonly profile: GoogleProfile;
  readonly privateKeyPem: string;
  /** Clears state and seeds the service account again. */
  reset(): void;
}

export function newRsaKey(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export async function startGoogleFixture(options: { latencyMs?: number } = {}): Promise<GoogleFixture> {
  const emulator = await startGoogleEmulator(options);
  const key = newRsaKey();
  const profile: GoogleProfile = {
    name: 'GWS',
    kind: 'google',
    domains: ['example.com'],
    serviceAccountKey: { client_email: CLIENT_EMAIL, private_key: key.privateKeyPem, private_key_id: 'k1' },
    scope: READONLY_SCOPE,
    tokenUrl: emulator.control.tokenUrl,
    apiRoot: emulator.control.apiRoot,
  };
  const reset = (): void => {
    emulator.control.reset();
    emulator.clearFaults();
    emulator.clearRecord();
    emulator.switches.latencyMs = options.latencyMs ?? 0;
    emulator.control.addServiceAccount({ clientEmail: CLIENT_EMAIL, publicKeyPem: key.publicKeyPem });
  };
  reset();
  return { emulator, profile, privateKeyPem: key.privateKeyPem, reset };
}

/** Requests to the Calendar API (token requests excluded). */
export const apiRequests = (emulator: RunningGoogleEmulator) => emulator.record.filter((r) => r.path.startsWith('/calendar/v3/'));
export const tokenRequests = (emulator: RunningGoogleEmulator) => emulator.record.filter((r) => r.path === '/token');
