/**
 * What the product's clients send, request by request (destination, method, path), from the
 * same diagnostics channels as `HttpRequestCounter`: the timer benchmarks split Table Storage
 * requests by table and kind, and provider requests by operation, which a count per port
 * cannot.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

export interface LoggedRequest {
  /** The destination's name as given, or `port N`. */
  readonly to: string;
  readonly method: string;
  /** Path and query, percent-encoded as sent. */
  readonly path: string;
}

export class RequestLog {
  readonly requests: LoggedRequest[] = [];
  private readonly onNode = (message: unknown): void => {
    const request = (message as { request: ClientRequest }).request;
    const port = /:(\d+)$/.exec(String(request.getHeader('host') ?? ''))?.[1] ?? '';
    this.add(port, request.method, request.path);
  };
  private readonly onUndici = (message: unknown): void => {
    const request = (message as { request: { origin: unknown; method: string; path: string } }).request;
    this.add(/:(\d+)\/?$/.exec(String(request.origin))?.[1] ?? '', request.method, request.path);
  };

  constructor(private readonly names: ReadonlyMap<string, string>) {
    subscribe('http.client.request.start', this.onNode);
    subscribe('undici:request:create', this.onUndici);
  }

  private add(port: string, method: string, path: string): void {
    this.requests.push({ to: this.names.get(port) ?? `port ${port || '?'}`, method, path });
  }

  count(predicate: (r: LoggedRequest) => boolean): number {
    let n = 0;
    for (const r of this.requests) if (predicate(r)) n += 1;
    return n;
  }

  reset(): void {
    this.requests.length = 0;
  }

  close(): void {
    unsubscribe('http.client.request.start', this.onNode);
    unsubscribe('undici:request:create', this.onUndici);
  }
}

/** Table Storage requests of one table, by what they do. */
export interface TableRequestKinds {
  /** Queries over the table (not a point read) that start from its beginning: reads of all its rows. */
  readonly scans: number;
  /** Query pages, the first and the continued ones. */
  readonly pages: number;
  readonly pointReads: number;
  readonly writes: number;
}

/** Splits the requests to `tables` addressed to `table` (its full name, any prefix included). */
export function tableRequestKinds(log: RequestLog, table: string): TableRequestKinds {
  let scans = 0;
  let pages = 0;
  let pointReads = 0;
  let writes = 0;
  const query = `/${table}()`;
  const entity = `/${table}(`;
  for (const r of log.requests) {
    if (r.to !== 'tables') continue;
    const path = decodeURIComponent(r.path.split('?')[0] ?? '');
    if (!path.includes(entity)) continue;
    if (r.method !== 'GET') writes += 1;
    else if (path.includes(query)) {
      pages += 1;
      if (!/[?&]NextPartitionKey=/.test(r.path)) scans += 1;
    } else pointReads += 1;
  }
  return { scans, pages, pointReads, writes };
}

/** Entity group transactions (`$batch`): each carries up to 100 writes in one partition. */
export function tableBatches(log: RequestLog): number {
  return log.count((r) => r.to === 'tables' && r.method === 'POST' && r.path.split('?')[0]!.endsWith('/$batch'));
}
