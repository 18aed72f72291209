/**
 * The CMG client (CMG-INTERFACE.md) behind `CmgGateway`: the six operations, the code list
 * cache and the roster paging. HTTP, retries and error mapping live in cmg-transport.ts.
 */
import type { z } from 'zod';
import { configurationError, isAppError } from '../errors/app-error.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import type { CmgConfig } from '../config/config.js';
import type { CmgCode } from '../domain/cmg-code.js';
import type { CmgActivityBody, CmgCheck, CmgGateway, CmgRosterPage, CmgUser } from './cmg-gateway.js';
import type { ProxyEnv } from '../tls/outbound-proxy.js';
import { cmgActivityListSchema, cmgCheckSchema, cmgCodesSchema, cmgRosterPageSchema } from './cmg-schemas.js';
import { createCmgTransport, type CmgCall } from './cmg-transport.js';
import { noTelemetry, type Telemetry } from '../observability/telemetry.js';

export interface CmgClient extends CmgGateway {
  /** Forgets the cached code lists: the next `codes()` asks CMG. Done by the client itself on `unknown_code`. */
  invalidateCodes(): void;
  /** Closes the idle keep-alive sockets (tests, shutdown). */
  close(): void;
}

export interface CmgClientOptions {
  logger?: Logger;
  /** Clock for the code cache and Retry-After dates. */
  now?: () => number;
  /** Where HTTPS_PROXY / HTTP_PROXY / NO_PROXY are read; the process environment by default. */
  env?: ProxyEnv;
  /** Backoff of transient failures: first delay, and cap (defaults 250 ms and 10 s). */
  retryBaseMs?: number;
  retryCapMs?: number;
  /** Longest Retry-After waited out inside one request (default 30 s); longer ones go back to the caller. */
  maxRetryAfterMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Where request durations and credential refusals are recorded; nowhere by default. */
  telemetry?: Telemetry;
}

/** A roster larger than this many pages is a paging loop on CMG's side, not a roster. */
const MAX_ROSTER_PAGES = 10_000;

const ok = (...statuses: number[]) => (status: number): boolean => statuses.includes(status);

export function createCmgClient(config: CmgConfig, options: CmgClientOptions = {}): CmgClient {
  const now = options.now ?? Date.now;
  const transport = createCmgTransport(config, {
    logger: options.logger ?? silentLogger,
    now,
    env: options.env ?? process.env,
    random: options.random ?? Math.random,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    retryBaseMs: options.retryBaseMs ?? 250,
    retryCapMs: options.retryCapMs ?? 10_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 30_000,
    telemetry: options.telemetry ?? noTelemetry,
  });
  // Keyed by the requested languages; the promise is shared so concurrent callers ask CMG once.
  const codeCache = new Map<string, { at: number; codes: Promise<readonly CmgCode[]> }>();

  const call = async <T>(request: CmgCall, schema: z.ZodType<T>): Promise<T> =>
    transport.parse(request, await transport.send(request), schema);

  const fetchCodes = async (languages: readonly string[]): Promise<readonly CmgCode[]> => {
    const request: CmgCall = { operation: 'codes', method: 'GET', segments: ['codes'], query: { languages: languages.join(',') || undefined }, accept: ok(200) };
    return (await call(request, cmgCodesSchema)).codes;
  };

  const client: CmgClient = {
    async check(): Promise<CmgCheck> {
      return call({ operation: 'check', method: 'GET', segments: ['check'], accept: ok(200) }, cmgCheckSchema);
    },

    codes(languages) {
      const key = [...new Set(languages)].sort().join(',');
      const cached = codeCache.get(key);
      if (cached && now() - cached.at < config.codesRefreshMs) return cached.codes;
      const entry = { at: now(), codes: fetchCodes(key === '' ? [] : key.split(',')) };
      codeCache.set(key, entry);
      // A failed fetch must not be served from the cache until it expires.
      entry.codes.catch(() => {
        if (codeCache.get(key) === entry) codeCache.delete(key);
      });
      return entry.codes;
    },

    async calendarSettings(since): Promise<CmgRosterPage> {
      const users: CmgUser[] = [];
      const seen = new Set<string>();
      let asOf: string | undefined;
      let cursor: string | undefined;
      for (let page = 0; page < MAX_ROSTER_PAGES; page += 1) {
        const request: CmgCall = { operation: 'calendarSettings', method: 'GET', segments: ['calendar-settings'], query: { since, cursor }, accept: ok(200) };
        const answer = await call(request, cmgRosterPageSchema);
        users.push(...answer.users);
        // The first page's asOf is the safe checkpoint: a change made while we page is at or after it.
        asOf ??= answer.asOf;
        if (answer.nextCursor === null) return { users, asOf };
        if (seen.has(answer.nextCursor)) {
          throw configurationError(`CMG calendarSettings response did not match the contract: cursor ${answer.nextCursor} repeated`, 'contract_mismatch');
        }
        seen.add(answer.nextCursor);
        cursor = answer.nextCursor;
      }
      throw configurationError(`CMG calendarSettings returned more than ${MAX_ROSTER_PAGES} pages`, 'contract_mismatch');
    },

    async upsertActivity(userId, externalId, body: CmgActivityBody) {
      try {
        const answer = await transport.send({
          operation: 'upsertActivity',
          method: 'PUT',
          segments: ['users', userId, 'activities', externalId],
          body,
          accept: ok(200, 201),
        });
        return answer.status === 201 ? 'created' : 'replaced';
      } catch (error) {
        // CMG's code list changed under us: the next codes() must see the new one.
        if (isAppError(error) && error.code === 'unknown_code') codeCache.clear();
        throw error;
      }
    },

    async deleteActivity(userId, externalId) {
      await transport.send({
        operation: 'deleteActivity',
        method: 'DELETE',
        segments: ['users', userId, 'activities', externalId],
        // Already gone is what we wanted; a gone *user* is not, the caller must disable the mailbox.
        accept: (status, code) => status === 204 || status === 200 || (status === 404 && code !== 'unknown_user'),
      });
    },

    async listActivities(userId, sign) {
      const request: CmgCall = { operation: 'listActivities', method: 'GET', segments: ['users', userId, 'activities'], query: { sign }, accept: ok(200) };
      return (await call(request, cmgActivityListSchema)).activities;
    },

    invalidateCodes() {
      codeCache.clear();
    },

    close() {
      transport.close();
    },
  };
  return client;
}
