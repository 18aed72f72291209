import { odata, type TableClient } from '@azure/data-tables';
import { z } from 'zod';
import { parseEntity } from './parse-entity.js';
import { statusOf, toStoreError } from './table-errors.js';
import { decodeKey, encodeKey } from './table-key.js';
import type { ProviderKind } from '../domain/calendar-event.js';
import type { Subscription, SubscriptionRepository } from './subscription-repository.js';
import type { TableGetter } from './table-connection.js';

const TABLE = 'Subscriptions';

const SubscriptionEntity = z.object({
  partitionKey: z.enum(['graph', 'google', 'exchange']),
  rowKey: z.string().min(1),
  mailboxKey: z.string().min(1),
  secretHash: z.string().regex(/^[0-9a-f]{64}$/),
  resourceId: z.string(),
  expiresAt: z.iso.datetime(),
  notificationUrl: z.string(),
  watermark: z.string().optional(),
});

export class TableSubscriptionRepository implements SubscriptionRepository {
  constructor(private readonly table: TableGetter) {}

  async get(provider: ProviderKind, id: string): Promise<Subscription | undefined> {
    const client = await this.table();
    try {
      return toSubscription(await client.getEntity(provider, encodeKey(id)));
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw toStoreError(error, TABLE, `get ${provider}/${id}`);
    }
  }

  async listByMailbox(mailboxKey: string): Promise<Subscription[]> {
    return this.query(odata`mailboxKey eq ${mailboxKey}`, `list for ${mailboxKey}`);
  }

  async listExpiringBefore(instant: string): Promise<Subscription[]> {
    // expiresAt is stored as a UTC ISO string of one fixed format, so string order is time order.
    return this.query(odata`expiresAt lt ${utcIso(instant)}`, 'list expiring');
  }

  async upsert(subscription: Subscription): Promise<void> {
    const client = await this.table();
    const { provider, id, watermark, ...fields } = subscription;
    try {
      await client.upsertEntity(
        { partitionKey: provider, rowKey: encodeKey(id), ...fields, ...(watermark === undefined ? {} : { watermark }), expiresAt: utcIso(fields.expiresAt) },
        'Replace',
      );
    } catch (error) {
      throw toStoreError(error, TABLE, `upsert ${provider}/${id}`);
    }
  }

  async delete(provider: ProviderKind, id: string): Promise<void> {
    const client = await this.table();
    try {
      await client.deleteEntity(provider, encodeKey(id));
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw toStoreError(error, TABLE, `delete ${provider}/${id}`);
    }
  }

  private async query(filter: string, operation: string): Promise<Subscription[]> {
    const client: TableClient = await this.table();
    const found: Subscription[] = [];
    try {
      for await (const entity of client.listEntities({ queryOptions: { filter } })) found.push(toSubscription(entity));
    } catch (error) {
      throw toStoreError(error, TABLE, operation);
    }
    return found;
  }
}

function utcIso(instant: string): string {
  const ms = Date.parse(instant);
  if (!Number.isFinite(ms)) throw new RangeError(`Not an instant: ${instant}`);
  return new Date(ms).toISOString();
}

function toSubscription(raw: unknown): Subscription {
  const { partitionKey, rowKey, ...fields } = parseEntity(SubscriptionEntity, raw, TABLE);
  return { provider: partitionKey, id: decodeKey(rowKey), ...fields };
}
