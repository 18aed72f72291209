/**
 * A connection profile's circuit (domain/circuit.ts has its rules), kept as one State row per
 * profile (scope `circuit`), written with its ETag so instances agree; reads are cached briefly
 * so a healthy job costs no extra table read most of the time.
 */
import { CLOSED, CircuitState, circuitView, probeClaimed, refusalRecorded, succeeded, type CircuitView } from '../../domain/circuit.js';
import { isConcurrencyConflict } from '../../store/concurrency-conflict.js';
import type { StateRepository } from '../../store/state-repository.js';
import type { SyncDeps } from '../sync-deps.js';

const SCOPE = 'circuit';
/** How long a read circuit state is trusted before the row is read again. */
const CACHE_MS = 5_000;

const cache = new WeakMap<StateRepository, Map<string, { at: number; row: CircuitState; etag: string | undefined }>>();

function cacheOf(deps: SyncDeps): Map<string, { at: number; row: CircuitState; etag: string | undefined }> {
  let entries = cache.get(deps.store.state);
  if (!entries) {
    entries = new Map();
    cache.set(deps.store.state, entries);
  }
  return entries;
}

async function read(deps: SyncDeps, profile: string, fresh = false): Promise<{ row: CircuitState; etag: string | undefined }> {
  const now = deps.now().getTime();
  const cached = cacheOf(deps).get(profile);
  if (!fresh && cached && Math.abs(now - cached.at) < CACHE_MS) return cached;
  const stored = await deps.store.state.get(SCOPE, profile);
  let row = CLOSED;
  if (stored) {
    const parsed = CircuitState.safeParse(safeJson(stored.value));
    // A row we cannot read is treated as a closed circuit: the next refusal rewrites it.
    if (parsed.success) row = parsed.data;
  }
  const entry = { at: now, row, etag: stored?.etag };
  keep(deps, profile, entry);
  return entry;
}

/** Caches what was read or written, and reports it as the profile's `calsync.circuits.open` reading. */
function keep(deps: SyncDeps, profile: string, entry: { at: number; row: CircuitState; etag: string | undefined }): void {
  cacheOf(deps).set(profile, entry);
  deps.telemetry.gauge('openCircuits', entry.row.openedAt === undefined ? 0 : 1, { profile });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Changes the row with its ETag, re-reading on a conflict; returns the row written (or kept). */
async function change(deps: SyncDeps, profile: string, update: (row: CircuitState) => CircuitState | undefined): Promise<CircuitState> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const { row, etag } = await read(deps, profile, true);
    const next = update(row);
    if (next === undefined) return row;
    try {
      const written = await deps.store.state.set(SCOPE, profile, JSON.stringify(next), etag);
      keep(deps, profile, { at: deps.now().getTime(), row: next, etag: written });
      return next;
    } catch (error) {
      if (!isConcurrencyConflict(error)) throw error;
    }
  }
  throw new Error(`circuit of profile ${profile} kept changing`);
}

export async function circuitOf(deps: SyncDeps, profile: string): Promise<CircuitView> {
  return circuitView((await read(deps, profile)).row, deps.now().getTime());
}

/** Claims the next probe of an open circuit; false when another job has it or none is due. */
export async function claimProbe(deps: SyncDeps, profile: string): Promise<boolean> {
  const now = deps.now().getTime();
  let claimed = false;
  try {
    await change(deps, profile, (row) => {
      const next = probeClaimed(row, now, deps.config.sync);
      claimed = next !== undefined;
      return next;
    });
  } catch {
    return false;
  }
  return claimed;
}

/** Records a refusal of one mailbox; opens the circuit when enough mailboxes were refused alike. */
export async function recordRefusal(deps: SyncDeps, profile: string, mailbox: string, code: string): Promise<CircuitView> {
  const now = deps.now().getTime();
  const row = await change(deps, profile, (row) => {
    const next = refusalRecorded(row, { mailbox, code }, now, deps.config.sync);
    if (next?.openedAt !== undefined) deps.logger.error('circuit.opened', { profile, code, mailboxes: new Set(next.refusals.filter((r) => r.code === code).map((r) => r.mailbox)).size });
    return next;
  });
  return circuitView(row, now);
}

/** The profile served a mailbox: forget its refusals, close the circuit. */
export async function recordSuccess(deps: SyncDeps, profile: string): Promise<void> {
  if (!(await circuitOf(deps, profile)).dirty) return;
  await change(deps, profile, (row) => {
    const next = succeeded(row);
    if (next && row.openedAt !== undefined) deps.logger.info('circuit.closed', { profile, openedAt: row.openedAt });
    return next;
  });
}
