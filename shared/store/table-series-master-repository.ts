import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { z } from 'zod';
import type { SeriesMaster } from '../domain/calendar-event.js';
import { parseEntity } from './parse-entity.js';
import type { SeriesMasterRepository } from './series-master-repository.js';
import { statusOf, toStoreError } from './table-errors.js';
import { decodeKey, encodeKey } from './table-key.js';
import type { TableGetter } from './table-connection.js';

const TABLE = 'SeriesMasters';
/** An entity group transaction holds at most 100 operations, all in one partition. */
const MAX_TRANSACTION = 100;

const MasterEntity = z.object({
  partitionKey: z.string(),
  rowKey: z.string().min(1),
  changeKey: z.string().optional(),
  /** The master's fields as JSON: one property, whatever fields Graph sends. */
  fields: z.string(),
});

const Fields = z.record(z.string(), z.unknown());

/** PartitionKey = mailbox key, RowKey = master id. */
export class TableSeriesMasterRepository implements SeriesMasterRepository {
  constructor(private readonly table: TableGetter) {}

  async listForMailbox(mailboxKey: string): Promise<SeriesMaster[]> {
    const client = await this.table();
    const masters: SeriesMaster[] = [];
    try {
      const filter = odata`PartitionKey eq ${encodeKey(mailboxKey)}`;
      for await (const entity of client.listEntities({ queryOptions: { filter } })) masters.push(toMaster(entity));
    } catch (error) {
      throw toStoreError(error, TABLE, `list ${mailboxKey}`);
    }
    return masters;
  }

  async put(mailboxKey: string, masters: readonly SeriesMaster[]): Promise<void> {
    const partitionKey = encodeKey(mailboxKey);
    await this.transact(
      partitionKey,
      masters.map((m): TransactionAction => [
        'upsert',
        { partitionKey, rowKey: encodeKey(m.id), fields: JSON.stringify(m.fields), ...(m.changeKey === undefined ? {} : { changeKey: m.changeKey }) },
        'Replace',
      ]),
    );
  }

  async delete(mailboxKey: string, ids: readonly string[]): Promise<void> {
    const client = await this.table();
    const partitionKey = encodeKey(mailboxKey);
    // Deleted one by one: a transaction fails whole when one row is already gone (404).
    await Promise.all(
      ids.map(async (id) => {
        try {
          await client.deleteEntity(partitionKey, encodeKey(id));
        } catch (error) {
          if (statusOf(error) !== 404) throw toStoreError(error, TABLE, `delete ${mailboxKey}/${id}`);
        }
      }),
    );
  }

  private async transact(partitionKey: string, actions: TransactionAction[]): Promise<void> {
    const client: TableClient = await this.table();
    for (let i = 0; i < actions.length; i += MAX_TRANSACTION) {
      try {
        await client.submitTransaction(actions.slice(i, i + MAX_TRANSACTION));
      } catch (error) {
        throw toStoreError(error, TABLE, `put batch in ${partitionKey}`);
      }
    }
  }
}

function toMaster(raw: unknown): SeriesMaster {
  const entity = parseEntity(MasterEntity, raw, TABLE);
  let fields: unknown;
  try {
    fields = JSON.parse(entity.fields);
  } catch {
    fields = undefined;
  }
  const parsed = parseEntity(Fields, fields, TABLE);
  return { id: decodeKey(entity.rowKey), changeKey: entity.changeKey, fields: parsed };
}
