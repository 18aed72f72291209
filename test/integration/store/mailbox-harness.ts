import { TableClient, type TransactionAction } from '@azure/data-tables';
import type { Mailbox } from '../../../shared/domain/mailbox.js';
import { shardOf } from '../../../shared/store/shard.js';
import { encodeKey } from '../../../shared/store/table-key.js';
import type { TestStore } from '../../support/test-store.js';

export function aMailbox(key: string, overrides: Partial<Mailbox> = {}): Mailbox {
  return {
    key,
    address: `${key}@example.com`,
    domain: 'example.com',
    language: 'en',
    forwardByDefault: false,
    messageSystem: 1,
    state: 'active',
    multiAddress: false,
    failures: 0,
    activityCount: 0,
    ...overrides,
  };
}

/** Writes many mailboxes fast, straight into the store's table: one transaction per 100 rows of a shard. */
export async function plantMailboxes(store: TestStore, mailboxes: readonly Mailbox[]): Promise<void> {
  const client = TableClient.fromConnectionString(store.connectionString, `${store.tablePrefix}Mailboxes`, { allowInsecureConnection: true });
  await client.createTable();
  // Transactions hold up to 100 rows of one partition: group by shard first.
  const byShard = new Map<string, Mailbox[]>();
  for (const mailbox of mailboxes) {
    const shard = shardOf(mailbox.key);
    byShard.set(shard, [...(byShard.get(shard) ?? []), mailbox]);
  }
  for (const [shard, shardMailboxes] of byShard) {
    for (let i = 0; i < shardMailboxes.length; i += 100) {
      const actions: TransactionAction[] = shardMailboxes.slice(i, i + 100).map(({ key, ...fields }) => {
        const entity: Record<string, unknown> = { ...fields, partitionKey: shard, rowKey: encodeKey(key) };
        for (const [name, value] of Object.entries(entity)) if (value === undefined) delete entity[name];
        return ['create', entity as { partitionKey: string; rowKey: string }];
      });
      await client.submitTransaction(actions);
    }
  }
}
