/**
 * Service Bus queue trigger (sessions on: one job per mailbox at a time). Every delivery is
 * settled once: the handler resolves, so the message is completed, and a job given up on is
 * kept as a DeadLetters row with its reason (admin `reports/dead-letters`). Throwing would
 * abandon the message, and Service Bus would redeliver it at once up to maxDeliveryCount times,
 * each redelivery re-running the whole job.
 *
 * Why not settle through `@azure/functions-extensions-servicebus` (0.2.0-preview), which offers
 * complete / dead-letter with a reason: it is a preview that talks gRPC to the Functions host
 * (host and port from the worker's command line), needs `sdkBinding: true` and an extension
 * version that serves settlement, and cannot run anywhere but inside that host — no test here
 * could exercise it. Completing and recording does the same job with parts we test.
 */
import { app, type InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { getDeps } from '../shared/app/app-context.js';
import { runMailboxMessage } from '../shared/sync/job/run-mailbox-job.js';
import { readTraceparent } from '../shared/observability/trace-context.js';

const Metadata = z
  .object({ messageId: z.string().default(''), deliveryCount: z.coerce.number().int().default(1), applicationProperties: z.unknown().optional() })
  .loose();

export async function mailboxSync(message: unknown, context: InvocationContext): Promise<void> {
  const deps = await getDeps();
  const metadata = Metadata.parse(context.triggerMetadata ?? {});
  await runMailboxMessage(deps, message, {
    messageId: metadata.messageId,
    deliveryCount: metadata.deliveryCount,
    // The webhook's trace continues here (trace-context.ts checks the value).
    traceparent: readTraceparent(metadata.applicationProperties),
    // The DeadLetters row is written; returning completes the message.
    deadLetter: async () => undefined,
  });
}

app.serviceBusQueue('mailbox-sync', {
  connection: 'ServiceBusConnection',
  queueName: '%SERVICE_BUS_QUEUE%',
  isSessionsEnabled: true,
  handler: mailboxSync,
});
