import { TableServiceClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { createTableStore } from '../../../shared/store/table-store.js';
import { tablesConnectionString, uniqueTablePrefix } from '../../support/test-store.js';
import { aMailbox } from './mailbox-harness.js';

describe('table creation', () => {
  it('when a store is first used, then its table is created; a second store on the same tables finds it', async () => {
    const connectionString = tablesConnectionString();
    const tablePrefix = uniqueTablePrefix();
    const service = TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true });

    await createTableStore({ connectionString }, { tablePrefix }).mailboxes.upsert(aMailbox('u-1'));
    const again = await createTableStore({ connectionString }, { tablePrefix }).mailboxes.get('u-1');

    const tables: string[] = [];
    for await (const table of service.listTables({ queryOptions: { filter: `TableName ge '${tablePrefix}' and TableName lt '${tablePrefix}~'` } })) {
      tables.push(table.name ?? '');
    }
    expect(tables).toEqual([`${tablePrefix}Mailboxes`]);
    expect(again?.key).toBe('u-1');
  });

  it('when the table exists already (created by someone else), then the first use succeeds', async () => {
    const connectionString = tablesConnectionString();
    const tablePrefix = uniqueTablePrefix();
    const service = TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true });
    await service.createTable(`${tablePrefix}State`);

    await expect(createTableStore({ connectionString }, { tablePrefix }).state.set('roster', 'x', 'y')).resolves.toBeTypeOf('string');
  });

  it('when the table prefix makes an invalid table name, then the store refuses to start', () => {
    expect(() => createTableStore({ connectionString: tablesConnectionString() }, { tablePrefix: 'bad-prefix' })).toThrow(/Invalid table name/);
  });
});
