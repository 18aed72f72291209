import { TableClient, type TransactionAction } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/errors/app-error.js';
import { TableActivityRepository } from '../../../shared/store/table-activity-repository.js';
import { tableGetter } from '../../../shared/store/table-connection.js';
import { encodeKey } from '../../../shared/store/table-key.js';
import { createTestStore, tablesConnectionString, uniqueTablePrefix } from '../../support/test-store.js';
import type { StoredActivity } from '../../../shared/store/activity-repository.js';

const anActivity = (externalId: string, overrides: Partial<StoredActivity> = {}): StoredActivity => ({
  externalId,
  hash: `hash-${externalId}`,
  sourceEventId: `event-${externalId}`,
  code: 'MEETING',
  start: '2026-11-25T09:00:00+01:00',
  end: '2026-11-25T10:00:00+01:00',
  acknowledgedAt: '2026-11-25T08:00:00.000Z',
  ...overrides,
});

describe('Activities table', () => {
  it('when activities are put for two mailboxes, then each list holds only its own', async () => {
    const { activities } = createTestStore();
    await activities.put('u-1', anActivity('a'));
    await activities.put('u-1', anActivity('b'));
    await activities.put('u-2', anActivity('c'));

    const listed = await activities.listForMailbox('u-1');

    expect(listed.sort((x, y) => x.externalId.localeCompare(y.externalId))).toEqual([anActivity('a'), anActivity('b')]);
  });

  it('when an activity is put again, then it replaces the earlier record', async () => {
    const { activities } = createTestStore();
    await activities.put('u-1', anActivity('a'));

    await activities.put('u-1', anActivity('a', { hash: 'new', code: 'OUT' }));

    expect(await activities.listForMailbox('u-1')).toEqual([anActivity('a', { hash: 'new', code: 'OUT' })]);
  });

  it('when externalIds hold / \\ # ? and control characters, then they round-trip and can be deleted', async () => {
    const { activities } = createTestStore();
    const odd = ['a/b', 'c\\d', 'e#f', 'g?h', 'tab\there', 'pct%41', 'bang!21', "quote'", 'ünï'];
    for (const id of odd) await activities.put('mailbox/1', anActivity(id));

    const listed = (await activities.listForMailbox('mailbox/1')).map((a) => a.externalId);
    await activities.delete('mailbox/1', 'a/b');

    expect(listed.sort()).toEqual([...odd].sort());
    expect((await activities.listForMailbox('mailbox/1')).map((a) => a.externalId)).not.toContain('a/b');
  });

  it('when one activity is read by key, then it is that mailbox\'s row, and a missing one is undefined', async () => {
    const { activities } = createTestStore();
    await activities.put('u-1', anActivity('a/b'));
    await activities.put('u-2', anActivity('c'));

    expect(await activities.get('u-1', 'a/b')).toEqual(anActivity('a/b'));
    expect(await activities.get('u-1', 'c')).toBeUndefined();
    expect(await activities.get('u-3', 'a/b')).toBeUndefined();
  });

  it('when deleting an activity that is not there, then it succeeds', async () => {
    const { activities } = createTestStore();

    await expect(activities.delete('u-1', 'never-was')).resolves.toBeUndefined();
  });

  it('when a mailbox holds more than 1000 activities, then list returns all of them and deleteAll removes them in batches', async () => {
    const store = createTestStore();
    const ids = Array.from({ length: 1150 }, (_, i) => `ext-${String(i).padStart(4, '0')}`);
    await plantActivities(store.connectionString, `${store.tablePrefix}Activities`, 'big', ids);
    await store.activities.put('other', anActivity('keep'));

    const listed = await store.activities.listForMailbox('big');
    const deleted = await store.activities.deleteAllForMailbox('big');

    expect(listed.map((a) => a.externalId).sort()).toEqual(ids);
    expect(deleted).toBe(1150);
    expect(await store.activities.listForMailbox('big')).toEqual([]);
    expect(await store.activities.listForMailbox('other')).toHaveLength(1);
  });

  it('when a row vanishes between listing and the batch delete, then deleteAll still removes the rest', async () => {
    const connectionString = tablesConnectionString();
    const prefix = uniqueTablePrefix();
    const getTable = tableGetter({ connectionString }, 'Activities', { tablePrefix: prefix });
    // Another writer deletes one row just before the first transaction is submitted.
    const racing = async (): Promise<TableClient> => {
      const client = await getTable();
      return new Proxy(client, {
        get(target, property, receiver) {
          if (property !== 'submitTransaction') return Reflect.get(target, property, receiver) as unknown;
          return async (actions: TransactionAction[]) => {
            await target.deleteEntity('m', 'x-1');
            return target.submitTransaction(actions);
          };
        },
      });
    };
    const activities = new TableActivityRepository(racing);
    for (const id of ['x-1', 'x-2', 'x-3']) await activities.put('m', anActivity(id));

    await activities.deleteAllForMailbox('m');

    expect(await activities.listForMailbox('m')).toEqual([]);
  });

  it('when many rows are written at once, then they are puts and deletes as one by one, in one request per 100 rows', async () => {
    const connectionString = tablesConnectionString();
    const getTable = tableGetter({ connectionString }, 'Activities', { tablePrefix: uniqueTablePrefix() });
    let transactions = 0;
    const counting = async (): Promise<TableClient> => {
      const client = await getTable();
      return new Proxy(client, {
        get(target, property, receiver) {
          if (property !== 'submitTransaction') return Reflect.get(target, property, receiver) as unknown;
          return (actions: TransactionAction[]) => {
            transactions += 1;
            return target.submitTransaction(actions);
          };
        },
      });
    };
    const activities = new TableActivityRepository(counting);
    await activities.put('m/1', anActivity('old-1'));
    await activities.put('m/1', anActivity('old-2', { rejected: 'invalid_activity' }));
    const fresh = Array.from({ length: 149 }, (_, i) => anActivity(`new-${String(i).padStart(3, '0')}`));

    await activities.writeAll('m/1', { put: [...fresh, anActivity('old-2', { hash: 'now-accepted' })], forget: ['old-1', 'never-was'] });

    const listed = (await activities.listForMailbox('m/1')).sort((x, y) => x.externalId.localeCompare(y.externalId));
    expect(listed).toEqual([...fresh, anActivity('old-2', { hash: 'now-accepted' })]);
    // 152 rows: two transactions; the one holding 'never-was' fails whole (404) and is written row by row.
    expect(transactions).toBe(2);
  });

  it('when a row does not fit the schema, then listing is a permanent invalid-entity error', async () => {
    const store = createTestStore();
    await store.activities.put('u-1', anActivity('a'));
    const raw = TableClient.fromConnectionString(store.connectionString, `${store.tablePrefix}Activities`, {
      allowInsecureConnection: true,
    });
    await raw.upsertEntity({ partitionKey: 'u-1', rowKey: 'broken', hash: 42 }, 'Replace');

    const error = await store.activities.listForMailbox('u-1').catch((e: unknown) => e);

    expect(isAppError(error) && error.code).toBe('invalid-entity');
  });
});

describe('Activities table: series of occurrences', () => {
  it('when activities record their series, then they round-trip and are found by series, only in their mailbox', async () => {
    const { activities } = createTestStore();
    // More series than one filter can name (15 comparisons at most).
    const series = Array.from({ length: 20 }, (_, n) => `series/${n}`);
    for (const [n, id] of series.entries()) await activities.put('u-1', anActivity(`occ-${n}`, { seriesId: id }));
    await activities.put('u-1', anActivity('single'));
    await activities.put('u-2', anActivity('elsewhere', { seriesId: series[0] }));

    const found = await activities.listForSeries('u-1', series);

    expect(found.map((a) => a.externalId).sort()).toEqual(series.map((_, n) => `occ-${n}`).sort());
    expect(await activities.get('u-1', 'occ-3')).toEqual(anActivity('occ-3', { seriesId: 'series/3' }));
    expect(await activities.listForSeries('u-1', [])).toEqual([]);
  });

  it('when a row was written before series were recorded, then it reads without a series', async () => {
    const store = createTestStore();
    await plantActivities(store.connectionString, `${store.tablePrefix}Activities`, 'u-1', ['old']);

    expect(await store.activities.listForMailbox('u-1')).toEqual([anActivity('old')]);
    expect((await store.activities.get('u-1', 'old'))?.seriesId).toBeUndefined();
  });
});

async function plantActivities(connectionString: string, table: string, mailboxKey: string, ids: string[]): Promise<void> {
  const client = TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true });
  await client.createTable();
  for (let i = 0; i < ids.length; i += 100) {
    const actions: TransactionAction[] = ids.slice(i, i + 100).map((id) => {
      const { externalId: _id, ...fields } = anActivity(id);
      return ['create', { partitionKey: encodeKey(mailboxKey), rowKey: encodeKey(id), ...fields }];
    });
    await client.submitTransaction(actions);
  }
}
