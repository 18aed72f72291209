/**
 * A store on the run's Azurite whose tables no other test uses: every call picks a fresh
 * table-name prefix, so test files running in parallel never see each other's rows and no
 * test needs to clean up.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { Store } from '../../shared/store/store.js';
import { createTableStore } from '../../shared/store/table-store.js';

export interface TestStore extends Store {
  /** Where the tables are, to open them directly (e.g. to plant a corrupted row). */
  readonly connectionString: string;
  /** The prefix of this store's table names; the table is `${tablePrefix}Mailboxes` etc. */
  readonly tablePrefix: string;
}

export function tablesConnectionString(): string {
  return inject('tablesConnectionString');
}

export function uniqueTablePrefix(): string {
  // Table names start with a letter and hold letters and digits only.
  return `t${randomBytes(5).toString('hex')}`;
}

export function createTestStore(): TestStore {
  const connectionString = tablesConnectionString();
  const tablePrefix = uniqueTablePrefix();
  return { ...createTableStore({ connectionString }, { tablePrefix }), connectionString, tablePrefix };
}
