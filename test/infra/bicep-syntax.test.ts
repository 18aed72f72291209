/**
 * Every Bicep file under infra/ parses with tree-sitter-bicep. This is a syntax check only: there is
 * no Bicep CLI here, so types, API versions and property names are checked by `az bicep build` /
 * `azd provision --preview` on the operator's machine (docs/deploy.md).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Parser from 'tree-sitter';
import Bicep from 'tree-sitter-bicep';
import { describe, expect, it } from 'vitest';
import { syntaxProblems } from './bicep-ast.js';

const INFRA = join(process.cwd(), 'infra');

function bicepFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? bicepFiles(join(dir, e.name)) : e.name.endsWith('.bicep') ? [join(dir, e.name)] : [],
  );
}

describe('Bicep syntax', () => {
  const files = bicepFiles(INFRA);

  it('when infra/ is listed, then it holds main.bicep and the app modules', () => {
    const names = files.map((f) => f.slice(INFRA.length + 1));
    expect(names).toEqual(expect.arrayContaining(['main.bicep', 'app/api.bicep', 'app/rbac.bicep', 'app/servicebus.bicep']));
  });

  it.each(files.map((f) => [f.slice(INFRA.length + 1), f]))('when %s is parsed, then it has no ERROR or MISSING node', (_name, file) => {
    expect(syntaxProblems(file)).toEqual([]);
  });

  it('when a file has a syntax error, then the problem names the file and line', () => {
    // Guard for the check itself: a broken snippet must be reported, not pass silently.
    const problems = syntaxProblems('broken.bicep', parseSnippet("param x string = 'a'\nresource r 'T@1' = {\n  name: \n"));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/^broken\.bicep:\d+:\d+ /);
  });
});

function parseSnippet(text: string) {
  const p = new Parser();
  p.setLanguage(Bicep as unknown as Parser.Language);
  return p.parse(text).rootNode;
}
