import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import type { SeriesMaster } from '../../../shared/domain/calendar-event.js';
import { isAppError } from '../../../shared/errors/app-error.js';
import { createTestStore } from '../../support/test-store.js';

const aMaster = (id: string, overrides: Partial<SeriesMaster> = {}): SeriesMaster => ({
  id,
  changeKey: `ck-${id}`,
  fields: { subject: `Series ${id}`, showAs: 'busy', categories: ['Meeting'], location: { displayName: 'Room Ada' }, isAllDay: false },
  ...overrides,
});
const byId = (a: SeriesMaster, b: SeriesMaster) => a.id.localeCompare(b.id);

describe('SeriesMasters table', () => {
  it('when masters are remembered for two mailboxes, then each mailbox recalls only its own, fields intact', async () => {
    const { seriesMasters } = createTestStore();
    await seriesMasters.put('u-1', [aMaster('AAMk/1='), aMaster('AAMk#2=')]);
    await seriesMasters.put('u-2', [aMaster('AAMk3=')]);

    expect((await seriesMasters.listForMailbox('u-1')).sort(byId)).toEqual([aMaster('AAMk/1='), aMaster('AAMk#2=')].sort(byId));
    expect(await seriesMasters.listForMailbox('u-2')).toEqual([aMaster('AAMk3=')]);
  });

  it('when a master is remembered again, then it replaces the earlier one; one without a change key keeps none', async () => {
    const { seriesMasters } = createTestStore();
    await seriesMasters.put('u-1', [aMaster('m')]);
    await seriesMasters.put('u-1', [aMaster('m', { changeKey: undefined, fields: { subject: 'Renamed', showAs: 'free' } })]);

    expect(await seriesMasters.listForMailbox('u-1')).toEqual([{ id: 'm', changeKey: undefined, fields: { subject: 'Renamed', showAs: 'free' } }]);
  });

  it('when more than a transaction’s worth are remembered and some forgotten, including unknown ids, then the rest stay', async () => {
    const { seriesMasters } = createTestStore();
    const many = Array.from({ length: 130 }, (_, n) => aMaster(`m${n}`));
    await seriesMasters.put('u-1', many);

    await seriesMasters.delete('u-1', ['m0', 'm1', 'never-there']);

    expect((await seriesMasters.listForMailbox('u-1')).map((m) => m.id).sort()).toEqual(many.slice(2).map((m) => m.id).sort());
  });

  it('when a row does not hold JSON fields, then recalling is a permanent invalid-entity error', async () => {
    const store = createTestStore();
    await store.seriesMasters.put('u-1', [aMaster('m')]);
    const raw = TableClient.fromConnectionString(store.connectionString, `${store.tablePrefix}SeriesMasters`, { allowInsecureConnection: true });
    await raw.upsertEntity({ partitionKey: 'u-1', rowKey: 'broken', fields: 'not json' }, 'Replace');

    const error = await store.seriesMasters.listForMailbox('u-1').catch((e: unknown) => e);

    expect(isAppError(error) && error.code).toBe('invalid-entity');
  });
});
