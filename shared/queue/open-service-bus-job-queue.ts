/** Connects the Service Bus JobQueue from the platform settings. */
import { ServiceBusClient } from '@azure/service-bus';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { ServiceBusJobQueue } from './service-bus-job-queue.js';

/** The two forms of `platform.serviceBus` that name a namespace (the third means: in-process queue). */
export type ServiceBusConnection =
  | { readonly connectionString: string; readonly queue: string }
  | { readonly fullyQualifiedNamespace: string; readonly queue: string };

export interface ServiceBusOptions {
  /** Client id of the user-assigned identity, for namespace connections. */
  readonly managedIdentityClientId?: string | undefined;
  /** Overrides DefaultAzureCredential for namespace connections. */
  readonly credential?: TokenCredential;
}

export function openServiceBusJobQueue(
  connection: ServiceBusConnection,
  options: ServiceBusOptions = {},
): ServiceBusJobQueue {
  const client =
    'connectionString' in connection
      ? new ServiceBusClient(connection.connectionString)
      : new ServiceBusClient(
          connection.fullyQualifiedNamespace,
          options.credential ?? new DefaultAzureCredential({ managedIdentityClientId: options.managedIdentityClientId }),
        );
  const sender = client.createSender(connection.queue);
  return new ServiceBusJobQueue(sender, async () => {
    await sender.close();
    await client.close();
  });
}
