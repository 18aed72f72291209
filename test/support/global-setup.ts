/**
 * Vitest global setup: one in-memory Azurite (Table service) for the whole run, on a free
 * loopback port. Tests reach it with `inject('tablesConnectionString')`, usually through
 * `createTestStore()` (test-store.ts), which gives each test its own tables.
 */
import type { TestProject } from 'vitest/node';
import { startAzurite } from '../../tools/azurite/start-azurite.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection string of the run's Azurite, with `TableEndpoint=` on its free port. */
    tablesConnectionString: string;
  }
}

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite();
  project.provide('tablesConnectionString', azurite.connectionString);
  return () => azurite.close();
}
