/** Admin "check connections": CMG's check operation and each profile's credentials, reported per system. */
import { toAppError } from '../errors/app-error.js';
import type { SyncDeps } from '../sync/sync-deps.js';

export interface ConnectionCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly error?: string;
}

export async function checkConnections(deps: SyncDeps): Promise<ConnectionCheck[]> {
  const probe = async (name: string, run: () => Promise<unknown>): Promise<ConnectionCheck> => {
    try {
      await run();
      return { name, ok: true };
    } catch (error) {
      const appError = toAppError(error);
      deps.logger.warn('admin.check-failed', { system: name, code: appError.code, error: appError.message });
      return { name, ok: false, error: appError.message };
    }
  };
  return Promise.all([
    probe('CMG', () => deps.cmg.check()),
    ...deps.providers.all().map((p) => probe(`${p.profileName} (${p.kind})`, () => p.checkConnection())),
  ]);
}
