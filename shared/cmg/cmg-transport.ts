/**
 * One CMG request with the contract's retry rules (CMG-INTERFACE.md "Errors"): Basic auth,
 * JSON, a per-request timeout over the whole answer, keep-alive sockets through the proxy when one is set, bounded
 * retries with Retry-After or exponential backoff with jitter, and a 409 retried once.
 * Nothing from axios leaves this file: its errors carry the request config, Authorization
 * header included, so they are turned into AppErrors with a redacted message and no cause.
 */
import axios, { type AxiosInstance } from 'axios';
import { configurationError, type AppError } from '../errors/app-error.js';
import { backoffDelay } from '../domain/backoff.js';
import { redactText, registerSecret, type Logger } from '../observability/logger.js';
import { elapsedMs, type Telemetry } from '../observability/telemetry.js';
import type { CmgConfig } from '../config/config.js';
import { failureFromNetwork, failureFromStatus, cmgErrorCode, untrustedCertificate, type CmgFailure, type CmgOperation } from './cmg-failures.js';
import { isUntrustedCertificate, secureContextTrusting } from '../tls/trusted-certificates.js';
import { createAgents, type ProxyEnv } from '../tls/outbound-proxy.js';
import { createLimiter } from './concurrency-limit.js';
import { contractRoot, contractUrl } from './cmg-url.js';
import { leanHttpAdapter } from './lean-http-adapter.js';
import type { z } from 'zod';

export interface CmgCall {
  readonly operation: CmgOperation;
  readonly method: 'GET' | 'PUT' | 'DELETE';
  /** Path segments under `/api/calendar/v1`, unencoded. */
  readonly segments: readonly string[];
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly body?: unknown;
  /** The statuses that are this operation's answers; `errorCode` is the CMG error body's code, if any. */
  readonly accept: (status: number, errorCode: string | undefined) => boolean;
}

export interface CmgAnswer {
  readonly status: number;
  readonly body: string;
}

export interface CmgTransportOptions {
  readonly logger: Logger;
  readonly now: () => number;
  /** Proxy variables; the process environment by default. */
  readonly env: ProxyEnv;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** First backoff of a transient failure; doubles per retry up to `retryCapMs`. */
  readonly retryBaseMs: number;
  readonly retryCapMs: number;
  /**
   * A longer Retry-After is not waited out inside one request (it would hold a function
   * invocation and its session lock): the transient error carries it to the job's backoff.
   */
  readonly maxRetryAfterMs: number;
  readonly telemetry: Telemetry;
}

export interface CmgTransport {
  send(call: CmgCall): Promise<CmgAnswer>;
  /** Checks an answer's body against the operation's schema. */
  parse<T>(call: CmgCall, answer: CmgAnswer, schema: z.ZodType<T>): T;
  /** Closes the idle keep-alive sockets. */
  close(): void;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

export function createCmgTransport(config: CmgConfig, options: CmgTransportOptions): CmgTransport {
  const root = contractRoot(config.baseUrl);
  const token = Buffer.from(`${config.application}:${config.password}`, 'utf8').toString('base64');
  registerSecret(config.password);
  registerSecret(token);
  const agents = createAgents(root, options.env, config.maxConcurrency, secureContextTrusting(config.caCertificates));
  const http: AxiosInstance = axios.create({
    headers: { Authorization: `Basic ${token}`, Accept: 'application/json' },
    httpAgent: agents.httpAgent,
    httpsAgent: agents.httpsAgent,
    proxy: false,
    // A redirect is a misconfigured base URL; following it would also resend the credentials.
    maxRedirects: 0,
    maxContentLength: MAX_BODY_BYTES,
    // The lean adapter's timeout is a deadline from dispatch over the whole answer, body included:
    // axios' own was a socket idle timer that a trickling body keeps resetting.
    timeout: config.timeoutMs,
    transitional: { clarifyTimeoutError: true },
    validateStatus: () => true,
    responseType: 'text',
    // Bodies are JSON text already: axios' default would parse each one again to check it.
    transformRequest: (data: unknown) => data,
    transformResponse: (data: unknown) => data,
    adapter: leanHttpAdapter,
  });
  // The deadline starts at dispatch, so requests queue here, not in the agent: time spent waiting
  // for one of the maxConcurrency sockets during a burst does not count against CMG_TIMEOUT_MS.
  const limit = createLimiter(config.maxConcurrency);
  const logger = options.logger.child({ component: 'cmg' });
  logger.debug('cmg.client', { root: root.href, proxy: agents.proxy ?? 'none', maxSockets: config.maxConcurrency });

  const rootLength = root.origin.length + root.pathname.length;
  /** How a failure names the request; built only for failures. */
  const describe = (call: CmgCall, url: string): string => `CMG ${call.operation} (${call.method} ${url.slice(rootLength)})`;

  /** Each request's duration by its answer; 401 and 403 also as a refusal of our credentials. */
  const measured = (call: CmgCall, startedAt: number, status: number | 'timeout' | 'network'): void => {
    if (startedAt === 0) return; // never dispatched
    options.telemetry.record('cmgDuration', elapsedMs(startedAt), { operation: call.operation, method: call.method, status: String(status) });
    if (status === 401 || status === 403) options.telemetry.count('cmgCredentialRefusals', { status: String(status) });
  };

  /** One attempt: an answer the operation accepts, or the failure to decide on. */
  const attempt = async (call: CmgCall, url: string): Promise<CmgAnswer | CmgFailure> => {
    let started = 0;
    let dispatchedAt = 0;
    try {
      const response = await limit(() => {
        started = options.now();
        dispatchedAt = performance.now();
        return http.request<string>({
          method: call.method,
          url,
          ...(call.body === undefined ? {} : { data: JSON.stringify(call.body), headers: { 'Content-Type': 'application/json; charset=utf-8' } }),
        });
      });
      const body = typeof response.data === 'string' ? response.data : '';
      measured(call, dispatchedAt, response.status);
      logger.debug('cmg.request', { operation: call.operation, method: call.method, status: response.status, ms: options.now() - started });
      // A success carries no error body: not parsing one saves a JSON parse per PUT.
      if (call.accept(response.status, response.status < 300 ? undefined : cmgErrorCode(body))) return { status: response.status, body };
      const header = (name: string): string | undefined => {
        const value: unknown = response.headers[name];
        return typeof value === 'string' ? value : undefined;
      };
      return failureFromStatus(describe(call, url), response.status, body, header, options.now());
    } catch (error) {
      const timedOut = axios.isAxiosError(error) && error.code === 'ETIMEDOUT';
      measured(call, dispatchedAt, timedOut ? 'timeout' : 'network');
      if (timedOut) return failureFromNetwork(describe(call, url), `no answer within ${config.timeoutMs} ms`, 'timeout');
      if (axios.isAxiosError(error) && isUntrustedCertificate(error.code)) return untrustedCertificate(describe(call, url), error.code!);
      return failureFromNetwork(describe(call, url), networkReason(error), 'network');
    }
  };

  const send = (call: CmgCall): Promise<CmgAnswer> =>
    options.telemetry.span(`cmg ${call.operation}`, () => sendWithRetries(call), { kind: 'client', attributes: { 'calsync.cmg.operation': call.operation, 'http.request.method': call.method } });

  const sendWithRetries = async (call: CmgCall): Promise<CmgAnswer> => {
    const url = contractUrl(root, call.segments, call.query);
    let retries = 0;
    let conflictRetried = false;
    for (;;) {
      const outcome = await attempt(call, url);
      if (!('error' in outcome)) return outcome;
      const { error, retry } = outcome;
      let delayMs: number;
      if (retry === 'once' && !conflictRetried) {
        conflictRetried = true;
        delayMs = backoffDelay(0, options.retryBaseMs, options.retryCapMs, options.random);
      } else if (retry === 'backoff' && retries < config.maxRetries && (error.retryAfterMs ?? 0) <= options.maxRetryAfterMs) {
        delayMs = error.retryAfterMs ?? backoffDelay(retries, options.retryBaseMs, options.retryCapMs, options.random);
        retries += 1;
      } else {
        throw error;
      }
      logger.warn('cmg.retry', { operation: call.operation, method: call.method, reason: error.code, message: error.message, delayMs });
      await options.sleep(delayMs);
    }
  };

  const parse = <T>(call: CmgCall, answer: CmgAnswer, schema: z.ZodType<T>): T => {
    let json: unknown;
    try {
      json = JSON.parse(answer.body);
    } catch {
      throw contractMismatch(call, `the body is not JSON (${redactText(answer.body.slice(0, 80))})`);
    }
    const result = schema.safeParse(json);
    if (!result.success) {
      const issues = result.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      throw contractMismatch(call, issues.join('; '));
    }
    return result.data;
  };

  return {
    send,
    parse,
    close() {
      agents.httpAgent.destroy();
      agents.httpsAgent.destroy();
    },
  };
}

/**
 * A CMG front that answers outside the contract needs an adapter or a fix on site: retrying will
 * not change its answer, so it stops the job like any other configuration error.
 */
function contractMismatch(call: CmgCall, detail: string): AppError {
  return configurationError(`CMG ${call.operation} response did not match the contract: ${detail}`, 'contract_mismatch');
}

/** The network error's code (ECONNRESET, ECONNREFUSED …) and message, without anything from the request. */
function networkReason(error: unknown): string {
  if (axios.isAxiosError(error)) return [error.code, error.message].filter(Boolean).join(' ');
  return error instanceof Error ? error.message : String(error);
}
