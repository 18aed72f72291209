/**
 * Shared set-up for the Graph integration tests: the emulator on a free loopback port with one
 * app registration, and a real provider (msal + Graph SDK client) pointed at it.
 */
import { Agent, request } from 'node:https';
import type { GraphProfile } from '../../../shared/config/profile-settings.js';
import type { AppError } from '../../../shared/errors/app-error.js';
import type { CalendarWindow } from '../../../shared/domain/calendar-window.js';
import { createGraphProvider, type GraphProviderOptions } from '../../../shared/providers/graph/graph-provider.js';
import type { CalendarProvider } from '../../../shared/providers/calendar-provider.js';
import { startGraphEmulator, type RunningGraphEmulator } from '../../../tools/emulators/graph/graph-emulator.js';

export const CLIENT_ID = '6731de76-14a6-49ae-97bc-6eba6914391e';
export const CLIENT_SECRET = 'emulator-secret-Qx8~d7T2vN';
export const TENANT_ID = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';

export async function startKit(): Promise<RunningGraphEmulator> {
  return startGraphEmulator({ tenantId: TENANT_ID, apps: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }] });
}

export function profileFor(emulator: RunningGraphEmulator, credential: GraphProfile['credential'] = { type: 'secret', clientSecret: CLIENT_SECRET }): GraphProfile {
  return {
    name: 'M365',
    kind: 'graph',
    domains: ['contoso.com'],
    tenantId: TENANT_ID,
    clientId: CLIENT_ID,
    credential,
    authorityHost: emulator.url,
    graphEndpoint: emulator.url,
    resolveAddresses: false,
  };
}

export function providerFor(emulator: RunningGraphEmulator, options: Partial<GraphProviderOptions> = {}, profile: GraphProfile = profileFor(emulator)): CalendarProvider {
  // The emulator is reached directly even when the machine has HTTPS_PROXY set.
  return createGraphProvider(profile, { timeoutMs: 5_000, maxRetries: 3, trustedCertificates: [emulator.certificate], noProxy: '127.0.0.1,localhost', ...options });
}

const HOUR = 3_600_000;
/** The default window around a fixed "now": 24 h back, 14 days ahead. */
export function windowAround(now: Date): CalendarWindow {
  return { start: new Date(now.getTime() - 24 * HOUR).toISOString(), end: new Date(now.getTime() + 14 * 24 * HOUR).toISOString() };
}

export const at = (base: Date, hours: number): string => new Date(base.getTime() + hours * HOUR).toISOString();

/** Calendar reads (delta pages, also inside `$batch`) the emulator served. */
export const calendarRequests = (emulator: RunningGraphEmulator) => emulator.control.apiRequests().filter((r) => r.path.includes('/calendarView'));

/** A JSON answer as the tests read it (shapes are asserted, not trusted). */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Plain HTTPS calls, as the dev host or a person with curl would make them. */
export function call(emulator: RunningGraphEmulator, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Json }> {
  const agent = new Agent({ ca: emulator.certificate });
  return new Promise((resolve, reject) => {
    const req = request(`${emulator.url}${path}`, { method, agent, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? (JSON.parse(text) as Json) : {} });
      });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
  });
}

export async function bearer(emulator: RunningGraphEmulator): Promise<Record<string, string>> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, scope: `${emulator.url}/.default` });
  const token = await call(emulator, 'POST', `/${TENANT_ID}/oauth2/v2.0/token`, form.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
  return { authorization: `Bearer ${token.body.access_token}` };
}

/** The error a promise is expected to reject with. */
export async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected a failure');
}
