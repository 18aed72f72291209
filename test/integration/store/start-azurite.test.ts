import { TableClient } from '@azure/data-tables';
import { describe, expect, it, vi } from 'vitest';
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

  describe('isolated', () => {
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };

    it('when started isolated, then a child process serves tables, and close() waits for it to exit', async () => {
      const azurite = await startAzurite({ isolated: true });
      try {
        expect(azurite.pid).not.toBe(process.pid);
        expect(alive(azurite.pid)).toBe(true);
        expect(azurite.tableEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
        const client = TableClient.fromConnectionString(azurite.connectionString, 'Probe', { allowInsecureConnection: true });
        await client.createTable();
        await client.upsertEntity({ partitionKey: 'p', rowKey: 'r', value: 'x' });
        expect((await client.getEntity('p', 'r')).value).toBe('x');
        const usage = await azurite.usage();
        expect(usage.cpuSeconds).toBeGreaterThan(0);
        expect(usage.rssMb).toBeGreaterThan(0);
      } finally {
        await azurite.close();
      }

      expect(alive(azurite.pid)).toBe(false);
      await azurite.close();
      await expect(fetch(`${azurite.tableEndpoint}/Tables`)).rejects.toThrow();
    });

    it('when the child dies, then the death is reported on stderr, usage() rejects and close() still resolves', async () => {
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        const azurite = await startAzurite({ isolated: true });
        process.kill(azurite.pid, 'SIGKILL');
        await vi.waitFor(() => expect(stderr).toHaveBeenCalledWith(expect.stringContaining(`(pid ${azurite.pid}) exited unexpectedly with signal SIGKILL`)));

        await expect(azurite.usage()).rejects.toThrow(/is not running/);
        await azurite.close();
      } finally {
        stderr.mockRestore();
      }
    });

    it('when the child cannot start, then startAzurite rejects with the reason instead of waiting', async () => {
      const taken = await startAzurite();
      try {
        const port = Number(new URL(taken.tableEndpoint).port);
        await expect(startAzurite({ isolated: true, port })).rejects.toThrow(/could not start: .*EADDRINUSE/);
      } finally {
        await taken.close();
      }
    });
  });
});
