/**
 * Bounds on what one job reads from a calendar provider (ARCHITECTURE.md "Failure
 * containment"): a provider that pages for ever, repeats a next-page link, or answers with an
 * endless body must cost a job a bounded amount of time and memory, with an error that says
 * which bound was hit. The caps sit far above any real calendar window: one mailbox's window
 * holds hundreds of events, not tens of thousands.
 */
import { configurationError, transientError, type AppError } from '../errors/app-error.js';

export interface ReadLimits {
  /** Pages one fetch may read. */
  readonly maxPages: number;
  /** Events (and removals) one fetch may read. */
  readonly maxItems: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = { maxPages: 1_000, maxItems: 20_000 };

/** One provider answer; larger ones are cut off while they arrive, never buffered whole. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export const responseTooLarge = (host: string): AppError =>
  transientError(`${host} answered with more than ${MAX_RESPONSE_BYTES} bytes; the answer was cut off`, 'response-too-large');

/**
 * Counts the pages and items of one fetch. `page` is called for every page as it arrives,
 * with the link (or token) to the next page; it throws once a bound is passed.
 * Over a cap: a configuration error, reported on the mailbox and not retried in a loop (a
 * calendar that large needs an operator's look). A repeated link: transient, the provider's
 * own fault, which a later job may not meet again.
 */
export function pageBudget(provider: string, address: string, limits: ReadLimits = DEFAULT_READ_LIMITS): (items: number, next: string | undefined) => void {
  let pages = 0;
  let items = 0;
  const seen = new Set<string>();
  return (count, next) => {
    pages += 1;
    items += count;
    if (items > limits.maxItems) {
      throw configurationError(`${provider} sent more than ${limits.maxItems} events for ${address} in one sync; reading stopped (is this a resource calendar? exclude it, or shorten CALENDAR_VIEW_DAYS)`, 'read-limit');
    }
    if (next === undefined) return;
    if (seen.has(next)) throw transientError(`${provider} sent the same next-page link twice for ${address}; reading stopped`, 'paging-loop');
    seen.add(next);
    if (pages >= limits.maxPages) {
      throw configurationError(`${provider} still had more pages for ${address} after ${limits.maxPages}; reading stopped`, 'read-limit');
    }
  };
}

/**
 * A fetch whose answers stop at `maxBytes`: the body is counted while it streams, and the read
 * fails as soon as it passes the cap, whatever Content-Length said or did not say. For clients
 * that take a fetch implementation (gaxios, under the Google client).
 */
export function cappedFetch(maxBytes: number = MAX_RESPONSE_BYTES, inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (!response.body) return response;
    const host = new URL(response.url || (input instanceof Request ? input.url : String(input))).host;
    let size = 0;
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          size += chunk.byteLength;
          if (size > maxBytes) controller.error(responseTooLarge(host));
          else controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
