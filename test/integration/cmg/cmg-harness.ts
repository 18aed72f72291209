/**
 * Shared set-up of the CMG integration tests: the emulator on a loopback port with a password
 * that breaks naive Basic auth (':' '@', non-ASCII), clients that log into a captured sink, and
 * a leak check over every log line and every error the tests saw.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { startCmgEmulator, type CmgEmulator } from '../../../tools/emulators/cmg/cmg-emulator.js';
import { createCmgClient, type CmgClient, type CmgClientOptions } from '../../../shared/cmg/cmg-client.js';
import { createLogger } from '../../../shared/observability/logger.js';
import { isAppError, type AppError } from '../../../shared/errors/app-error.js';
import type { CmgConfig } from '../../../shared/config/config.js';
import type { CmgActivityBody } from '../../../shared/cmg/cmg-gateway.js';

export const PASSWORD = 'Pä:ss@wörd:✓-秘密';
export const APPLICATION = 'EXCHANGE';
const AUTH_TOKEN = Buffer.from(`${APPLICATION}:${PASSWORD}`, 'utf8').toString('base64');

export interface Harness {
  readonly emulator: CmgEmulator;
  readonly logs: string[];
  /** A client on the emulator, with fast retries; closed by `close()`. */
  client(config?: Partial<CmgConfig>, options?: CmgClientOptions): CmgClient;
  config(overrides?: Partial<CmgConfig>): CmgConfig;
  /** The AppError a promise rejects with (recorded for the leak check); fails if it resolves or throws anything else. */
  failure(promise: Promise<unknown>): Promise<AppError>;
  /** Every captured log line and serialised error that contains the password or the Authorization value. */
  leaks(): string[];
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const emulator = await startCmgEmulator({ password: PASSWORD, application: APPLICATION, users: [{ userId: 'u1' }, { userId: 'u2' }] });
  const logs: string[] = [];
  const errors: unknown[] = [];
  const clients: CmgClient[] = [];
  const logger = createLogger({ level: 'debug', sink: (_level, line) => logs.push(line) });
  const config = (overrides: Partial<CmgConfig> = {}): CmgConfig => ({
    baseUrl: emulator.baseUrl,
    application: APPLICATION,
    password: PASSWORD,
    messageSystems: [1, 3],
    timeoutMs: 2_000,
    maxConcurrency: 4,
    maxRetries: 3,
    codesRefreshMs: 60_000,
    caCertificates: [],
    ...overrides,
  });
  return {
    emulator,
    logs,
    config,
    client(overrides, options) {
      const client = createCmgClient(config(overrides), { logger, env: {}, retryBaseMs: 5, retryCapMs: 20, ...options });
      clients.push(client);
      return client;
    },
    async failure(promise) {
      try {
        await promise;
      } catch (error) {
        errors.push(error);
        if (isAppError(error)) return error;
        throw new Error(`expected an AppError, got ${inspect(error)}`, { cause: error });
      }
      throw new Error('expected a failure, the call succeeded');
    },
    leaks() {
      const texts = [
        ...logs,
        ...errors.flatMap((e) => [inspect(e, { depth: 10, showHidden: true }), JSON.stringify(e), String(e), e instanceof Error ? (e.stack ?? '') : '']),
      ];
      return texts.filter((t) => [PASSWORD, encodeURIComponent(PASSWORD), AUTH_TOKEN].some((secret) => t.includes(secret)));
    },
    async close() {
      for (const client of clients) client.close();
      await emulator.close();
    },
  };
}

/** A valid activity; override what a test is about. */
export function activity(overrides: Partial<CmgActivityBody> = {}): CmgActivityBody {
  return {
    code: '11',
    start: '2025-03-10T09:00:00+01:00',
    end: '2025-03-10T10:00:00+01:00',
    text: 'Weekly planning',
    forward: false,
    inConference: true,
    sign: 'Calendar',
    messageSystems: [1, 3],
    source: { provider: 'graph', eventId: 'AAMkAGI2' },
    ...overrides,
  };
}

/** Requests the emulator recorded for this method, optionally only on paths containing `part`. */
export function requests(emulator: CmgEmulator, method: string, part = ''): CmgEmulator['record'] {
  return emulator.record.filter((r) => r.method === method && r.path.includes(part));
}

/**
 * One harness for the test file: started before all, emulator reset before each test, and after
 * all, the check that nothing captured during the file leaked the password.
 * Returns a getter, since the harness exists only once `beforeAll` ran.
 */
export function useHarness(): () => Harness {
  let harness: Harness | undefined;
  beforeAll(async () => {
    harness = await startHarness();
  });
  beforeEach(() => harness!.emulator.control.reset());
  afterAll(async () => {
    expect(harness!.leaks()).toEqual([]);
    await harness!.close();
  });
  return () => harness!;
}
