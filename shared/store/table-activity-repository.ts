import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { z } from 'zod';
import { parseEntity } from './parse-entity.js';
import { statusOf, toStoreError } from './table-errors.js';
import { decodeKey, encodeKey } from './table-key.js';
import type { ActivityRepository, StoredActivity } from './activity-repository.js';
import type { TableGetter } from './table-connection.js';

const TABLE = 'Activities';
/** An entity group transaction holds at most 100 operations, all in one partition. */
const MAX_TRANSACTION = 100;

const ActivityEntity = z.object({
  partitionKey: z.string(),
  rowKey: z.string().min(1),
  hash: z.string(),
  sourceEventId: z.string(),
  /** Absent on single events, and on rows written before series were recorded. */
  seriesId: z.string().optional(),
  code: z.string(),
  start: z.string(),
  end: z.string(),
  acknowledgedAt: z.string(),
});

export class TableActivityRepository implements ActivityRepository {
  constructor(private readonly table: TableGetter) {}

  async listForMailbox(mailboxKey: string): Promise<StoredActivity[]> {
    const client = await this.table();
    const activities: StoredActivity[] = [];
    try {
      // The SDK follows continuation tokens, so this reads past Table Storage's 1000-per-page limit.
      const filter = odata`PartitionKey eq ${encodeKey(mailboxKey)}`;
      for await (const entity of client.listEntities({ queryOptions: { filter } })) activities.push(toActivity(entity));
    } catch (error) {
      throw toStoreError(error, TABLE, `list ${mailboxKey}`);
    }
    return activities;
  }

  async listForSeries(mailboxKey: string, seriesIds: readonly string[]): Promise<StoredActivity[]> {
    if (seriesIds.length === 0) return [];
    const client = await this.table();
    const activities: StoredActivity[] = [];
    const partition = odata`PartitionKey eq ${encodeKey(mailboxKey)}`;
    // A filter is at most 15 comparisons (Table Storage limit); one query per 14 series.
    for (let i = 0; i < seriesIds.length; i += 14) {
      const anyOf = seriesIds.slice(i, i + 14).map((id) => odata`seriesId eq ${id}`).join(' or ');
      try {
        for await (const entity of client.listEntities({ queryOptions: { filter: `${partition} and (${anyOf})` } })) activities.push(toActivity(entity));
      } catch (error) {
        throw toStoreError(error, TABLE, `list series in ${mailboxKey}`);
      }
    }
    return activities;
  }

  async get(mailboxKey: string, externalId: string): Promise<StoredActivity | undefined> {
    const client = await this.table();
    try {
      return toActivity(await client.getEntity(encodeKey(mailboxKey), encodeKey(externalId)));
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw toStoreError(error, TABLE, `get ${mailboxKey}/${externalId}`);
    }
  }

  async put(mailboxKey: string, activity: StoredActivity): Promise<void> {
    const client = await this.table();
    const { externalId, seriesId, ...fields } = activity;
    try {
      await client.upsertEntity({ partitionKey: encodeKey(mailboxKey), rowKey: encodeKey(externalId), ...fields, ...(seriesId === undefined ? {} : { seriesId }) }, 'Replace');
    } catch (error) {
      throw toStoreError(error, TABLE, `put ${mailboxKey}/${externalId}`);
    }
  }

  async delete(mailboxKey: string, externalId: string): Promise<void> {
    const client = await this.table();
    try {
      await client.deleteEntity(encodeKey(mailboxKey), encodeKey(externalId));
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw toStoreError(error, TABLE, `delete ${mailboxKey}/${externalId}`);
    }
  }

  async deleteAllForMailbox(mailboxKey: string): Promise<number> {
    const client = await this.table();
    const activities = await this.listForMailbox(mailboxKey);
    const partitionKey = encodeKey(mailboxKey);
    for (let i = 0; i < activities.length; i += MAX_TRANSACTION) {
      const rowKeys = activities.slice(i, i + MAX_TRANSACTION).map((a) => encodeKey(a.externalId));
      await deleteBatch(client, partitionKey, rowKeys);
    }
    return activities.length;
  }
}

async function deleteBatch(client: TableClient, partitionKey: string, rowKeys: string[]): Promise<void> {
  const actions: TransactionAction[] = rowKeys.map((rowKey) => ['delete', { partitionKey, rowKey }]);
  try {
    await client.submitTransaction(actions);
  } catch (error) {
    // A transaction fails whole when one row is already gone (404): another writer got there
    // first. Deleting one by one treats those as done.
    if (statusOf(error) !== 404) throw toStoreError(error, TABLE, `delete batch in ${partitionKey}`);
    for (const rowKey of rowKeys) {
      try {
        await client.deleteEntity(partitionKey, rowKey);
      } catch (single) {
        if (statusOf(single) !== 404) throw toStoreError(single, TABLE, `delete ${partitionKey}/${rowKey}`);
      }
    }
  }
}

function toActivity(raw: unknown): StoredActivity {
  const { partitionKey: _pk, rowKey, seriesId, ...fields } = parseEntity(ActivityEntity, raw, TABLE);
  return { externalId: decodeKey(rowKey), ...fields, ...(seriesId === undefined ? {} : { seriesId }) };
}
