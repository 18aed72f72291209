/**
 * Service Bus queue trigger (sessions on: one job per mailbox at a time). The Node worker cannot
 * settle a message itself, so dead-lettering is done by throwing: the message is abandoned and
 * Service Bus moves it to the dead-letter queue after the queue's maxDeliveryCount.
 */
import { app, type InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { getDeps } from '../shared/app/app-context.js';
import { parseMailboxJob } from '../shared/queue/mailbox-job.js';
import { runMailboxJob } from '../shared/sync/run-mailbox-job.js';

const Metadata = z.object({ messageId: z.string().default(''), deliveryCount: z.coerce.number().int().default(1) }).loose();

export async function mailboxSync(message: unknown, context: InvocationContext): Promise<void> {
  const deps = await getDeps();
  const metadata = Metadata.parse(context.triggerMetadata ?? {});
  const parsed = parseMailboxJob(message);
  if (!parsed.ok) {
    deps.logger.error('job.invalid-message', { messageId: metadata.messageId, error: parsed.error.message });
    throw parsed.error;
  }
  await runMailboxJob(deps, parsed.job, {
    messageId: metadata.messageId,
    deliveryCount: metadata.deliveryCount,
    deadLetter: async (reason) => {
      throw new Error(`dead-letter: ${reason}`);
    },
  });
}

app.serviceBusQueue('mailbox-sync', {
  connection: 'ServiceBusConnection',
  queueName: '%SERVICE_BUS_QUEUE%',
  isSessionsEnabled: true,
  handler: mailboxSync,
});
