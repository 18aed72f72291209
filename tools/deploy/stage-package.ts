/**
 * Stages what Azure runs into `.deploy/` (azure.yaml `dist:`): the compiled functions and the
 * code they import, host.json, package.json and production-only node_modules. `azd package` runs
 * it in the `prepackage` hook (`npm run package:azure`, after `npm run build`).
 *
 * Why a staging directory: after the hook azd runs `npm run build --if-present` in the project
 * itself (Azure/azure-dev cli/azd/pkg/project/framework_service_node.go, Package), and zips the
 * directory named by `dist:`. Pruning the project's own node_modules to production would remove
 * tsc before that build (`sh: tsc: not found`); here the project keeps its development tools, the
 * build azd runs is a harmless second compile, and the staged copy is out of its reach.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the package is staged, relative to the project (azure.yaml `dist:`). */
const STAGE_DIRECTORY = '.deploy';

/** The compiled directories the functions load at run time (package.json "main" is dist/functions/*.js). */
const RUNTIME_DIRECTORIES = ['dist/functions', 'dist/shared'];
/** The host's configuration, and what npm needs to install exactly the locked production dependencies. */
const RUNTIME_FILES = ['host.json', 'package.json', 'package-lock.json'];

function npm(args: readonly string[], cwd: string): void {
  // `npm run` gives its own CLI's path; calling it through node works alike on Windows, where
  // `npm` is a .cmd file that spawn cannot start without a shell.
  const cli = process.env.npm_execpath;
  const result = cli ? spawnSync(process.execPath, [cli, ...args], { cwd, stdio: 'inherit' }) : spawnSync('npm', args, { cwd, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed in ${cwd} (exit ${result.status ?? result.signal})`);
}

/**
 * A compiled function whose source is gone: tsc does not delete outputs, and the host would
 * still register it from dist/functions.
 */
function isStaleFunction(projectDirectory: string, source: string): boolean {
  const compiled = relative(join(projectDirectory, 'dist', 'functions'), source);
  const name = /^([^/\\]+)\.js(\.map)?$/.exec(compiled)?.[1];
  return name !== undefined && !existsSync(join(projectDirectory, 'functions', `${name}.ts`));
}

function stagePackage(projectDirectory: string): string {
  const stage = join(projectDirectory, STAGE_DIRECTORY);
  for (const path of [...RUNTIME_DIRECTORIES, ...RUNTIME_FILES]) {
    if (!existsSync(join(projectDirectory, path))) throw new Error(`${path} is missing: run \`npm run build\` first`);
  }
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage);
  for (const path of [...RUNTIME_DIRECTORIES, ...RUNTIME_FILES]) {
    cpSync(join(projectDirectory, path), join(stage, path), { recursive: true, filter: (source) => !isStaleFunction(projectDirectory, source) });
  }
  npm(['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], stage);
  return stage;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const stage = stagePackage(process.cwd());
  console.log(`staged the function app package in ${stage}`);
}
