/**
 * What the docs say about the app's functions stays true: every "N functions" in README.md and
 * docs/ is the number the app registers, and deploy.md's table of functions lists exactly the
 * registered ones, each with its trigger and, for HTTP, its method and route.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { registeredFunctions } from '../support/function-registrations.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty'];
const COUNT = new RegExp(`\\b(\\d+|${WORDS.join('|')}) (?:Azure )?functions\\b`, 'gi');

/** The rows of deploy.md's "### The functions" table: name, trigger. */
function documentedFunctions(): Array<{ name: string; trigger: string }> {
  const text = readFileSync(join(ROOT, 'docs', 'deploy.md'), 'utf8');
  const lines = text.slice(text.indexOf('### The functions')).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, i) => i > first && !line.startsWith('|'));
  return lines
    .slice(first, end === -1 ? undefined : end)
    .map((line) => /^\| `([\w-]+)` \| ([^|]+) \|/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[1]!, trigger: m[2]!.trim() }));
}

describe('the functions in the docs', () => {
  it('when README.md or docs/ state how many functions the app has, then it is the number the app registers', async () => {
    const count = (await registeredFunctions()).length;
    const statements = DOCS.flatMap((doc) => [...readFileSync(join(ROOT, doc), 'utf8').matchAll(COUNT)].map((m) => ({ doc, said: m[0], n: /^\d+$/.test(m[1]!) ? Number(m[1]) : WORDS.indexOf(m[1]!.toLowerCase()) })));
    expect(statements.filter((s) => s.doc === 'docs/deploy.md').length).toBeGreaterThan(0);
    expect(statements.filter((s) => s.n !== count)).toEqual([]);
  });

  it("when deploy.md's table of functions is read, then it lists every registered function with its trigger", async () => {
    const described = (await registeredFunctions()).map((r) => {
      if (r.kind === 'http') return `${r.name}: HTTP ${r.methods!.join(', ')} /api/${r.route!}`;
      if (r.kind === 'serviceBusQueue') return `${r.name}: Service Bus queue`;
      return `${r.name}: ${r.kind}`;
    });
    const documented = documentedFunctions().map(({ name, trigger }) => {
      const http = /^HTTP `([A-Z, ]+) \/api\/([^`]+)`$/.exec(trigger);
      if (http) return `${name}: HTTP ${http[1]} /api/${http[2]}`;
      if (trigger.startsWith('Service Bus queue')) return `${name}: Service Bus queue`;
      return `${name}: ${trigger.split(',')[0]}`;
    });
    expect(documented.sort()).toEqual(described.sort());
  });
});
