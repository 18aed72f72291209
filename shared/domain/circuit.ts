/**
 * The rules of a connection profile's circuit (ARCHITECTURE.md "Failure containment": a refusal
 * is not evidence), pure. When CIRCUIT_REFUSALS mailboxes of one profile are refused alike (same
 * error code) within CIRCUIT_WINDOW, the fault is the profile's — an expired secret, revoked
 * consent or delegation, a changed RBAC scope — not the mailboxes'. The circuit opens: jobs stop
 * calling that provider and CMG keeps what it holds; once per CIRCUIT_PROBE_INTERVAL one job
 * calls it as a probe, and the first success closes the circuit. sync/job/profile-circuit.ts
 * keeps the state in the State table.
 */
import { z } from 'zod';

const Refusal = z.object({ mailbox: z.string(), at: z.string(), code: z.string() });
/** A circuit's state as stored: the recent refusals, and while open, why and when to probe. */
export const CircuitState = z.object({
  refusals: z.array(Refusal),
  /** Set while the circuit is open. */
  openedAt: z.string().optional(),
  code: z.string().optional(),
  /** While open: the next instant a job may call the provider as a probe. */
  probeAt: z.string().optional(),
});
export type CircuitState = z.infer<typeof CircuitState>;

export const CLOSED: CircuitState = { refusals: [] };

export interface CircuitSettings {
  /** CIRCUIT_REFUSALS: mailboxes refused alike that open the circuit. */
  readonly circuitRefusals: number;
  /** CIRCUIT_WINDOW: how recent those refusals must be. */
  readonly circuitWindowMs: number;
  /** CIRCUIT_PROBE_INTERVAL: one probe per this interval while open. */
  readonly circuitProbeIntervalMs: number;
}

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

export function circuitView(state: CircuitState, now: number): CircuitView {
  const open = state.openedAt !== undefined;
  return {
    open,
    probeDue: open && (state.probeAt === undefined || Date.parse(state.probeAt) <= now),
    code: state.code,
    openedAt: state.openedAt,
    dirty: open || state.refusals.length > 0,
  };
}

/**
 * The profile refused `mailbox` with `code`. Opens the circuit when CIRCUIT_REFUSALS distinct
 * mailboxes were refused with that code within CIRCUIT_WINDOW. Undefined: nothing changes (it is
 * open already, and its probe schedule stands).
 */
export function refusalRecorded(state: CircuitState, refusal: { readonly mailbox: string; readonly code: string }, now: number, settings: CircuitSettings): CircuitState | undefined {
  if (state.openedAt !== undefined) return undefined;
  const recent = state.refusals.filter((r) => now - Date.parse(r.at) < settings.circuitWindowMs && r.mailbox !== refusal.mailbox);
  const refusals = [...recent, { mailbox: refusal.mailbox, at: new Date(now).toISOString(), code: refusal.code }].slice(-settings.circuitRefusals * 4);
  const alike = new Set(refusals.filter((r) => r.code === refusal.code).map((r) => r.mailbox));
  if (alike.size < settings.circuitRefusals) return { refusals };
  return { refusals, openedAt: new Date(now).toISOString(), code: refusal.code, probeAt: new Date(now + settings.circuitProbeIntervalMs).toISOString() };
}

/** A job claims the open circuit's probe: the next one waits CIRCUIT_PROBE_INTERVAL. Undefined: no probe is due. */
export function probeClaimed(state: CircuitState, now: number, settings: CircuitSettings): CircuitState | undefined {
  if (!circuitView(state, now).probeDue) return undefined;
  return { ...state, probeAt: new Date(now + settings.circuitProbeIntervalMs).toISOString() };
}

/** The profile served a mailbox: its refusals are forgotten and the circuit closes. Undefined: nothing to clear. */
export function succeeded(state: CircuitState): CircuitState | undefined {
  return state.openedAt !== undefined || state.refusals.length > 0 ? CLOSED : undefined;
}
