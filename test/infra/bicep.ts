/**
 * The real Bicep compiler for the infra tests (tools/bicep/bicep.mjs, pinned by
 * tools/bicep/bicep.csproj): build, lint, build-params and snapshot, run on a copy of infra/ in a
 * temporary folder, since a snapshot is written beside its parameters file. Where the compiler
 * cannot be had (no .NET SDK to restore it), the suites fail in CI and are skipped elsewhere,
 * saying why.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { ensureBicep, unavailableReason } from '../../tools/bicep/bicep.mjs';

export const ROOT = process.cwd();
export const INFRA = join(ROOT, 'infra');

/** Stand-ins for what `bicep snapshot` cannot know offline: where the deployment runs. */
export const SUBSCRIPTION_ID = '00000000-0000-0000-0000-0000000000a1';
export const TENANT_ID = '00000000-0000-0000-0000-0000000000b1';

const missing = unavailableReason();

/** A suite that needs the compiler: failed in CI without it, skipped elsewhere with the reason. */
export function describeWithBicep(name: string, body: () => void): void {
  if (!missing) {
    describe(name, body);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('has the Bicep compiler (npm run bicep:restore)', () => {
        throw new Error(`No Bicep compiler: ${missing}`);
      });
    });
  } else {
    console.warn(`Skipped "${name}": no Bicep compiler here (${missing}).`);
    describe.skip(`${name} (no Bicep compiler: ${missing})`, body);
  }
}

export interface BicepRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the compiler with a clean environment: only PATH and HOME, plus `env`, so that variables
 * of the machine (an operator's azd environment, say) cannot reach readEnvironmentVariable().
 */
export function bicep(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<BicepRun> {
  const path = ensureBicep();
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export interface Diagnostic {
  file: string;
  line: number;
  level: string;
  code: string;
  message: string;
}

const DIAGNOSTIC = /^(.+)\((\d+),(\d+)\) : (Error|Warning|Info) ([\w-]+): (.*?)(?: \[https?:[^\]]+\])?$/;

/** The compiler's diagnostics in what it printed, as `file:line level code: message` facts. */
export function diagnostics(output: string): Diagnostic[] {
  return output
    .split('\n')
    .map((line) => DIAGNOSTIC.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ file: m[1]!, line: Number(m[2]), level: m[4]!, code: m[5]!, message: m[6]! }));
}

/** A copy of infra/ in a new temporary folder (its path), and how to remove it. */
export function copyOfInfra(): { infra: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'calsync-infra-'));
  const infra = join(dir, 'infra');
  cpSync(INFRA, infra, { recursive: true });
  return { infra, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A parameters file beside `base` (in the same folder, so its `using` path holds) with the given
 * parameters replaced or added, as Bicep expressions.
 */
export function variantOf(base: string, name: string, params: Readonly<Record<string, string>>): string {
  let text = readFileSync(base, 'utf8');
  for (const [param, expression] of Object.entries(params)) {
    const line = new RegExp(`^param ${param} = .*$`, 'm');
    text = line.test(text) ? text.replace(line, `param ${param} = ${expression}`) : `${text.trimEnd()}\nparam ${param} = ${expression}\n`;
  }
  const file = join(base, '..', `${name}.bicepparam`);
  writeFileSync(file, text);
  return file;
}

export interface PredictedResource {
  id: string;
  type: string;
  name: string;
  apiVersion: string;
  location?: string;
  kind?: string;
  tags?: Record<string, string>;
  sku?: Record<string, unknown>;
  identity?: { type: string; userAssignedIdentities?: Record<string, unknown> };
  // Resource bodies differ by type; the tests read the properties they state.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  properties?: any;
}

export interface Snapshot {
  predictedResources: PredictedResource[];
  outputs: Record<string, unknown>;
  diagnostics: string[];
}

export interface SnapshotOptions {
  /** Environment variables for readEnvironmentVariable() (a fake azd environment). */
  env?: Readonly<Record<string, string>>;
  /** Deployment location (a subscription deployment has one of its own). */
  location?: string;
  /** For a parameters file of a resource-group module. */
  resourceGroup?: string;
}

/** `bicep snapshot` of a parameters file: the resources the deployment would create. */
export async function snapshot(paramsFile: string, options: SnapshotOptions = {}): Promise<Snapshot> {
  const args = ['snapshot', paramsFile, '--mode', 'overwrite', '--subscription-id', SUBSCRIPTION_ID, '--tenant-id', TENANT_ID, '--location', options.location ?? 'swedencentral'];
  if (options.resourceGroup) args.push('--resource-group', options.resourceGroup);
  const run = await bicep(args, options.env);
  if (run.status !== 0) throw new Error(`bicep snapshot ${paramsFile} failed:\n${run.stdout}${run.stderr}`);
  return JSON.parse(readFileSync(paramsFile.replace(/\.bicepparam$/, '.snapshot.json'), 'utf8')) as Snapshot;
}

/** `bicep build-params`: the parameters as ARM would get them, or the compiler's refusal. */
export async function buildParams(paramsFile: string, env: Readonly<Record<string, string>> = {}): Promise<BicepRun & { parameters?: Record<string, unknown> }> {
  const run = await bicep(['build-params', paramsFile, '--stdout'], env);
  if (run.status !== 0) return run;
  const built = JSON.parse(run.stdout) as { parametersJson: string };
  const parameters = (JSON.parse(built.parametersJson) as { parameters: Record<string, { value: unknown }> }).parameters;
  return { ...run, parameters: Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, v.value])) };
}

/** Runs `work` over `items`, at most `limit` at a time (the machine has two cores). */
export async function inTurn<T, R>(items: readonly T[], work: (item: T) => Promise<R>, limit = 2): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
