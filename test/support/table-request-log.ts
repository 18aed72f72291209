/**
 * The Table Storage requests this test worker sends while the log listens (Node's HTTP client
 * diagnostics channel, which @azure/data-tables' requests pass through), so a test can count
 * how a use case reads and writes a table: whole-table reads, single-row writes, transactions.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

export class TableRequestLog {
  private readonly requests: Array<{ method: string; path: string }> = [];
  private readonly listener = (message: unknown): void => {
    const request = (message as { request: ClientRequest }).request;
    this.requests.push({ method: request.method, path: decodeURIComponent(request.path) });
  };

  constructor() {
    subscribe('http.client.request.start', this.listener);
  }

  /**
   * Queries of the table whose name is or ends with `table` that start at its beginning (a
   * continued page carries NextPartitionKey): reads of every row.
   */
  scans(table: string): number {
    return this.requests.filter((r) => r.method === 'GET' && r.path.includes(`${table}()`) && !r.path.includes('NextPartitionKey=')).length;
  }

  /** Writes of one row each (not in a transaction) to the table whose name is or ends with `table`. */
  rowWrites(table: string): number {
    return this.requests.filter((r) => r.method !== 'GET' && r.path.includes(`${table}(`)).length;
  }

  /** Entity group transactions, of any table. */
  transactions(): number {
    return this.requests.filter((r) => r.method === 'POST' && r.path.split('?')[0]!.endsWith('/$batch')).length;
  }

  reset(): void {
    this.requests.length = 0;
  }

  close(): void {
    unsubscribe('http.client.request.start', this.listener);
  }
}
