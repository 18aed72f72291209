/** Types of table-server.mjs (plain JavaScript so that it can run as a child process entry). */
export interface TableServerOptions {
  readonly host?: string;
  readonly port?: number;
}

export interface RunningTableServer {
  /** e.g. `http://127.0.0.1:54321` */
  readonly address: string;
  /** Stops the server and waits for its sockets to close. */
  close(): Promise<void>;
}

export function startTableServer(options?: TableServerOptions): Promise<RunningTableServer>;
