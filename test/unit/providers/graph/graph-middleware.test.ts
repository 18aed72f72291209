import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import { transientError, type AppError } from '../../../../shared/errors/app-error.js';
import { silentLogger } from '../../../../shared/observability/logger.js';
import { GraphRetryMiddleware } from '../../../../shared/providers/graph/graph-middleware.js';

function chain(answers: Array<number | AppError>) {
  const seen: string[] = [];
  const sleeps: number[] = [];
  const next: Middleware = {
    execute: async (context: Context) => {
      // What the SDK's AuthenticationHandler does on every pass: append to Authorization.
      const headers = context.options!.headers as Record<string, string>;
      headers.Authorization = headers.Authorization ? `${headers.Authorization}, Bearer t` : 'Bearer t';
      seen.push(headers.Authorization);
      const answer = answers.shift();
      if (answer === undefined) throw new Error('no more answers');
      if (typeof answer !== 'number') throw answer;
      context.response = new Response(answer === 204 ? null : '{}', { status: answer, headers: answer === 429 ? { 'retry-after': '2' } : {} });
    },
  };
  const retry = new GraphRetryMiddleware({
    maxRetries: 2,
    baseDelayMs: 100,
    maxDelayMs: 10_000,
    classify: (e) => e as AppError,
    logger: silentLogger,
    sleep: async (ms) => void sleeps.push(ms),
  });
  retry.setNext(next);
  return { retry, seen, sleeps };
}

const context = (method: string, url: string): Context => ({ request: url, options: { method, headers: {} } });

describe('GraphRetryMiddleware', () => {
  it('when 429 with Retry-After comes first, then it waits that long, retries with one Authorization header and returns the success', async () => {
    const { retry, seen, sleeps } = chain([429, 200]);
    const ctx = context('GET', 'https://graph.microsoft.com/v1.0/users/a/mailboxSettings');
    await retry.execute(ctx);
    expect(ctx.response?.status).toBe(200);
    expect(sleeps).toEqual([2000]);
    expect(seen).toEqual(['Bearer t', 'Bearer t']);
  });

  it('when every attempt fails, then it stops after maxRetries and hands back the last answer', async () => {
    const { retry, seen } = chain([503, 503, 503, 200]);
    const ctx = context('GET', 'https://graph.microsoft.com/v1.0/$batch');
    await retry.execute(ctx);
    expect(ctx.response?.status).toBe(503);
    expect(seen).toHaveLength(3);
  });

  it('when creating a subscription times out, then it is not repeated (it may have been created)', async () => {
    const { retry, seen } = chain([transientError('slow', 'timeout'), 201]);
    await expect(retry.execute(context('POST', 'https://graph.microsoft.com/v1.0/subscriptions'))).rejects.toMatchObject({ code: 'timeout' });
    expect(seen).toHaveLength(1);
  });

  it('when a $batch POST times out, then it is repeated like a read', async () => {
    const { retry, seen } = chain([transientError('slow', 'timeout'), 200]);
    const ctx = context('POST', 'https://graph.microsoft.com/v1.0/$batch');
    await retry.execute(ctx);
    expect(ctx.response?.status).toBe(200);
    expect(seen).toHaveLength(2);
  });
});
