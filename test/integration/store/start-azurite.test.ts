import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { startAzurite } from '../../../tools/azurite/start-azurite.js';

describe('startAzurite', () => {
  it('when two are started, then each listens on its own free loopback port and serves tables from memory', async () => {
    const [one, two] = await Promise.all([startAzurite(), startAzurite()]);
    try {
      expect(one.tableEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
      expect(one.tableEndpoint).not.toBe(two.tableEndpoint);
      expect(one.connectionString).toContain(`TableEndpoint=${one.tableEndpoint};`);
      expect(one.connectionString).not.toContain('UseDevelopmentStorage');

      const client = TableClient.fromConnectionString(one.connectionString, 'Probe', { allowInsecureConnection: true });
      await client.createTable();
      await client.upsertEntity({ partitionKey: 'p', rowKey: 'r', value: 'x' });
      const other = TableClient.fromConnectionString(two.connectionString, 'Probe', { allowInsecureConnection: true });
      await other.createTable();

      expect((await client.getEntity('p', 'r')).value).toBe('x');
      await expect(other.getEntity('p', 'r')).rejects.toMatchObject({ statusCode: 404 });
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('when closed, then its port no longer answers and closing again is harmless', async () => {
    const azurite = await startAzurite();
    await azurite.close();
    await azurite.close();

    await expect(fetch(`${azurite.tableEndpoint}/Tables`)).rejects.toThrow();
  });
});
