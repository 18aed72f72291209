/**
 * The product's webhooks on a loopback port for the push benchmark: the compiled functions
 * (dist/functions) are loaded with the dev host's loadFunctions, so the real registrations and
 * handlers answer, with @azure/functions' own HttpRequest / InvocationContext. Unlike the dev
 * host's server it times each handler call (the function's own time, from the request object
 * to its answer) and the whole exchange (body read and answer write included), per function.
 */
import functions, { type HttpResponseInit } from '@azure/functions';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import type { JobHandler } from '../../shared/queue/job-queue.js';
import { loadFunctions, writeFunctionResponse } from '../../tools/dev-host/functions-host.js';

const { HttpRequest, InvocationContext } = functions;

export interface WebhookStats {
  /** Handler time per request, ms. */
  readonly handlerMs: number[];
  /** From the first byte of the request to the end of the answer, ms. */
  readonly exchangeMs: number[];
  readonly statuses: Map<number, number>;
}

export interface WebhookServer {
  readonly url: string;
  readonly port: number;
  /** Per function name (graph-notifications, google-notifications, graph-lifecycle, ews-notifications). */
  readonly stats: Map<string, WebhookStats>;
  /** Requests the handler answered with an error, or that found no function. */
  errors: number;
  /** The `mailbox-sync` queue trigger of the same function set, as an in-process job handler. */
  readonly queueHandler: JobHandler;
  resetStats(): void;
  close(): Promise<void>;
}

const compiledFunctions = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'functions');

export async function startWebhookServer(): Promise<WebhookServer> {
  let errors = 0;
  const host = await loadFunctions(compiledFunctions, (name, level, message) => {
    if (level === 'error') {
      errors += 1;
      if (errors <= 5) console.log(`  webhook ${name}: ${message}`);
    }
  });
  const stats = new Map<string, WebhookStats>();
  const statsOf = (name: string): WebhookStats => {
    let s = stats.get(name);
    if (!s) {
      s = { handlerMs: [], exchangeMs: [], statuses: new Map() };
      stats.set(name, s);
    }
    return s;
  };

  const server: Server = createServer((req, res) => {
    const began = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
        const method = (req.method ?? 'GET').toUpperCase();
        const fn = host.http.find((f) => f.pattern.test(url.pathname) && f.methods.includes(method));
        if (!fn) {
          errors += 1;
          res.writeHead(404).end();
          return;
        }
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
        // Route parameters, as the host gives them (ews-notifications/{id}/{secret}).
        const match = fn.pattern.exec(url.pathname)!;
        let params: Record<string, string>;
        try {
          params = Object.fromEntries(fn.params.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
        } catch {
          errors += 1;
          res.writeHead(400).end();
          return;
        }
        const request = new HttpRequest({ method, url: url.href, headers, params, body: { string: Buffer.concat(chunks).toString('utf8') } });
        const context = new InvocationContext({ invocationId: randomUUID(), functionName: fn.name, logHandler: () => undefined });
        const s = statsOf(fn.name);
        const started = performance.now();
        let answer: HttpResponseInit;
        try {
          answer = (await fn.handler(request, context)) as HttpResponseInit;
        } catch (error) {
          errors += 1;
          if (errors <= 5) console.log(`  webhook ${fn.name} threw: ${error instanceof Error ? error.message : String(error)}`);
          answer = { status: 500 };
        }
        s.handlerMs.push(performance.now() - started);
        const status = answer.status ?? 200;
        s.statuses.set(status, (s.statuses.get(status) ?? 0) + 1);
        // 'close' fires when the answer is out, or when the sender hung up first.
        res.once('close', () => s.exchangeMs.push(performance.now() - began));
        writeFunctionResponse(res, { ...answer, status });
      })();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats,
    queueHandler: host.queueHandler('mailbox-sync'),
    get errors() {
      return errors;
    },
    set errors(value: number) {
      errors = value;
    },
    resetStats() {
      stats.clear();
      errors = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
