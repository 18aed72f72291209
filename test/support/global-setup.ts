/**
 * Vitest global setup:
 * - the build, once: the tests that start processes as users and Azure do (the dev host, a cold
 *   start) run the compiled dist/, and no two test files may compile it at the same time;
 * - one in-memory Azurite (Table service) for the whole run, on a free loopback port. Tests reach
 *   it with `inject('tablesConnectionString')`, usually through `createTestStore()`
 *   (test-store.ts), which gives each test its own tables.
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startAzurite } from '../../tools/azurite/start-azurite.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection string of the run's Azurite, with `TableEndpoint=` on its free port. */
    tablesConnectionString: string;
  }
}

const ROOT = resolve(import.meta.dirname, '..', '..');

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  // As `npm run build` does: tsc, then the admin page's files beside the compiled module.
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'pipe' });
  execFileSync(process.execPath, [join(ROOT, 'dist', 'tools', 'build', 'copy-admin-page.js')], { cwd: ROOT, stdio: 'pipe' });
  const azurite = await startAzurite();
  project.provide('tablesConnectionString', azurite.connectionString);
  return () => azurite.close();
}
