import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/errors/app-error.js';
import { shardOf } from '../../../shared/store/shard.js';
import { isConcurrencyConflict } from '../../../shared/store/concurrency-conflict.js';
import { createTestStore } from '../../support/test-store.js';
import { aMailbox, plantMailboxes } from './mailbox-harness.js';

describe('Mailboxes table', () => {
  it('when a mailbox with every field is upserted, then get returns it as written', async () => {
    const { mailboxes } = createTestStore();
    const full = aMailbox('u-1', {
      stateReason: 'none',
      profile: 'm365',
      provider: 'graph',
      syncToken: 'https://graph.microsoft.com/v1.0/users/x/calendarView/delta?$deltatoken=abc',
      window: { start: '2026-11-24T00:00:00.000Z', end: '2026-12-24T00:00:00.000Z' },
      configHash: 'h1',
      timeZone: 'Europe/Berlin',
      automaticRepliesSince: '2026-11-20T08:00:00.000Z',
      automaticRepliesSeen: 'none',
      lastSyncAt: '2026-11-25T08:00:00.000Z',
      lastSyncMode: 'delta',
      lastError: 'throttled',
      lastErrorAt: '2026-11-25T07:00:00.000Z',
      failures: 2,
      activityCount: 7,
      rosterModifiedAt: '2026-11-01T00:00:00.000Z',
    });

    const etag = await mailboxes.upsert(full);
    const read = await mailboxes.get('u-1');

    expect(read).toEqual({ ...full, etag });
  });

  it('when a mailbox is not there, then get returns undefined and delete succeeds', async () => {
    const { mailboxes } = createTestStore();

    expect(await mailboxes.get('nobody')).toBeUndefined();
    await expect(mailboxes.delete('nobody')).resolves.toBeUndefined();
  });

  it('when an optional field is dropped by an upsert, then it is gone from the row', async () => {
    const { mailboxes } = createTestStore();
    await mailboxes.upsert(aMailbox('u-2', { syncToken: 'token', lastError: 'boom' }));

    await mailboxes.upsert(aMailbox('u-2'));

    const read = await mailboxes.get('u-2');
    expect(read?.syncToken).toBeUndefined();
    expect(read?.lastError).toBeUndefined();
  });

  it('when two writers update from the same read, then the second gets a concurrency conflict and a re-read succeeds', async () => {
    const { mailboxes } = createTestStore();
    await mailboxes.upsert(aMailbox('u-3'));
    const first = (await mailboxes.get('u-3'))!;
    const second = (await mailboxes.get('u-3'))!;

    await mailboxes.update({ ...first, failures: 1 }, first.etag);
    const conflict = await mailboxes.update({ ...second, activityCount: 5 }, second.etag).catch((e: unknown) => e);

    expect(isConcurrencyConflict(conflict)).toBe(true);
    expect(isAppError(conflict) && conflict.kind).toBe('transient');
    const again = (await mailboxes.get('u-3'))!;
    await mailboxes.update({ ...again, activityCount: 5 }, again.etag);
    expect(await mailboxes.get('u-3')).toMatchObject({ failures: 1, activityCount: 5 });
  });

  it('when the mailbox was deleted since it was read, then update is a concurrency conflict', async () => {
    const { mailboxes } = createTestStore();
    await mailboxes.upsert(aMailbox('u-4'));
    const read = (await mailboxes.get('u-4'))!;
    await mailboxes.delete('u-4');

    await expect(mailboxes.update(read, read.etag)).rejects.toSatisfy(isConcurrencyConflict);
  });

  it('when another writer changed the row since it was read, then change applies the transition again to the fresh row', async () => {
    const { mailboxes } = createTestStore();
    await mailboxes.upsert(aMailbox('u-6'));
    const read = (await mailboxes.get('u-6'))!;
    // The roster refresh writes the address meanwhile; the job's transition counts a failure.
    await mailboxes.update({ ...read, address: 'moved@contoso.example' }, read.etag);
    const seen: string[] = [];

    const written = await mailboxes.change('u-6', (m) => (seen.push(m.address), { ...m, failures: m.failures + 1 }), read);

    expect(seen).toEqual([read.address, 'moved@contoso.example']);
    expect(written).toMatchObject({ address: 'moved@contoso.example', failures: 1 });
    expect(await mailboxes.get('u-6')).toEqual(written);
  });

  it('when the row is gone, then change writes nothing and says so', async () => {
    const { mailboxes } = createTestStore();
    await mailboxes.upsert(aMailbox('u-7'));
    const read = (await mailboxes.get('u-7'))!;
    await mailboxes.delete('u-7');

    expect(await mailboxes.change('u-7', (m) => ({ ...m, failures: 9 }), read)).toBeUndefined();
    expect(await mailboxes.change('nobody', (m) => m)).toBeUndefined();
    expect(await mailboxes.get('u-7')).toBeUndefined();
  });

  it('when deleting with a stale ETag, then it is a concurrency conflict and the row stays', async () => {
    const { mailboxes } = createTestStore();
    const stale = await mailboxes.upsert(aMailbox('u-5'));
    await mailboxes.upsert(aMailbox('u-5', { failures: 3 }));

    await expect(mailboxes.delete('u-5', stale)).rejects.toSatisfy(isConcurrencyConflict);
    expect(await mailboxes.get('u-5')).toBeDefined();
  });

  it('when many rows are written at once and one changed since it was read, then the others are written and only its key comes back as a conflict', async () => {
    const { mailboxes } = createTestStore();
    const firstEtag = await mailboxes.upsert(aMailbox('b-0'));
    const staleEtag = await mailboxes.upsert(aMailbox('b-1'));
    await mailboxes.update(aMailbox('b-1', { syncToken: 'newer' }), staleEtag);
    const writes = [
      { mailbox: aMailbox('b-0', { language: 'sv' }), etag: firstEtag },
      { mailbox: aMailbox('b-1', { language: 'sv' }), etag: staleEtag },
      ...Array.from({ length: 300 }, (_, i) => ({ mailbox: aMailbox(`n-${i}`, { language: 'sv' }) })),
    ];

    const { conflicts } = await mailboxes.writeMany(writes);

    expect(conflicts).toEqual(['b-1']);
    expect(await mailboxes.get('b-0')).toMatchObject({ language: 'sv' });
    expect(await mailboxes.get('b-1')).toMatchObject({ language: 'en', syncToken: 'newer' });
    const all = [];
    for await (const m of mailboxes.listAll()) all.push(m);
    expect(all).toHaveLength(302);
    expect(all.filter((m) => m.language === 'sv')).toHaveLength(301);
  });

  it('when summaries are listed, then each mailbox comes with the timers\' fields and its ETag, without the sync job\'s state', async () => {
    const { mailboxes } = createTestStore();
    const plainEtag = await mailboxes.upsert(aMailbox('plain'));
    const syncedEtag = await mailboxes.upsert(
      aMailbox('synced', { state: 'failing', stateReason: 'throttled', profile: 'm365', retryAt: '2026-11-25T09:00:00.000Z', syncToken: 'token', rosterModifiedAt: '2026-11-01T00:00:00.000Z' }),
    );

    const summaries = [];
    for await (const m of mailboxes.listSummaries()) summaries.push(m);

    const roster = { address: expect.any(String), domain: 'example.com', language: 'en', forwardByDefault: false, messageSystem: 1, multiAddress: false };
    expect(summaries.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: 'plain', etag: plainEtag, ...roster, state: 'active' },
      { key: 'synced', etag: syncedEtag, ...roster, state: 'failing', stateReason: 'throttled', rosterModifiedAt: '2026-11-01T00:00:00.000Z', profile: 'm365', retryAt: '2026-11-25T09:00:00.000Z' },
    ]);
    expect(summaries.every((m) => !('syncToken' in m))).toBe(true);
  });

  it('when some fields are merged into a row, then the others stay, and a stale ETag is a conflict', async () => {
    const { mailboxes } = createTestStore();
    const etag = await mailboxes.upsert(aMailbox('m', { syncToken: 'token', stateReason: 'kept' }));

    expect(await mailboxes.writeMany([{ key: 'm', fields: { language: 'sv', state: 'excluded' }, etag }])).toEqual({ conflicts: [] });
    expect(await mailboxes.get('m')).toMatchObject({ language: 'sv', state: 'excluded', syncToken: 'token', stateReason: 'kept' });
    expect(await mailboxes.writeMany([{ key: 'm', fields: { language: 'en' }, etag }])).toEqual({ conflicts: ['m'] });
    expect(await mailboxes.get('m')).toMatchObject({ language: 'sv' });
  });

  it('when a key holds characters Table Storage forbids, then it is stored and read back unchanged', async () => {
    const { mailboxes } = createTestStore();
    const key = "odd/key\\with#?%'!\u0001ü";

    await mailboxes.upsert(aMailbox(key));

    expect((await mailboxes.get(key))?.key).toBe(key);
    expect((await mailboxes.list()).items.map((m) => m.key)).toEqual([key]);
  });

  it('when there are more than 1000 mailboxes, then list pages with a continuation token and listAll returns them all', async () => {
    const store = createTestStore();
    const keys = Array.from({ length: 1234 }, (_, i) => `user-${i}`);
    await plantMailboxes(store, keys.map((key) => aMailbox(key)));

    const first = await store.mailboxes.list();
    const all: string[] = [];
    for await (const mailbox of store.mailboxes.listAll()) all.push(mailbox.key);

    expect(first.items).toHaveLength(1000);
    expect(first.continuationToken).toBeDefined();
    const second = await store.mailboxes.list({ continuationToken: first.continuationToken });
    expect(second.items).toHaveLength(234);
    expect(second.continuationToken).toBeUndefined();
    expect(all.sort()).toEqual([...keys].sort());
  });

  it('when listing by state with a small page size, then only that state comes back, page by page', async () => {
    const { mailboxes } = createTestStore();
    for (let i = 0; i < 7; i++) await mailboxes.upsert(aMailbox(`a-${i}`, { state: i % 2 === 0 ? 'failing' : 'active' }));

    const page = await mailboxes.list({ state: 'failing', pageSize: 3 });
    const failing: string[] = [];
    for await (const mailbox of mailboxes.listAll({ state: 'failing', pageSize: 3 })) failing.push(mailbox.key);

    expect(page.items).toHaveLength(3);
    expect(page.continuationToken).toBeDefined();
    expect(failing.sort()).toEqual(['a-0', 'a-2', 'a-4', 'a-6']);
  });

  it('when a row does not fit the schema, then reading it is a permanent invalid-entity error naming the field', async () => {
    const store = createTestStore();
    await store.mailboxes.upsert(aMailbox('u-6'));
    const raw = TableClient.fromConnectionString(store.connectionString, `${store.tablePrefix}Mailboxes`, {
      allowInsecureConnection: true,
    });
    await raw.updateEntity({ partitionKey: shardOf('u-6'), rowKey: 'u-6', state: 'sleeping', failures: 'many' }, 'Merge');

    const error = await store.mailboxes.get('u-6').catch((e: unknown) => e);

    expect(isAppError(error) && { kind: error.kind, code: error.code }).toEqual({ kind: 'permanent', code: 'invalid-entity' });
    expect((error as Error).message).toMatch(/state/);
    expect((error as Error).message).toMatch(/failures/);
    expect((error as Error).message).not.toMatch(/sleeping|many/);
  });
});
