import { odata, type TableEntity } from '@azure/data-tables';
import { z } from 'zod';
import { MAILBOX_STATES, type ListMailboxesOptions, type Mailbox, type MailboxBrief, type MailboxPage, type MailboxRepository, type StoredMailbox } from './mailbox-repository.js';
import { parseEntity } from './parse-entity.js';
import { shardOf } from './shard.js';
import { ConcurrencyConflictError, requireEtag, statusOf, toStoreError } from './table-errors.js';
import { decodeKey, encodeKey } from './table-key.js';
import type { TableGetter } from './table-connection.js';

const TABLE = 'Mailboxes';
/** Table Storage returns at most 1000 entities per page. */
const MAX_PAGE = 1000;

const optional = z.string().optional();
const MailboxEntity = z.object({
  partitionKey: z.string(),
  rowKey: z.string().min(1),
  etag: z.string(),
  address: z.string(),
  domain: z.string(),
  language: z.string(),
  forwardByDefault: z.boolean(),
  messageSystem: z.number().int(),
  state: z.enum(MAILBOX_STATES),
  stateReason: optional,
  multiAddress: z.boolean(),
  profile: optional,
  provider: z.enum(['graph', 'google']).optional(),
  syncToken: optional,
  windowStart: optional,
  windowEnd: optional,
  configHash: optional,
  directoryId: optional,
  directoryIdAddress: optional,
  timeZone: optional,
  automaticRepliesSince: optional,
  lastSyncAt: optional,
  lastSyncMode: z.enum(['full', 'delta']).optional(),
  lastError: optional,
  lastErrorAt: optional,
  failures: z.number().int().nonnegative(),
  retryAt: optional,
  refusedSince: optional,
  activityCount: z.number().int().nonnegative(),
  rosterModifiedAt: optional,
});

const MailboxBriefEntity = MailboxEntity.pick({ rowKey: true, state: true, profile: true, lastSyncAt: true });

export class TableMailboxRepository implements MailboxRepository {
  constructor(private readonly table: TableGetter) {}

  async get(key: string): Promise<StoredMailbox | undefined> {
    const client = await this.table();
    try {
      return toMailbox(await client.getEntity(shardOf(key), encodeKey(key)));
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw toStoreError(error, TABLE, `get ${key}`);
    }
  }

  async list(options: ListMailboxesOptions = {}): Promise<MailboxPage> {
    const client = await this.table();
    const pageSize = Math.min(options.pageSize ?? MAX_PAGE, MAX_PAGE);
    const filter = options.state === undefined ? undefined : odata`state eq ${options.state}`;
    try {
      const pages = client
        .listEntities(filter === undefined ? {} : { queryOptions: { filter } })
        .byPage({ maxPageSize: pageSize, ...(options.continuationToken ? { continuationToken: options.continuationToken } : {}) });
      const first = await pages.next();
      if (first.done) return { items: [], continuationToken: undefined };
      return { items: first.value.map(toMailbox), continuationToken: first.value.continuationToken || undefined };
    } catch (error) {
      throw toStoreError(error, TABLE, 'list');
    }
  }

  async *listAll(options: Omit<ListMailboxesOptions, 'continuationToken'> = {}): AsyncIterable<StoredMailbox> {
    let continuationToken: string | undefined;
    do {
      const page = await this.list({ ...options, continuationToken });
      yield* page.items;
      continuationToken = page.continuationToken;
    } while (continuationToken !== undefined);
  }

  async *listBriefs(): AsyncIterable<MailboxBrief> {
    const client = await this.table();
    try {
      // A projection: Table Storage sends only these properties, about 100 bytes a row.
      const pages = client.listEntities({ queryOptions: { select: ['RowKey', 'state', 'profile', 'lastSyncAt'] } }).byPage({ maxPageSize: MAX_PAGE });
      for await (const page of pages) {
        for (const entity of page) {
          const { rowKey, state, profile, lastSyncAt } = parseEntity(MailboxBriefEntity, entity, TABLE);
          yield { key: decodeKey(rowKey), state, profile, lastSyncAt };
        }
      }
    } catch (error) {
      throw toStoreError(error, TABLE, 'list briefs');
    }
  }

  async upsert(mailbox: Mailbox): Promise<string> {
    const client = await this.table();
    try {
      const { etag } = await client.upsertEntity(toEntity(mailbox), 'Replace');
      return requireEtag(etag, TABLE, mailbox.key);
    } catch (error) {
      throw toStoreError(error, TABLE, `upsert ${mailbox.key}`);
    }
  }

  async update(mailbox: Mailbox, etag: string): Promise<string> {
    const client = await this.table();
    try {
      const result = await client.updateEntity(toEntity(mailbox), 'Replace', { etag });
      return requireEtag(result.etag, TABLE, mailbox.key);
    } catch (error) {
      // 412: changed since read; 404: deleted since read. Either way the caller must re-read.
      const status = statusOf(error);
      if (status === 412 || status === 404) throw new ConcurrencyConflictError(TABLE, mailbox.key, error);
      throw toStoreError(error, TABLE, `update ${mailbox.key}`);
    }
  }

  async delete(key: string, etag?: string): Promise<void> {
    const client = await this.table();
    try {
      await client.deleteEntity(shardOf(key), encodeKey(key), etag === undefined ? {} : { etag });
    } catch (error) {
      const status = statusOf(error);
      if (status === 404) return;
      if (status === 412) throw new ConcurrencyConflictError(TABLE, key, error);
      throw toStoreError(error, TABLE, `delete ${key}`);
    }
  }
}

function toEntity(mailbox: Mailbox): TableEntity {
  const { key, window, ...fields } = mailbox;
  const entity: Record<string, unknown> = {
    partitionKey: shardOf(key),
    rowKey: encodeKey(key),
    ...fields,
    windowStart: window?.start,
    windowEnd: window?.end,
  };
  // Absent fields are left out of the row rather than stored as nulls.
  for (const [name, value] of Object.entries(entity)) if (value === undefined) delete entity[name];
  return entity as TableEntity;
}

function toMailbox(raw: unknown): StoredMailbox {
  const { partitionKey: _pk, rowKey, windowStart, windowEnd, ...fields } = parseEntity(MailboxEntity, raw, TABLE);
  return {
    ...fields,
    key: decodeKey(rowKey),
    window: windowStart !== undefined && windowEnd !== undefined ? { start: windowStart, end: windowEnd } : undefined,
  };
}
