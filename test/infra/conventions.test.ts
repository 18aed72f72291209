/**
 * Conventions of the Bicep sources that the compiler does not check: every resource has its API
 * version pinned and a comment line above it, and every role id variable names its built-in role
 * in a trailing comment that matches the role table.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INFRA } from './bicep.js';
import { BUILT_IN_ROLES } from './roles.js';

function bicepFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? bicepFiles(join(dir, e.name)) : e.name.endsWith('.bicep') ? [join(dir, e.name)] : []));
}

const FILES = bicepFiles(INFRA).map((path) => ({ name: relative(INFRA, path), lines: readFileSync(path, 'utf8').split('\n') }));

describe('Bicep conventions', () => {
  it('when a resource is declared, then its API version is pinned and a comment line sits above it', () => {
    const problems: string[] = [];
    let resources = 0;
    for (const { name, lines } of FILES) {
      lines.forEach((line, i) => {
        const m = /^\s*resource (\w+) '([^']+)'/.exec(line);
        if (!m) return;
        resources += 1;
        const at = `${name}:${i + 1} ${m[1]}`;
        if (m[2] !== 'config' && !/@\d{4}-\d{2}-\d{2}(-preview)?$/.test(m[2]!)) problems.push(`${at}: API version not pinned (${m[2]})`);
        let above = i - 1;
        while (above >= 0 && /^\s*@/.test(lines[above]!)) above -= 1;
        if (!/^\s*\/\//.test(lines[above] ?? '')) problems.push(`${at}: no comment line above`);
      });
    }
    expect(problems).toEqual([]);
    expect(resources).toBeGreaterThan(25);
  });

  it('when a role id variable is declared, then its trailing comment names the built-in role with that id', () => {
    const wrong: string[] = [];
    let roles = 0;
    for (const { name, lines } of FILES) {
      lines.forEach((line, i) => {
        const m = /^var (\w+) = '([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'(?:\s*\/\/\s*(.+))?$/i.exec(line.trim());
        if (!m) return;
        roles += 1;
        const [, variable, guid, comment] = m;
        const at = `${name}:${i + 1} ${variable}`;
        if (!comment) wrong.push(`${at}: no trailing comment with the role name`);
        else if (!(comment.trim() in BUILT_IN_ROLES)) wrong.push(`${at}: "${comment.trim()}" is not in the role table`);
        else if (BUILT_IN_ROLES[comment.trim()] !== guid!.toLowerCase()) wrong.push(`${at}: ${guid} is not ${comment.trim()}`);
      });
    }
    expect(wrong).toEqual([]);
    expect(roles).toBe(7);
  });
});
