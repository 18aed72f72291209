/**
 * What `azd deploy` packages: .funcignore and azure.yaml as the azd people have reads them.
 * .funcignore uses anchored patterns only (checked here with a matcher for that subset of the
 * gitignore syntax) and no negation, which azd before 1.23.13 mishandled.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = process.cwd();
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

describe('the deployment package', () => {
  it('when .funcignore is read, then every pattern is anchored and none is negated', () => {
    expect(patterns.filter((p) => p.startsWith('!'))).toEqual([]);
    expect(patterns.filter((p) => !p.startsWith('/'))).toEqual([]);
  });

  it('when the project is packaged, then the compiled functions, their dependencies and the host files go in', () => {
    const kept = ['dist/functions/mailbox-sync.js', 'dist/shared/cmg/cmg-client.js', 'dist/shared/config/config.js', 'node_modules/axios/package.json', 'host.json', 'package.json'];
    expect(kept.filter(excluded)).toEqual([]);
  });

  it('when the project is packaged, then sources, tests, infra, tools and local settings stay out', () => {
    const left = ['shared/cmg/cmg-client.ts', 'functions/mailbox-sync.ts', 'test/infra/packaging.test.ts', 'infra/main.bicep', 'tools/emulators/cmg/cmg-emulator.ts', 'dist/tools/dev-host/main.js', 'dist/bench/run.js', 'local.settings.json', 'tsconfig.json', 'vitest.config.ts', '.azure/contoso-prod/.env', '.git/config'];
    expect(left.filter((p) => !excluded(p))).toEqual([]);
  });

  it('when azure.yaml is read, then it deploys the local build (remoteBuild false) and requires an azd that packages it right', () => {
    const yaml = readFileSync(join(ROOT, 'azure.yaml'), 'utf8');
    expect(yaml).toMatch(/^ {4}remoteBuild: false$/m);
    expect(yaml).toMatch(/^requiredVersions:\n {2}azd: ">= 1\.23\.13"$/m);
  });
});
