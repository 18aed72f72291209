/**
 * `azd package` of the service `api` (the first half of `azd deploy` and `azd up`), replayed step
 * by step in azd's order in a copy of the project, then the packaged app started far enough to
 * load every function file. azd's source, Azure/azure-dev cli/azd/, the same at v1.23.13 (the
 * version azure.yaml requires) and v1.31.2:
 *
 * 1. restore: pkg/project/service_manager.go Package() restores first, because the Node framework
 *    requires it (framework_service_node.go Requirements: RequireRestore true, RequireBuild false).
 *    Restore() skips the install when node_modules/.package-lock.json is not older than
 *    package-lock.json (pkg/tools/node/detect.go IsDependenciesUpToDate), else it runs
 *    `npm install --no-audit --no-fund --prefer-offline` (pkg/tools/node/node.go Install).
 * 2. the prepackage hook: service_manager.go runs the package step through runCommand, whose
 *    ServiceConfig.Invoke runs the `prepackage` hooks first; pkg/ext/hooks_manager.go takes the
 *    hook's `posix` variant on Linux and macOS, in the service's directory.
 * 3. framework package: framework_service_node.go Package() runs `npm run build --if-present` in
 *    the project directory (node.go RunScript); the package directory is the project joined with
 *    azure.yaml's `dist`, and must not be empty.
 * 4. service target package: service_target_functionapp.go Package() → project_utils.go
 *    createDeployableZip(): the ignore file `.funcignore` is read from the package directory;
 *    directories named `.azure`, the ignore file itself and `local.settings.json` stay out; with no
 *    ignore file, node_modules goes in when remoteBuild is false; symlinks are resolved
 *    (pkg/rzip CreateFromDirectory). Replayed here as the directory the zip unpacks to.
 *
 * The copy lives outside the project, so nothing can resolve from the project's own node_modules.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { registeredFunctions, type Registration } from '../support/function-registrations.js';

const ROOT = process.cwd();
/** Not part of a clone, or made by the steps below. */
const NOT_COPIED = new Set(['.git', 'node_modules', 'dist', '.deploy', 'coverage', '.azure', '.azurite']);

interface HookConfig {
  readonly shell?: string;
  readonly run?: string;
  readonly continueOnError?: boolean;
  readonly windows?: HookConfig;
  readonly posix?: HookConfig;
}

interface ServiceConfig {
  readonly project: string;
  readonly language: string;
  readonly host: string;
  readonly dist?: string;
  readonly remoteBuild?: boolean;
  readonly hooks?: { readonly prepackage?: HookConfig };
}

interface StepFailure {
  readonly step: string;
  readonly output: string;
}

interface LoadedPackage {
  readonly main: string;
  readonly loaded: readonly string[];
  readonly registrations: readonly Registration[];
}

/**
 * Run in the unpacked package with its own node_modules, as the Node.js worker loads the app: every
 * file of package.json "main" (a `<directory>/*.js` glob here) is imported, with each registration
 * method of @azure/functions' `app` recorded instead of sent to a host.
 */
const LOAD_PACKAGE = `
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const root = process.cwd();
const main = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).main;
const glob = /^(.+)\\/\\*\\.js$/.exec(main);
if (!glob) throw new Error('package.json main is not a <directory>/*.js glob: ' + main);
const library = await import(pathToFileURL(createRequire(join(root, 'package.json')).resolve('@azure/functions')).href);
const app = library.default.app;
const registrations = [];
for (const [kind, method] of Object.entries(app)) {
  if (typeof method === 'function' && kind !== 'setup') app[kind] = (name) => void registrations.push({ kind, name });
}
const loaded = [];
for (const file of readdirSync(join(root, glob[1])).filter((f) => f.endsWith('.js')).sort()) {
  await import(pathToFileURL(join(root, glob[1], file)).href);
  loaded.push(file);
}
process.stdout.write(JSON.stringify({ main, loaded, registrations }));
`;

let work = '';
let project = '';
let unpacked = '';
let failure: StepFailure | undefined;
let loadedPackage: LoadedPackage | undefined;

/**
 * The environment of a shell outside this project: `npx vitest` and `npm test` put the project's
 * node_modules/.bin on PATH and npm_* variables in the environment, which would lend the copy
 * tools (tsc) that its own node_modules no longer hold.
 */
function outsideEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(npm_|VITEST|NODE_OPTIONS$)/i.test(name)) env[name] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => !entry.split(/[\\/]/).includes('node_modules') && relative(ROOT, entry).startsWith('..'))
    .join(delimiter);
  env.npm_config_update_notifier = 'false';
  return env;
}

function run(step: string, command: string, args: readonly string[], cwd: string): boolean {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: outsideEnvironment(), maxBuffer: 64 * 1024 * 1024 });
  if (result.status === 0) return true;
  failure = { step, output: `exit ${result.status ?? result.signal}\n${`${result.stdout ?? ''}${result.stderr ?? ''}`.trim().slice(-4000)}` };
  return false;
}

/** pkg/tools/node/detect.go IsDependenciesUpToDate, for npm. */
function dependenciesUpToDate(directory: string): boolean {
  const marker = join(directory, 'node_modules', '.package-lock.json');
  const lock = join(directory, 'package-lock.json');
  if (!existsSync(lock) || !existsSync(marker)) return false;
  return statSync(marker).mtimeMs >= statSync(lock).mtimeMs;
}

/** project_utils.go createDeployableZip's filter, for a TypeScript function app without an ignore file. */
function unpackZip(source: string, target: string, remoteBuild: boolean | undefined): void {
  mkdirSync(target, { recursive: true });
  for (const name of readdirSync(source)) {
    const path = join(source, name);
    // rzip resolves symlinks: the zip holds the target's content.
    const isDirectory = lstatSync(path).isSymbolicLink() ? statSync(path).isDirectory() : lstatSync(path).isDirectory();
    if (name === '.azure' && isDirectory) continue;
    if (name === '.funcignore' && !isDirectory) continue;
    if (name === 'local.settings.json' && !isDirectory) continue;
    if (name === 'node_modules' && isDirectory && remoteBuild !== false) continue;
    if (isDirectory) unpackZip(path, join(target, name), remoteBuild);
    else cpSync(realpathSync(path), join(target, name));
  }
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)).split('\\').join('/'));
}

function replayAzdPackage(): void {
  // A clone of the project, with the developer's installed dependencies (their timestamps kept,
  // which restore's up-to-date check reads).
  cpSync(ROOT, project, { recursive: true, filter: (source) => !NOT_COPIED.has(relative(ROOT, source).split(/[\\/]/)[0]!) });
  if (existsSync(join(ROOT, 'node_modules'))) cpSync(join(ROOT, 'node_modules'), join(project, 'node_modules'), { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });

  const azureYaml = parse(readFileSync(join(project, 'azure.yaml'), 'utf8')) as { services: { api: ServiceConfig } };
  const service = azureYaml.services.api;
  const serviceDirectory = join(project, service.project);

  // 1. restore
  if (!dependenciesUpToDate(serviceDirectory) && !run('restore: npm install', 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], serviceDirectory)) return;

  // 2. prepackage hook (its posix variant, if any)
  const hook = service.hooks?.prepackage?.posix ?? service.hooks?.prepackage;
  if (hook?.run) {
    if (hook.shell !== undefined && hook.shell !== 'sh') throw new Error(`the prepackage hook's shell is ${hook.shell}; this replay runs sh`);
    if (!run(`prepackage hook: ${hook.run}`, 'sh', ['-c', hook.run], serviceDirectory)) return;
  }

  // 3. framework package
  if (!run('framework package: npm run build --if-present', 'npm', ['run', 'build', '--if-present'], serviceDirectory)) return;
  const packageDirectory = service.dist ? join(serviceDirectory, service.dist) : serviceDirectory;
  if (!existsSync(packageDirectory) || readdirSync(packageDirectory).length === 0) {
    failure = { step: 'framework package', output: `package source '${packageDirectory}' is empty or does not exist` };
    return;
  }

  // 4. service target package
  if (existsSync(join(packageDirectory, '.funcignore'))) {
    // go-gitignore's matching is not replayed here; the staged package needs no ignore file.
    failure = { step: 'service target package', output: `${packageDirectory} holds a .funcignore, whose matching this replay does not reproduce` };
    return;
  }
  unpackZip(packageDirectory, unpacked, service.remoteBuild);

  const loader = join(work, 'load-package.mjs');
  writeFileSync(loader, LOAD_PACKAGE);
  const start = spawnSync(process.execPath, [loader], { cwd: unpacked, encoding: 'utf8', env: outsideEnvironment() });
  if (start.status !== 0) {
    failure = { step: 'start the packaged app', output: `exit ${start.status ?? start.signal}\n${start.stderr.slice(-4000)}` };
    return;
  }
  loadedPackage = JSON.parse(start.stdout) as LoadedPackage;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'azd-package-'));
  project = join(work, 'project');
  unpacked = join(work, 'wwwroot');
  replayAzdPackage();
}, 900_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
}, 300_000);

describe('the package azd deploys, replayed in azd order', () => {
  it('when azd restores, runs the prepackage hook, runs the build script and zips the package, then every step succeeds', () => {
    expect(failure, failure && `${failure.step} failed:\n${failure.output}`).toBeUndefined();
  });

  it('when the packaged app starts, then every function file loads and registers the functions the sources register', async () => {
    expect(loadedPackage, 'the package was not started: see the first test').toBeDefined();
    const expected = (await registeredFunctions()).map((r) => `${r.kind} ${r.name}`).sort();
    expect(loadedPackage!.main).toBe('dist/functions/*.js');
    expect(loadedPackage!.loaded).toEqual(readdirSync(join(ROOT, 'functions')).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, '.js')).sort());
    expect(loadedPackage!.registrations.map((r) => `${r.kind} ${r.name}`).sort()).toEqual(expected);
  });

  it('when the package is unpacked, then it holds the compiled app, host.json and production dependencies only', () => {
    expect(loadedPackage, 'the package was not started: see the first test').toBeDefined();
    const files = filesUnder(unpacked);
    const own = files.filter((f) => !f.startsWith('node_modules/'));
    expect(own.filter((f) => !/^dist\/(functions|shared)\//.test(f) && !['host.json', 'package.json', 'package-lock.json'].includes(f))).toEqual([]);
    expect(own.filter((f) => f.endsWith('.ts'))).toEqual([]);
    // Packages the lock file marks dev-only (TypeScript, vitest, Azurite, …) are not deployed.
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([path, entry]) => path !== '' && entry.dev === true).map(([path]) => path);
    expect(devOnly.length).toBeGreaterThan(0);
    expect(devOnly.filter((path) => existsSync(join(unpacked, path)))).toEqual([]);
    expect(existsSync(join(unpacked, 'node_modules', '@azure', 'functions', 'package.json'))).toBe(true);
  });
});

describe('azure.yaml', () => {
  const text = readFileSync(join(ROOT, 'azure.yaml'), 'utf8');
  const service = (parse(text) as { services: { api: ServiceConfig } }).services.api;

  it('when azure.yaml is read, then it deploys the local build (remoteBuild false) and requires an azd that packages it right', () => {
    expect(service.remoteBuild).toBe(false);
    expect(text).toMatch(/^requiredVersions:\n {2}azd: ">= 1\.23\.13"$/m);
  });

  it('when the prepackage hook runs on Windows, then it runs the posix command in PowerShell, with nothing that Windows PowerShell 5.1 would read otherwise', () => {
    // azd falls back to Windows PowerShell 5.1 when pwsh is missing (pkg/tools/powershell), which
    // knows no `&&`; one npm command reads alike in sh, pwsh and 5.1.
    const hook = service.hooks?.prepackage;
    expect(hook?.windows).toEqual({ ...hook?.posix, shell: 'pwsh' });
    expect(hook?.posix?.run).toMatch(/^npm run [\w:-]+$/);
  });
});

describe('.funcignore (Core Tools: `func azure functionapp publish` from the project)', () => {
  const patterns = readFileSync(join(ROOT, '.funcignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

  /** Anchored gitignore patterns: `/name`, `/dir/`, `/*.ext`; `*` stays within one path segment. */
  function excluded(path: string): boolean {
    return patterns.some((pattern) => {
      const directory = pattern.endsWith('/');
      const body = pattern.slice(1, directory ? -1 : undefined);
      const regex = new RegExp(`^${body.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}${directory ? '/' : '(/|$)'}`);
      return regex.test(path);
    });
  }

  it('when .funcignore is read, then every pattern is anchored and none is negated', () => {
    expect(patterns.filter((p) => p.startsWith('!'))).toEqual([]);
    expect(patterns.filter((p) => !p.startsWith('/'))).toEqual([]);
  });

  it('when the project is published, then the compiled functions, their dependencies and the host files go in (azd refuses remoteBuild false if node_modules is excluded)', () => {
    const kept = ['dist/functions/mailbox-sync.js', 'dist/shared/cmg/cmg-client.js', 'dist/shared/config/config.js', 'node_modules/axios/package.json', 'host.json', 'package.json'];
    expect(kept.filter(excluded)).toEqual([]);
  });

  it('when the project is published, then sources, tests, infra, tools, the azd staging directory and local settings stay out', () => {
    const left = ['shared/cmg/cmg-client.ts', 'functions/mailbox-sync.ts', 'test/infra/packaging.test.ts', 'infra/main.bicep', 'tools/emulators/cmg/cmg-emulator.ts', 'dist/tools/dev-host/main.js', 'dist/bench/run.js', 'local.settings.json', 'tsconfig.json', 'vitest.config.ts', '.azure/contoso-prod/.env', '.git/config', '.deploy/host.json'];
    expect(left.filter((p) => !excluded(p))).toEqual([]);
  });

});
