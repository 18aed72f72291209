#!/usr/bin/env node
// `npm run bicep -- <args>`: the pinned Bicep compiler (tools/bicep/bicep.csproj), restored with
// `dotnet restore` on first use, run with the given arguments. Plain JavaScript, so that it runs
// from a clean clone before anything is built. test/infra finds the compiler through this module.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const PACKAGE = 'Azure.Bicep.CommandLine.linux-x64';
export const PROJECT = join(here, 'bicep.csproj');

/** The version bicep.csproj pins (one place to change it). */
export function pinnedVersion() {
  const pin = new RegExp(`Include="${PACKAGE.replace(/\./g, '\\.')}" Version="\\[([0-9.]+)\\]"`).exec(readFileSync(PROJECT, 'utf8'));
  if (!pin) throw new Error(`${PROJECT} pins no exact version of ${PACKAGE}`);
  return pin[1];
}

/** Where the restore puts the compiler (RestorePackagesPath of bicep.csproj; NuGet lower-cases ids). */
export function bicepPath() {
  return join(here, '.packages', PACKAGE.toLowerCase(), pinnedVersion(), 'tools', 'bicep');
}

/** Why the compiler cannot be had here, or undefined when it can (restored, or dotnet to restore it). */
export function unavailableReason() {
  if (process.platform !== 'linux' || process.arch !== 'x64') return `the pinned package ${PACKAGE} is for Linux x64, this is ${process.platform} ${process.arch}`;
  if (existsSync(bicepPath())) return undefined;
  const dotnet = spawnSync('dotnet', ['--version'], { encoding: 'utf8' });
  if (dotnet.error || dotnet.status !== 0) return 'the .NET SDK (dotnet) is not installed: it restores the Bicep compiler (tools/bicep/bicep.csproj)';
  return undefined;
}

/** The compiler's path, restored first if it is missing. */
export function ensureBicep() {
  const path = bicepPath();
  if (existsSync(path)) return path;
  const reason = unavailableReason();
  if (reason) throw new Error(`No Bicep compiler: ${reason}.`);
  const restore = spawnSync('dotnet', ['restore', PROJECT], {
    stdio: ['ignore', process.stderr, process.stderr],
    env: { ...process.env, DOTNET_NOLOGO: '1', DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
  });
  if (restore.status !== 0 || !existsSync(path)) throw new Error(`dotnet restore ${PROJECT} did not bring ${path}`);
  return path;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let path;
  try {
    path = ensureBicep();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  const run = spawnSync(path, process.argv.slice(2), { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
