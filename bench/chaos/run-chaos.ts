/**
 * `npm run chaos`: runs every incident scenario (bench/chaos/scenarios.ts), or those named on
 * the command line, against the emulators and the production composition on a simulated clock,
 * and prints one line per scenario and a summary. Like `npm run bench`, it asserts nothing:
 * test/integration/chaos asserts on the same scenarios.
 */
import { randomBytes } from 'node:crypto';
import { startAzurite } from '../../tools/azurite/start-azurite.js';
import { resultLine, runScenario, SCENARIOS } from './scenarios.js';

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const azurite = await startAzurite({ isolated: true });
let held = 0;
let ran = 0;
try {
  for (const scenario of SCENARIOS) {
    if (wanted.length > 0 && !wanted.includes(scenario.name)) continue;
    const started = performance.now();
    const result = await runScenario(scenario, { connectionString: azurite.connectionString, tablePrefix: `c${randomBytes(5).toString('hex')}` });
    ran += 1;
    if (result.held) held += 1;
    console.log(`${resultLine(result)} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
} finally {
  await azurite.close();
}
console.log(`chaos: ${ran} scenarios, ${held} held`);
