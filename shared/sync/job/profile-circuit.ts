/**
 * One circuit per connection profile (ARCHITECTURE.md "Failure containment": a refusal is not
 * evidence). When CIRCUIT_REFUSALS mailboxes of one profile are refused alike (same error code)
 * within CIRCUIT_WINDOW, the fault is the profile's — an expired secret, revoked consent or
 * delegation, a changed RBAC scope — not the mailboxes'. The circuit opens: jobs stop calling
 * that provider and CMG keeps what it holds; once per CIRCUIT_PROBE_INTERVAL one job calls it
 * as a probe, and the first success closes the circuit.
 *
 * The state is one State row per profile (scope `circuit`), written with its ETag so instances
 * agree; reads are cached briefly so a healthy job costs no extra table read most of the time.
 */
import { z } from 'zod';
import { isConcurrencyConflict } from '../../store/concurrency-conflict.js';
import type { StateRepository } from '../../store/state-repository.js';
import type { SyncDeps } from '../sync-deps.js';

const SCOPE = 'circuit';
/** How long a read circuit state is trusted before the row is read again. */
const CACHE_MS = 5_000;

const Refusal = z.object({ mailbox: z.string(), at: z.string(), code: z.string() });
const CircuitRow = z.object({
  refusals: z.array(Refusal),
  /** Set while the circuit is open. */
  openedAt: z.string().optional(),
  code: z.string().optional(),
  /** While open: the next instant a job may call the provider as a probe. */
  probeAt: z.string().optional(),
});
type CircuitRow = z.infer<typeof CircuitRow>;

export interface CircuitView {
  readonly open: boolean;
  /** Open, and a probe may be claimed now. */
  readonly probeDue: boolean;
  /** The refusal code that opened it. */
  readonly code: string | undefined;
  /** ISO instant it opened, while open. */
  readonly openedAt: string | undefined;
  /** Something is recorded (refusals or open): a success must clear it. */
  readonly dirty: boolean;
}

const CLOSED: CircuitRow = { refusals: [] };
const cache = new WeakMap<StateRepository, Map<string, { at: number; row: CircuitRow; etag: string | undefined }>>();

function cacheOf(deps: SyncDeps): Map<string, { at: number; row: CircuitRow; etag: string | undefined }> {
  let entries = cache.get(deps.store.state);
  if (!entries) {
    entries = new Map();
    cache.set(deps.store.state, entries);
  }
  return entries;
}

async function read(deps: SyncDeps, profile: string, fresh = false): Promise<{ row: CircuitRow; etag: string | undefined }> {
  const now = deps.now().getTime();
  const cached = cacheOf(deps).get(profile);
  if (!fresh && cached && Math.abs(now - cached.at) < CACHE_MS) return cached;
  const stored = await deps.store.state.get(SCOPE, profile);
  let row = CLOSED;
  if (stored) {
    const parsed = CircuitRow.safeParse(safeJson(stored.value));
    // A row we cannot read is treated as a closed circuit: the next refusal rewrites it.
    if (parsed.success) row = parsed.data;
  }
  const entry = { at: now, row, etag: stored?.etag };
  keep(deps, profile, entry);
  return entry;
}

/** Caches what was read or written, and reports it as the profile's `calsync.circuits.open` reading. */
function keep(deps: SyncDeps, profile: string, entry: { at: number; row: CircuitRow; etag: string | undefined }): void {
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

function view(row: CircuitRow, now: number): CircuitView {
  const open = row.openedAt !== undefined;
  return {
    open,
    probeDue: open && (row.probeAt === undefined || Date.parse(row.probeAt) <= now),
    code: row.code,
    openedAt: row.openedAt,
    dirty: open || row.refusals.length > 0,
  };
}

/** Changes the row with its ETag, re-reading on a conflict; returns the row written (or kept). */
async function change(deps: SyncDeps, profile: string, update: (row: CircuitRow) => CircuitRow | undefined): Promise<CircuitRow> {
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
  return view((await read(deps, profile)).row, deps.now().getTime());
}

/** Claims the next probe of an open circuit; false when another job has it or none is due. */
export async function claimProbe(deps: SyncDeps, profile: string): Promise<boolean> {
  const now = deps.now().getTime();
  let claimed = false;
  try {
    await change(deps, profile, (row) => {
      claimed = false;
      if (!view(row, now).probeDue) return undefined;
      claimed = true;
      return { ...row, probeAt: new Date(now + deps.config.sync.circuitProbeIntervalMs).toISOString() };
    });
  } catch {
    return false;
  }
  return claimed;
}

/** Records a refusal of one mailbox; opens the circuit when enough mailboxes were refused alike. */
export async function recordRefusal(deps: SyncDeps, profile: string, mailbox: string, code: string): Promise<CircuitView> {
  const now = deps.now().getTime();
  const { circuitRefusals, circuitWindowMs, circuitProbeIntervalMs } = deps.config.sync;
  const row = await change(deps, profile, (row) => {
    if (row.openedAt !== undefined) return undefined; // already open: the probe schedule stands
    const recent = row.refusals.filter((r) => now - Date.parse(r.at) < circuitWindowMs && r.mailbox !== mailbox);
    const refusals = [...recent, { mailbox, at: new Date(now).toISOString(), code }].slice(-circuitRefusals * 4);
    const alike = new Set(refusals.filter((r) => r.code === code).map((r) => r.mailbox));
    if (alike.size < circuitRefusals) return { refusals };
    deps.logger.error('circuit.opened', { profile, code, mailboxes: alike.size });
    return { refusals, openedAt: new Date(now).toISOString(), code, probeAt: new Date(now + circuitProbeIntervalMs).toISOString() };
  });
  return view(row, now);
}

/** The profile served a mailbox: forget its refusals, close the circuit. */
export async function recordSuccess(deps: SyncDeps, profile: string): Promise<void> {
  if (!(await circuitOf(deps, profile)).dirty) return;
  await change(deps, profile, (row) => {
    if (row.openedAt === undefined && row.refusals.length === 0) return undefined;
    if (row.openedAt !== undefined) deps.logger.info('circuit.closed', { profile, openedAt: row.openedAt });
    return CLOSED;
  });
}
