/**
 * The Graph SDK client for one profile, on our middleware chain (graph-middleware.ts), with
 * `baseUrl` = the profile's endpoint so a sovereign cloud or the emulator stands in, plus the
 * few request shapes the provider needs. Every answer is validated with zod; every failure
 * leaves here as an AppError.
 */
import { AuthenticationHandler, Client, TelemetryHandler } from '@microsoft/microsoft-graph-client';
import type { z } from 'zod';
import { transientError, type AppError } from '../../errors/app-error.js';
import { parseRetryAfter } from '../../errors/retry-after.js';
import type { Logger } from '../../observability/logger.js';
import { classifyGraphError, classifyGraphFailure, type GraphTarget } from './graph-errors.js';
import { GraphCallTracker, GraphRetryMiddleware, GraphTransportMiddleware, type GraphRetryPolicy } from './graph-middleware.js';
import type { GraphTokenSource } from './graph-token-source.js';
import type { HttpTransport } from './http-transport.js';
import { BatchResponseSchema, GraphErrorBodySchema, type BatchItemResponse } from './graph-schemas.js';

export const GRAPH_VERSION = 'v1.0';
/** https://learn.microsoft.com/graph/json-batching#batch-size-limitations */
export const MAX_BATCH_REQUESTS = 20;

export interface GraphRequestSpec {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to the version root (`/users/…`), or an absolute link Graph returned. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly body?: unknown;
  /** What a 404 means for this request; `mailbox` when absent. */
  readonly target?: GraphTarget | undefined;
}

export interface GraphAnswer<T> {
  readonly body: T;
  /** HTTP requests it took, retries included. */
  readonly requests: number;
}

export interface BatchAnswer {
  readonly items: ReadonlyMap<string, BatchItemResponse>;
  readonly requests: number;
}

export interface GraphApi {
  readonly profileName: string;
  /** `undefined` schema: the answer's body is ignored (e.g. 204). */
  send<T>(spec: GraphRequestSpec, schema: z.ZodType<T>): Promise<GraphAnswer<T>>;
  send(spec: GraphRequestSpec): Promise<GraphAnswer<undefined>>;
  /** One JSON `$batch` round trip; sub-requests are keyed by their id. */
  batch(requests: ReadonlyArray<GraphRequestSpec & { readonly id: string }>): Promise<BatchAnswer>;
  /** A link Graph returned, as a path relative to the version root when it points at our endpoint. */
  relativePath(link: string): string | undefined;
  /** A failed `$batch` sub-response as an AppError; `target` as the sub-request's. */
  failureOf(item: BatchItemResponse, target?: GraphTarget): AppError;
}

export interface GraphApiOptions {
  readonly profileName: string;
  readonly graphEndpoint: string;
  readonly tokens: GraphTokenSource;
  readonly transport: HttpTransport;
  readonly retry: Omit<GraphRetryPolicy, 'classify' | 'logger'>;
  readonly logger: Logger;
}

export function createGraphApi(options: GraphApiOptions): GraphApi {
  const endpoint = options.graphEndpoint.replace(/\/+$/, '');
  const versionRoot = `${endpoint}/${GRAPH_VERSION}`;
  const classify = (error: unknown): AppError => classifyGraphError(error, options.profileName);
  const client = Client.initWithMiddleware({
    baseUrl: endpoint,
    defaultVersion: GRAPH_VERSION,
    // The SDK only attaches the bearer token for hosts it knows as Graph; ours may be a
    // sovereign cloud's or the emulator's.
    customHosts: new Set([new URL(endpoint).hostname]),
    middleware: [
      new GraphRetryMiddleware({ ...options.retry, classify, logger: options.logger }),
      new AuthenticationHandler({ getAccessToken: () => options.tokens.getToken() }),
      // client-request-id and SdkVersion: what Microsoft support asks for when tracing a call.
      new TelemetryHandler(),
      new GraphTransportMiddleware(options.transport),
    ],
  });

  async function send<T>(spec: GraphRequestSpec, schema?: z.ZodType<T>): Promise<GraphAnswer<T | undefined>> {
    const tracker = new GraphCallTracker();
    let raw: unknown;
    try {
      let request = client.api(spec.path).middlewareOptions([tracker]);
      for (const [name, value] of Object.entries(spec.headers ?? {})) request = request.header(name, value);
      switch (spec.method) {
        case 'GET':
          raw = await request.get();
          break;
        case 'POST':
          raw = await request.post(spec.body);
          break;
        case 'PATCH':
          raw = await request.patch(spec.body);
          break;
        case 'DELETE':
          raw = await request.delete();
          break;
      }
    } catch (error) {
      throw tracker.failure ?? classifyGraphError(error, options.profileName, spec.target);
    }
    if (!schema) return { body: undefined, requests: tracker.requests };
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      throw transientError(`Graph answered ${spec.method} in an unexpected shape (${parsed.error.issues[0]?.path.join('.') ?? '?'})`, 'graph-bad-response');
    }
    return { body: parsed.data, requests: tracker.requests };
  }

  const relativePath = (link: string): string | undefined => (link.startsWith(`${versionRoot}/`) ? link.slice(versionRoot.length) : undefined);

  return {
    profileName: options.profileName,
    send: send as GraphApi['send'],
    async batch(requests) {
      if (requests.length > MAX_BATCH_REQUESTS) throw new Error(`a $batch holds at most ${MAX_BATCH_REQUESTS} requests`);
      const body = {
        requests: requests.map((r) => ({
          id: r.id,
          method: r.method,
          url: relativePath(r.path) ?? r.path,
          ...(r.headers ? { headers: r.headers } : {}),
          ...(r.body !== undefined ? { body: r.body, headers: { 'content-type': 'application/json', ...(r.headers ?? {}) } } : {}),
        })),
      };
      const answer = await send({ method: 'POST', path: '/$batch', body }, BatchResponseSchema);
      return { items: new Map((answer.body?.responses ?? []).map((item) => [item.id, item])), requests: answer.requests };
    },
    relativePath,
    failureOf(item, target) {
      const code = GraphErrorBodySchema.safeParse(item.body).data?.error.code;
      const headers = item.headers ?? {};
      const header = (name: string): string | undefined => Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
      return classifyGraphFailure({ status: item.status, code, retryAfterMs: parseRetryAfter(header) }, options.profileName, target);
    },
  };
}
