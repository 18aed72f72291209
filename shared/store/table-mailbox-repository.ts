import { odata, type TableClient, type TableEntity, type TransactionAction } from '@azure/data-tables';
import { z } from 'zod';
import { permanentError } from '../errors/app-error.js';
import { MAILBOX_STATES, type Mailbox } from '../domain/mailbox.js';
import type { ListMailboxesOptions, MailboxPage, MailboxQuery, MailboxQueryPage, MailboxRepository, MailboxSummary, MailboxWrite, StoredMailbox } from './mailbox-repository.js';
import { parseEntity } from './parse-entity.js';
import { SHARD_COUNT, shardOf } from './shard.js';
import { ConcurrencyConflictError } from './concurrency-conflict.js';
import { requireEtag, statusOf, toStoreError } from './table-errors.js';
import { decodeKey, encodeKey } from './table-key.js';
import type { TableGetter } from './table-connection.js';

const TABLE = 'Mailboxes';
/** Table Storage returns at most 1000 entities per page. */
const MAX_PAGE = 1000;
/** Rows in one entity group transaction, all of one partition (Table Storage's limit). */
const MAX_TRANSACTION = 100;
/** Table Storage keys are at most 1 KiB; an escaped key is ASCII, one byte per character. */
const MAX_KEY = 1024;
/** Writes of one change before giving up: each conflict means another writer just wrote the row. */
const CHANGE_ATTEMPTS = 5;
/**
 * Table requests one query call may make. Each request moves the search on (a shard, a page),
 * so a search that matches little still ends; when it stops here, the cursor says where.
 */
const MAX_REQUESTS_PER_QUERY = 40;

/**
 * Where a query stopped: the shard (0..SHARD_COUNT-1), the last RowKey already seen in it, and
 * Table Storage's own token when the stop fell on the end of one of its pages.
 */
const QueryCursor = z.object({
  s: z.number().int().min(0).max(SHARD_COUNT - 1),
  a: z.string().min(1).optional(),
  t: z.string().min(1).optional(),
});
type QueryCursor = z.infer<typeof QueryCursor>;

const encodeCursor = (cursor: QueryCursor): string => Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');

function decodeCursor(text: string | undefined): QueryCursor {
  if (text === undefined) return { s: 0 };
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    raw = undefined;
  }
  const parsed = QueryCursor.safeParse(raw);
  if (!parsed.success) throw permanentError('the continuation token is not one this API gave', 'invalid-cursor');
  return parsed.data;
}

/** The smallest string greater than every string starting with `prefix` (an exclusive upper bound). */
function prefixEnd(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return last === 0xffff ? `${prefix}\uffff` : prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

/** The query's filters the table evaluates itself (so unmatched rows never leave the service). */
function tableFilters(query: MailboxQuery): string[] {
  const filters: string[] = [];
  if (query.state !== undefined) filters.push(odata`state eq ${query.state}`);
  if (query.profile !== undefined) filters.push(odata`profile eq ${query.profile}`);
  if (query.addressPrefix) filters.push(odata`address ge ${query.addressPrefix} and address lt ${prefixEnd(query.addressPrefix)}`);
  return filters;
}

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
  provider: z.enum(['graph', 'google', 'exchange']).optional(),
  syncToken: optional,
  windowStart: optional,
  windowEnd: optional,
  configHash: optional,
  directoryId: optional,
  directoryIdAddress: optional,
  timeZone: optional,
  automaticRepliesSince: optional,
  automaticRepliesSeen: optional,
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


// A property named in $select that a row lacks may come back as null.
const absent = z.string().nullish().transform((v) => v ?? undefined);
const SummaryEntity = MailboxEntity.pick({
  rowKey: true,
  etag: true,
  address: true,
  domain: true,
  language: true,
  forwardByDefault: true,
  messageSystem: true,
  state: true,
  multiAddress: true,
}).extend({ stateReason: absent, rosterModifiedAt: absent, profile: absent, retryAt: absent, lastSyncAt: absent });
const SUMMARY_COLUMNS = ['RowKey', ...Object.keys(SummaryEntity.shape).filter((name) => name !== 'rowKey' && name !== 'etag')];

export class TableMailboxRepository implements MailboxRepository {
  constructor(private readonly table: TableGetter) {}

  fitsKey(key: string): boolean {
    return encodeKey(key).length <= MAX_KEY;
  }

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

  async query(query: MailboxQuery): Promise<MailboxQueryPage> {
    const client = await this.table();
    const needle = query.contains?.toLowerCase();
    const matches = (m: StoredMailbox): boolean => needle === undefined || m.address.includes(needle) || m.key.toLowerCase().includes(needle);
    const filters = tableFilters(query);
    const items: StoredMailbox[] = [];
    let scanned = 0;
    let cursor: QueryCursor | undefined = decodeCursor(query.cursor);
    try {
      for (let requests = 0; cursor !== undefined && requests < MAX_REQUESTS_PER_QUERY; requests++) {
        if (items.length >= query.pageSize || (needle !== undefined && scanned >= query.scanLimit)) break;
        const { s, a, t }: QueryCursor = cursor;
        const filter = [odata`PartitionKey eq ${String(s).padStart(2, '0')}`, ...(a === undefined ? [] : [odata`RowKey gt ${a}`]), ...filters].join(' and ');
        // Without a substring the table filters everything: ask for what the page still needs.
        // With one, every row read is tested here: ask for what the scan budget still allows.
        const want = Math.min(MAX_PAGE, needle === undefined ? query.pageSize - items.length : query.scanLimit - scanned);
        const { rows, token } = await readPage(client, filter, want, t);
        const afterShard = (): QueryCursor | undefined => (s + 1 < SHARD_COUNT ? { s: s + 1 } : undefined);
        cursor = token === undefined ? afterShard() : { s, ...(a === undefined ? {} : { a }), t: token };
        for (const [index, row] of rows.entries()) {
          scanned++;
          const mailbox = toMailbox(row);
          if (matches(mailbox)) items.push(mailbox);
          if (items.length >= query.pageSize && index < rows.length - 1) {
            // The page is full before the table's page ends: resume right after this row.
            cursor = { s, a: encodeKey(mailbox.key) };
            break;
          }
        }
      }
    } catch (error) {
      throw toStoreError(error, TABLE, 'query');
    }
    return { items, cursor: cursor === undefined ? undefined : encodeCursor(cursor), scanned };
  }

  async *listAll(options: Omit<ListMailboxesOptions, 'continuationToken'> = {}): AsyncIterable<StoredMailbox> {
    let continuationToken: string | undefined;
    do {
      const page = await this.list({ ...options, continuationToken });
      yield* page.items;
      continuationToken = page.continuationToken;
    } while (continuationToken !== undefined);
  }

  async *listSummaries(): AsyncIterable<MailboxSummary> {
    const client = await this.table();
    try {
      for await (const page of client.listEntities({ queryOptions: { select: SUMMARY_COLUMNS } }).byPage({ maxPageSize: MAX_PAGE })) {
        yield* page.map(toSummary);
      }
    } catch (error) {
      throw toStoreError(error, TABLE, 'list summaries');
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

  async change(key: string, transition: (mailbox: Mailbox) => Mailbox, read?: StoredMailbox): Promise<StoredMailbox | undefined> {
    let current = read ?? (await this.get(key));
    for (let attempt = 0; attempt < CHANGE_ATTEMPTS && current; attempt += 1) {
      const { etag, ...row } = current;
      const next = transition(row);
      try {
        return { ...next, etag: await this.update(next, etag) };
      } catch (error) {
        if (!(error instanceof ConcurrencyConflictError)) throw error;
        current = await this.get(key);
      }
    }
    if (current) throw new Error(`Mailbox ${key} kept changing under its writers`);
    return undefined;
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

  async writeMany(writes: readonly MailboxWrite[]): Promise<{ readonly conflicts: readonly string[] }> {
    const client = await this.table();
    const byShard = new Map<string, MailboxWrite[]>();
    for (const write of writes) {
      const shard = shardOf(keyOf(write));
      const list = byShard.get(shard);
      if (list) list.push(write);
      else byShard.set(shard, [write]);
    }
    const conflicts: string[] = [];
    // The shards in parallel (at most SHARD_COUNT requests at once), each shard's chunks in turn.
    await Promise.all(
      [...byShard].map(async ([shard, shardWrites]) => {
        for (let i = 0; i < shardWrites.length; i += MAX_TRANSACTION) {
          conflicts.push(...(await this.transact(client, shard, shardWrites.slice(i, i + MAX_TRANSACTION))));
        }
      }),
    );
    return { conflicts };
  }

  /** One transaction; when a row in it changed since read (the whole transaction fails), row by row. */
  private async transact(client: TableClient, shard: string, writes: readonly MailboxWrite[]): Promise<string[]> {
    const actions: TransactionAction[] = writes.map((write) => {
      if (!('mailbox' in write)) return ['update', toMergeEntity(write.key, write.fields), 'Merge', { etag: write.etag }];
      return write.etag === undefined ? ['upsert', toEntity(write.mailbox), 'Replace'] : ['update', toEntity(write.mailbox), 'Replace', { etag: write.etag }];
    });
    try {
      await client.submitTransaction(actions);
      return [];
    } catch (error) {
      const status = statusOf(error);
      if (status !== 412 && status !== 404) throw toStoreError(error, TABLE, `write batch in ${shard}`);
    }
    const conflicts: string[] = [];
    for (const write of writes) {
      try {
        if (!('mailbox' in write)) await this.merge(client, write.key, write.fields, write.etag);
        else if (write.etag === undefined) await this.upsert(write.mailbox);
        else await this.update(write.mailbox, write.etag);
      } catch (error) {
        if (!(error instanceof ConcurrencyConflictError)) throw error;
        conflicts.push(keyOf(write));
      }
    }
    return conflicts;
  }

  private async merge(client: TableClient, key: string, fields: Partial<Mailbox>, etag: string): Promise<void> {
    try {
      await client.updateEntity(toMergeEntity(key, fields), 'Merge', { etag });
    } catch (error) {
      const status = statusOf(error);
      if (status === 412 || status === 404) throw new ConcurrencyConflictError(TABLE, key, error);
      throw toStoreError(error, TABLE, `merge ${key}`);
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

/** One page of Table Storage's answer to `filter`: its rows, and its token when more follow. */
async function readPage(client: TableClient, filter: string, maxPageSize: number, continuationToken: string | undefined): Promise<{ rows: unknown[]; token: string | undefined }> {
  const pages = client.listEntities({ queryOptions: { filter } }).byPage({ maxPageSize, ...(continuationToken === undefined ? {} : { continuationToken }) });
  const next = await pages.next();
  if (next.done) return { rows: [], token: undefined };
  return { rows: next.value, token: next.value.continuationToken || undefined };
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

const keyOf = (write: MailboxWrite): string => ('mailbox' in write ? write.mailbox.key : write.key);

/** The given fields of a row only: Merge leaves the others as they are. */
function toMergeEntity(key: string, fields: Partial<Omit<Mailbox, 'key'>>): TableEntity {
  const entity: Record<string, unknown> = { partitionKey: shardOf(key), rowKey: encodeKey(key) };
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) throw new RangeError(`Merge cannot remove ${name} of ${key}: replace the whole row`);
    entity[name] = value;
  }
  return entity as TableEntity;
}

function toSummary(raw: unknown): MailboxSummary {
  const { rowKey, ...fields } = parseEntity(SummaryEntity, raw, TABLE);
  return { ...fields, key: decodeKey(rowKey) };
}

function toMailbox(raw: unknown): StoredMailbox {
  const { partitionKey: _pk, rowKey, windowStart, windowEnd, ...fields } = parseEntity(MailboxEntity, raw, TABLE);
  return {
    ...fields,
    key: decodeKey(rowKey),
    window: windowStart !== undefined && windowEnd !== undefined ? { start: windowStart, end: windowEnd } : undefined,
  };
}
