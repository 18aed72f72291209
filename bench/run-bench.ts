/**
 * `npm run bench`: runs every scenario in bench/scenarios (or those named on the command line,
 * e.g. `npm run bench -- mapping cmg`) and prints their figures. Scenarios measure; they never
 * fail on a number.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

export interface BenchScenario {
  readonly name: string;
  readonly description: string;
  run(options: { full: boolean }): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, 'scenarios');
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const full = process.argv.includes('--full');

const files = (await readdir(dir)).filter((f) => f.endsWith('.js')).sort();
console.log(`bench: node ${process.version}, ${(await import('node:os')).cpus().length} cores; scenarios: ${files.map((f) => f.replace(/\.js$/, '')).join(', ')}`);
for (const file of files) {
  const mod = (await import(pathToFileURL(join(dir, file)).href)) as { default: BenchScenario };
  const scenario = mod.default;
  if (wanted.length > 0 && !wanted.includes(scenario.name)) continue;
  console.log(`\n== ${scenario.name}: ${scenario.description}`);
  const started = performance.now();
  await scenario.run({ full });
  console.log(`-- ${scenario.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
