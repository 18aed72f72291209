/**
 * Counts the HTTP requests one provider call makes, token requests and retries included, for
 * FetchCalendarResult.requests. The counter travels with the async context, so concurrent
 * fetches of different mailboxes on one client cache count separately.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const counters = new AsyncLocalStorage<{ requests: number }>();

/** Runs `work` with a fresh counter; returns its result and how many requests it made. */
export async function countingRequests<T>(work: () => Promise<T>): Promise<{ result: T; requests: number }> {
  const counter = { requests: 0 };
  const result = await counters.run(counter, work);
  return { result, requests: counter.requests };
}

/** Called for every outgoing request (a gaxios interceptor). */
export function countRequest(): void {
  const counter = counters.getStore();
  if (counter) counter.requests += 1;
}
