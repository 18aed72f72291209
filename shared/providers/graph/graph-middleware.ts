/**
 * The Graph client's middleware chain, chosen deliberately instead of the SDK default
 * (Authentication → RetryHandler → Redirect → Telemetry → fetch):
 *
 *   GraphRetryMiddleware → AuthenticationHandler (SDK) → TelemetryHandler (SDK) → GraphTransportMiddleware
 *
 * The SDK's RetryHandler is left out: it retries 429/503/504 up to 3 times with its own delays
 * and cannot be told our cap (PROVIDER_MAX_RETRIES) or count attempts for us; two retry layers
 * would multiply requests. Ours sits first so a failed token request is retried (or classified)
 * by the same rules. Redirects are not followed: Graph's calendar API does not redirect.
 * Middleware docs: https://github.com/microsoftgraph/msgraph-sdk-javascript/blob/dev/docs/CustomMiddlewareChain.md
 */
import type { Context, Middleware, MiddlewareOptions } from '@microsoft/microsoft-graph-client';
import { backoffDelay } from '../../domain/backoff.js';
import { parseRetryAfter } from '../../errors/retry-after.js';
import type { AppError } from '../../errors/app-error.js';
import type { Logger } from '../../observability/logger.js';
import type { HttpTransport } from './http-transport.js';
import { RETRYABLE_STATUS } from './graph-errors.js';

/**
 * Per-call options object (`request.middlewareOptions([tracker])`): the chain counts the HTTP
 * requests of one logical call here, and leaves the typed error of a thrown failure, which the
 * SDK would otherwise flatten into a GraphError.
 */
export class GraphCallTracker implements MiddlewareOptions {
  requests = 0;
  failure: AppError | undefined;
}

export interface GraphRetryPolicy {
  /** Retries after the first attempt (PROVIDER_MAX_RETRIES). */
  readonly maxRetries: number;
  /** Backoff base when the server names no delay. */
  readonly baseDelayMs: number;
  /** A longer Retry-After is not waited out here: the error carries it to the job's scheduled retry. */
  readonly maxDelayMs: number;
  readonly classify: (error: unknown) => AppError;
  readonly logger: Logger;
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

const trackerOf = (context: Context): GraphCallTracker | undefined =>
  context.middlewareControl?.getMiddlewareOptions(GraphCallTracker) as GraphCallTracker | undefined;

const urlOf = (context: Context): string => (typeof context.request === 'string' ? context.request : (context.request as Request).url);

/** A repeated POST could create a second subscription; `$batch` of GETs is safe to repeat. */
function isRepeatable(context: Context): boolean {
  const method = (context.options?.method ?? 'GET').toUpperCase();
  return method !== 'POST' || new URL(urlOf(context)).pathname.endsWith('/$batch');
}

export class GraphRetryMiddleware implements Middleware {
  private next: Middleware | undefined;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly policy: GraphRetryPolicy) {
    this.sleep = policy.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    if (!this.next) throw new Error('GraphRetryMiddleware needs a next middleware');
    const { maxRetries, baseDelayMs, maxDelayMs } = this.policy;
    // The SDK's AuthenticationHandler appends to an existing Authorization header, so each
    // attempt starts from the caller's headers, not from the previous attempt's.
    const headers = context.options?.headers;
    const original = headers instanceof Headers ? new Headers(headers) : Array.isArray(headers) ? [...headers] : { ...headers };
    for (let attempt = 0; ; attempt += 1) {
      let waitMs: number | undefined;
      let reason: string;
      try {
        context.response = undefined;
        if (context.options) context.options.headers = original instanceof Headers ? new Headers(original) : Array.isArray(original) ? [...original] : { ...original };
        await this.next.execute(context);
        const response = context.response as Response | undefined;
        if (!response || !RETRYABLE_STATUS.has(response.status)) return;
        waitMs = parseRetryAfter((name) => response.headers.get(name));
        reason = String(response.status);
        // The caller classifies the final answer (with its Retry-After) as a transient error.
        if (attempt >= maxRetries || (waitMs !== undefined && waitMs > maxDelayMs)) return;
      } catch (thrown) {
        const error = this.policy.classify(thrown);
        if (error.kind !== 'transient' || attempt >= maxRetries || !isRepeatable(context) || (error.retryAfterMs ?? 0) > maxDelayMs) {
          const tracker = trackerOf(context);
          if (tracker) tracker.failure = error;
          throw error;
        }
        waitMs = error.retryAfterMs;
        reason = error.code;
      }
      const delay = waitMs ?? backoffDelay(attempt, baseDelayMs, maxDelayMs);
      this.policy.logger.debug('graph.retry', { attempt: attempt + 1, reason, delayMs: delay });
      await this.sleep(delay);
    }
  }
}

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

function headersOf(options: Context['options']): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(options?.headers as ConstructorParameters<typeof Headers>[0]).forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

/** The terminal middleware: sends through our transport and hands the SDK a standard Response. */
export class GraphTransportMiddleware implements Middleware {
  constructor(private readonly transport: HttpTransport) {}

  async execute(context: Context): Promise<void> {
    const tracker = trackerOf(context);
    if (tracker) tracker.requests += 1;
    const body = context.options?.body;
    if (body !== undefined && body !== null && typeof body !== 'string') throw new Error('Graph request bodies are sent as JSON text');
    const result = await this.transport({
      method: (context.options?.method ?? 'GET').toUpperCase(),
      url: urlOf(context),
      headers: headersOf(context.options),
      body: body ?? undefined,
    });
    context.response = new Response(NULL_BODY_STATUS.has(result.status) ? null : result.body, {
      status: result.status,
      headers: result.headers,
    });
  }
}
