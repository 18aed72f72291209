/**
 * The process-wide dependencies the functions run with. In Azure they are built once, on first
 * use, from the app settings (invalid settings fail that first invocation with a message naming
 * each bad setting). The dev host and the tests install their own with `useDeps`.
 */
import { loadConfig } from '../config/config.js';
import type { SyncDeps } from '../sync/sync-deps.js';
import { createDeps } from './create-deps.js';

let current: Promise<SyncDeps> | undefined;
let built: SyncDeps | undefined;

export function getDeps(): Promise<SyncDeps> {
  current ??= Promise.resolve()
    .then(() => createDeps(loadConfig(process.env)))
    .then((deps) => (built = deps));
  return current;
}

/** Installs the dependencies every function uses from now on (dev host, tests). */
export function useDeps(deps: SyncDeps): void {
  current = Promise.resolve(deps);
  built = deps;
}

/**
 * The dependencies if something already built them, without building them: for work that must
 * not depend on the settings (counting a webhook answer given before any lookup).
 */
export function builtDeps(): SyncDeps | undefined {
  return built;
}
