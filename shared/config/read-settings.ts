/**
 * Reads a group of settings from an environment-like record, collecting every problem so that
 * one message lists all bad settings by name (never their values when secret).
 */
import type { Setting } from './setting.js';
import { redactText } from '../observability/logger.js';

export type SettingSpecs = Record<string, Setting<unknown>>;
export type SettingValues<S extends SettingSpecs> = { [K in keyof S]: S[K] extends Setting<infer T> ? T : never };
export type Env = Record<string, string | undefined>;

export interface SettingProblem {
  name: string;
  problem: string;
  expected: string;
}

export type ReadResult<S extends SettingSpecs> =
  | { ok: true; values: SettingValues<S> }
  | { ok: false; problems: SettingProblem[] };

export function readSettings<S extends SettingSpecs>(specs: S, env: Env): ReadResult<S> {
  const values: Record<string, unknown> = {};
  const problems: SettingProblem[] = [];
  for (const [name, setting] of Object.entries(specs)) {
    const given = env[name];
    const unset = given === undefined || (given.trim() === '' && !setting.meta.emptyIsValue);
    const raw = unset ? setting.meta.default : given;
    if (raw === undefined) {
      if (setting.meta.required) problems.push({ name, problem: 'is required but not set', expected: setting.meta.expected });
      else values[name] = undefined;
      continue;
    }
    if (isKeyVaultReference(raw)) {
      problems.push({ name, problem: KEY_VAULT_PROBLEM, expected: setting.meta.expected });
      continue;
    }
    const parsed = setting.schema.safeParse(raw);
    if (parsed.success) {
      values[name] = parsed.data;
    } else {
      const detail = parsed.error.issues.map((i) => i.message).join('; ');
      problems.push({
        name,
        problem: setting.meta.secret ? 'is not valid' : `is not valid (${redactText(detail)})`,
        expected: setting.meta.expected,
      });
    }
  }
  return problems.length === 0 ? { ok: true, values: values as SettingValues<S> } : { ok: false, problems };
}

/**
 * App Service replaces `@Microsoft.KeyVault(...)` with the secret at start; when it cannot (no
 * access, a wrong URI, a deleted secret) the app receives the reference text itself. Read as a
 * value it would become a wrong password or key, so it stops start-up, named, never printed.
 * https://learn.microsoft.com/azure/app-service/app-service-key-vault-references
 */
export function isKeyVaultReference(value: string): boolean {
  return /^\s*@Microsoft\.KeyVault\(/i.test(value);
}

export const KEY_VAULT_PROBLEM =
  "is still a Key Vault reference: the platform could not resolve it (check the app identity's access to the vault and the secret's URI)";

/** One message listing every problem, one per line. */
export function describeProblems(problems: SettingProblem[]): string {
  const lines = problems.map((p) => `  - ${p.name} ${p.problem}; expected ${p.expected}`);
  return `Invalid settings (${problems.length}):\n${lines.join('\n')}`;
}
