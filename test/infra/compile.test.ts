/**
 * Every Bicep file under infra/ compiled and linted by the pinned Bicep compiler, and every
 * parameters file built: 0 errors, 0 warnings. infra/bicepconfig.json makes each linter rule an
 * error; the rules it leaves off, and every line that disables one, say why in place.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinnedVersion } from '../../tools/bicep/bicep.mjs';
import { bicep, buildParams, copyOfInfra, describeWithBicep, diagnostics, INFRA, type BicepRun } from './bicep.js';
import { FAKE_AZD_ENVIRONMENT } from './azd-environment.js';

function filesUnder(dir: string, ending: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name), ending) : e.name.endsWith(ending) ? [join(dir, e.name)] : []));
}

const BICEP_FILES = filesUnder(INFRA, '.bicep').map((f) => relative(INFRA, f)).sort();
const PARAMS_FILES = filesUnder(INFRA, '.bicepparam').map((f) => relative(INFRA, f)).sort();

/** The output of a run, for a failure message. */
const shown = (run: BicepRun) => `${run.stdout}${run.stderr}`.trim();

describe('the Bicep files', () => {
  it('when infra/ is listed, then it holds main.bicep, its modules, azd\'s main.bicepparam and the customer examples', () => {
    expect(BICEP_FILES).toEqual(expect.arrayContaining(['main.bicep', 'app/api.bicep', 'app/rbac.bicep', 'app/servicebus.bicep', 'app/alerts.bicep']));
    expect(PARAMS_FILES).toEqual(['customers/contoso.bicepparam', 'customers/fabrikam.bicepparam', 'customers/northwind.bicepparam', 'main.bicepparam']);
    expect(filesUnder(INFRA, '.parameters.json')).toEqual([]);
  });

  it('when bicepconfig.json is read, then every linter rule is an error, except the ones turned off with a reason above them', () => {
    const text = readFileSync(join(INFRA, 'bicepconfig.json'), 'utf8');
    const rules = (JSON.parse(text.replace(/^\s*\/\/.*$/gm, '')) as { analyzers: { core: { enabled: boolean; rules: Record<string, { level: string }> } } }).analyzers.core;
    expect(rules.enabled).toBe(true);
    const notErrors = Object.entries(rules.rules).filter(([, r]) => r.level !== 'error');
    expect(notErrors.map(([name, r]) => `${name} ${r.level}`)).toEqual(['use-recent-api-versions off', 'what-if-short-circuiting off']);
    const lines = text.split('\n');
    for (const [name] of notErrors) {
      const at = lines.findIndex((l) => l.includes(`"${name}"`));
      expect(lines[at - 1], name).toMatch(/^\s*\/\/ /);
    }
    expect(Object.keys(rules.rules).length).toBeGreaterThan(40);
  });

  it('when a line disables a linter rule, then it says why on the same line', () => {
    const unexplained = BICEP_FILES.flatMap((f) =>
      readFileSync(join(INFRA, f), 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${f}:${i + 1}` }))
        .filter(({ line }) => line.includes('#disable-next-line') && !/#disable-next-line [\w-]+ \/\/ \S/.test(line))
        .map(({ at }) => at),
    );
    expect(unexplained).toEqual([]);
  });
});

describeWithBicep('the Bicep compiler on infra/', () => {
  let work: ReturnType<typeof copyOfInfra>;
  beforeAll(() => {
    work = copyOfInfra();
  });
  afterAll(() => work.remove());

  it('when npm run bicep asks for the version, then it is the one bicep.csproj pins', async () => {
    const run = await bicep(['--version']);
    expect(run.stdout).toContain(`Bicep CLI version ${pinnedVersion()} `);
  });

  it('when every .bicep file is built, then each compiles to an ARM template with no diagnostic', async () => {
    const out = join(work.infra, '..', 'arm');
    const run = await bicep(['build', '--pattern', `${work.infra}/**/*.bicep`, '--outdir', out]);
    expect(diagnostics(shown(run))).toEqual([]);
    expect(shown(run)).toBe('');
    expect(run.status).toBe(0);
    expect(filesUnder(out, '.json').map((f) => relative(out, f).replace(/\.json$/, '.bicep')).sort()).toEqual(BICEP_FILES);
  });

  it('when every .bicep file is linted with infra/bicepconfig.json, then there is no error, warning or note', async () => {
    const run = await bicep(['lint', '--pattern', `${work.infra}/**/*.bicep`]);
    expect(diagnostics(shown(run))).toEqual([]);
    expect(shown(run)).toBe('');
    expect(run.status).toBe(0);
  });

  it.each(PARAMS_FILES)('when %s is built (main.bicepparam with a fake azd environment), then it compiles with no diagnostic', async (file) => {
    const run = await buildParams(join(work.infra, file), file === 'main.bicepparam' ? FAKE_AZD_ENVIRONMENT : {});
    expect(diagnostics(shown(run))).toEqual([]);
    expect(run.stderr.trim()).toBe('');
    expect(run.status).toBe(0);
    expect(Object.keys(run.parameters ?? {})).toEqual(expect.arrayContaining(['environmentName', 'location', 'cmgBaseUrl', 'profiles']));
  });

  it('when a file breaks a type or a linter rule, then the compiler reports it by file and line as an error (the check can fail)', async () => {
    const broken = join(work.infra, 'broken.bicep');
    writeFileSync(broken, "param unused string\nparam count int = 'many'\noutput n int = count\n");
    const found = diagnostics(shown(await bicep(['lint', broken])));
    expect(found.map((d) => `${d.line} ${d.level} ${d.code}`)).toEqual(['1 Error no-unused-params', '2 Error BCP033']);
  });
});
