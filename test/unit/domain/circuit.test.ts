import { describe, expect, it } from 'vitest';
import { CLOSED, circuitView, probeClaimed, refusalRecorded, succeeded, type CircuitSettings, type CircuitState } from '../../../shared/domain/circuit.js';

const MINUTE = 60_000;
const NOW = Date.parse('2026-03-02T09:00:00Z');
const settings: CircuitSettings = { circuitRefusals: 3, circuitWindowMs: 10 * MINUTE, circuitProbeIntervalMs: 5 * MINUTE };

/** Refusals of `mailboxes` one minute apart, from NOW. */
function refusals(mailboxes: readonly string[], code = 'access-denied', state: CircuitState = CLOSED): CircuitState {
  return mailboxes.reduce((s, mailbox, i) => refusalRecorded(s, { mailbox, code }, NOW + i * MINUTE, settings) ?? s, state);
}

describe("a profile's circuit", () => {
  it('when CIRCUIT_REFUSALS mailboxes are refused alike within the window, then it opens with the code and a probe time', () => {
    const state = refusals(['anna', 'ben', 'cleo']);
    expect(state).toMatchObject({ openedAt: new Date(NOW + 2 * MINUTE).toISOString(), code: 'access-denied', probeAt: new Date(NOW + 7 * MINUTE).toISOString() });
    expect(circuitView(state, NOW + 2 * MINUTE)).toMatchObject({ open: true, probeDue: false });
  });

  it('when one mailbox is refused again and again, then it stays closed: a single mailbox is not the profile', () => {
    expect(circuitView(refusals(['anna', 'anna', 'anna', 'anna']), NOW + 4 * MINUTE).open).toBe(false);
  });

  it('when the refusals differ in code, then it stays closed', () => {
    const mixed = refusalRecorded(refusals(['anna', 'ben'], 'access-denied'), { mailbox: 'cleo', code: 'mailbox-not-enabled' }, NOW + 2 * MINUTE, settings)!;
    expect(circuitView(mixed, NOW + 2 * MINUTE).open).toBe(false);
  });

  it('when the refusals are further apart than the window, then the old ones no longer count', () => {
    const old = refusals(['anna', 'ben']);
    const late = refusalRecorded(old, { mailbox: 'cleo', code: 'access-denied' }, NOW + 10 * MINUTE + 1, settings)!;
    expect(circuitView(late, NOW + 10 * MINUTE + 1).open).toBe(false);
  });

  it('when it is open, then more refusals change nothing: the probe schedule stands', () => {
    const open = refusals(['anna', 'ben', 'cleo']);
    expect(refusalRecorded(open, { mailbox: 'dora', code: 'access-denied' }, NOW + 3 * MINUTE, settings)).toBeUndefined();
  });

  it('when the probe interval has passed, then one job claims the probe and the next must wait another interval', () => {
    const open = refusals(['anna', 'ben', 'cleo']);
    const due = NOW + 7 * MINUTE;
    expect(probeClaimed(open, due - 1, settings)).toBeUndefined();
    const claimed = probeClaimed(open, due, settings)!;
    expect(claimed.probeAt).toBe(new Date(due + 5 * MINUTE).toISOString());
    expect(probeClaimed(claimed, due, settings)).toBeUndefined();
    expect(circuitView(claimed, due)).toMatchObject({ open: true, probeDue: false });
  });

  it('when a probe (or any job of the profile) succeeds, then it closes and its refusals are forgotten', () => {
    expect(succeeded(refusals(['anna', 'ben', 'cleo']))).toEqual(CLOSED);
    expect(succeeded(refusals(['anna']))).toEqual(CLOSED);
    expect(succeeded(CLOSED)).toBeUndefined();
  });
});
