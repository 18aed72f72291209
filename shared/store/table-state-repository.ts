import { z } from 'zod';
import { parseEntity } from './parse-entity.js';
import { ConcurrencyConflictError } from './concurrency-conflict.js';
import { requireEtag, statusOf, toStoreError } from './table-errors.js';
import { encodeKey } from './table-key.js';
import type { StateRepository, StoredState } from './state-repository.js';
import type { TableGetter } from './table-connection.js';

const TABLE = 'State';

const StateEntity = z.object({ etag: z.string(), value: z.string() });

export class TableStateRepository implements StateRepository {
  constructor(private readonly table: TableGetter) {}

  async get(scope: string, name: string): Promise<StoredState | undefined> {
    const client = await this.table();
    try {
      const { value, etag } = parseEntity(StateEntity, await client.getEntity(encodeKey(scope), encodeKey(name)), TABLE);
      return { value, etag };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw toStoreError(error, TABLE, `get ${scope}/${name}`);
    }
  }

  async set(scope: string, name: string, value: string, etag?: string): Promise<string> {
    const client = await this.table();
    const entity = { partitionKey: encodeKey(scope), rowKey: encodeKey(name), value };
    try {
      const result =
        etag === undefined ? await client.upsertEntity(entity, 'Replace') : await client.updateEntity(entity, 'Replace', { etag });
      return requireEtag(result.etag, TABLE, `${scope}/${name}`);
    } catch (error) {
      const status = statusOf(error);
      if (etag !== undefined && (status === 412 || status === 404)) throw new ConcurrencyConflictError(TABLE, `${scope}/${name}`, error);
      throw toStoreError(error, TABLE, `set ${scope}/${name}`);
    }
  }
}
