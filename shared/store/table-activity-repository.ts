import { odata, type TableClient, type TableEntity, type TransactionAction } from '@azure/data-tables';
import { z } from 'zod';
import { parseEntity } from './parse-entity.js';
import { statusOf, toStoreError } from './table-errors.js';
import { decodeKey, encodeKey } from './table-key.js';
import type { ActivityRepository, ActivityWrites, StoredActivity } from './activity-repository.js';
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
  rejected: z.string().optional(),
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
    try {
      // Replace drops a `rejected` the row had: an acknowledged PUT clears the refusal.
      await client.upsertEntity(toEntity(encodeKey(mailboxKey), activity), 'Replace');
    } catch (error) {
      throw toStoreError(error, TABLE, `put ${mailboxKey}/${activity.externalId}`);
    }
  }

  async writeAll(mailboxKey: string, writes: ActivityWrites): Promise<void> {
    const client = await this.table();
    const partitionKey = encodeKey(mailboxKey);
    const actions: TransactionAction[] = [
      ...writes.put.map((activity): TransactionAction => ['upsert', toEntity(partitionKey, activity), 'Replace']),
      ...writes.forget.map((externalId): TransactionAction => ['delete', { partitionKey, rowKey: encodeKey(externalId) }]),
    ];
    for (let i = 0; i < actions.length; i += MAX_TRANSACTION) {
      const batch = actions.slice(i, i + MAX_TRANSACTION);
      try {
        await client.submitTransaction(batch);
      } catch (error) {
        // A transaction fails whole when a row to delete is already gone (404): row by row,
        // those count as deleted.
        if (statusOf(error) !== 404) throw toStoreError(error, TABLE, `write batch in ${mailboxKey}`);
        for (const action of batch) await writeOne(client, action, mailboxKey);
      }
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

  async listRejected(): Promise<Array<StoredActivity & { readonly mailboxKey: string }>> {
    const client = await this.table();
    const out: Array<StoredActivity & { mailboxKey: string }> = [];
    try {
      // A row without the property does not match a comparison on it: only refused rows come back.
      for await (const entity of client.listEntities({ queryOptions: { filter: odata`rejected gt ${''}` } })) {
        out.push({ mailboxKey: decodeKey(entity.partitionKey ?? ''), ...toActivity(entity) });
      }
    } catch (error) {
      throw toStoreError(error, TABLE, 'list rejected');
    }
    return out;
  }

  async deleteAllForMailbox(mailboxKey: string): Promise<number> {
    const activities = await this.listForMailbox(mailboxKey);
    await this.writeAll(mailboxKey, { put: [], forget: activities.map((a) => a.externalId) });
    return activities.length;
  }
}

async function writeOne(client: TableClient, action: TransactionAction, mailboxKey: string): Promise<void> {
  const [kind, entity] = action;
  try {
    if (kind === 'delete') await client.deleteEntity(entity.partitionKey, entity.rowKey);
    else await client.upsertEntity(entity, 'Replace');
  } catch (error) {
    if (kind === 'delete' && statusOf(error) === 404) return;
    throw toStoreError(error, TABLE, `${kind === 'delete' ? 'delete' : 'put'} ${mailboxKey}/${decodeKey(entity.rowKey)}`);
  }
}

function toEntity(partitionKey: string, activity: StoredActivity): TableEntity<Record<string, string>> {
  const { externalId, rejected, seriesId, ...fields } = activity;
  return { partitionKey, rowKey: encodeKey(externalId), ...fields, ...(seriesId === undefined ? {} : { seriesId }), ...(rejected === undefined ? {} : { rejected }) };
}

function toActivity(raw: unknown): StoredActivity {
  const { partitionKey: _pk, rowKey, seriesId, ...fields } = parseEntity(ActivityEntity, raw, TABLE);
  return { externalId: decodeKey(rowKey), ...fields, ...(seriesId === undefined ? {} : { seriesId }) };
}
