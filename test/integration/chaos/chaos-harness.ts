/** Runs a chaos scenario (bench/chaos) on the suite's Azurite, with tables of its own. */
import { expect, inject } from 'vitest';
import { runScenario, SCENARIOS, type ChaosResult } from '../../../bench/chaos/scenarios.js';
import { uniqueTablePrefix } from '../../support/test-store.js';

/** A scenario takes 20–60 s of real time on two shared cores: simulated hours, real HTTP. */
export const SCENARIO_TIMEOUT_MS = 300_000;

export async function runChaos(name: string): Promise<ChaosResult> {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw new Error(`no chaos scenario ${name}`);
  return runScenario(scenario, { connectionString: inject('tablesConnectionString'), tablePrefix: uniqueTablePrefix() });
}

/** Held: nothing wrongly deleted, CMG equal to the oracle after recovery, work within the stated bound. */
export function expectHeld(result: ChaosResult): void {
  expect(result.figures.wronglyDeleted).toBe(0);
  expect(result.figures.convergeMinutes).toBeTypeOf('number');
  expect(result.broken).toEqual([]);
  expect(result.held).toBe(true);
}
