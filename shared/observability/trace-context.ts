/**
 * The W3C trace context a `mailbox-sync` message carries from the webhook that enqueued it to
 * the job that runs it (https://www.w3.org/TR/trace-context/#traceparent-header): as the
 * `traceparent` application property on Service Bus, beside the job in the in-process queue.
 * Whatever arrives is checked before use; a malformed value starts a new trace, never a failure.
 */
import { z } from 'zod';

export const TRACEPARENT_PROPERTY = 'traceparent';

/** Version 00: trace id (32 hex, not all zero), parent span id (16 hex, not all zero), flags. */
export const Traceparent = z
  .string()
  .regex(/^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/);

const CarriedContext = z.object({ [TRACEPARENT_PROPERTY]: Traceparent }).loose();

/** The valid `traceparent` among a message's application properties, if any. */
export function readTraceparent(applicationProperties: unknown): string | undefined {
  const parsed = CarriedContext.safeParse(applicationProperties);
  return parsed.success ? parsed.data[TRACEPARENT_PROPERTY] : undefined;
}
