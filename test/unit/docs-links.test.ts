import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
/** Markdown links and images: `[text](target)`; autolinks to loopback (the dev host) are not links away. */
const LINK = /!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g;

describe('links in README and docs/', () => {
  it.each(DOCS)('when %s links somewhere, then the target is a file of this repository', (doc) => {
    const text = readFileSync(join(ROOT, doc), 'utf8');
    const leaving: string[] = [];
    for (const match of text.matchAll(LINK)) {
      const target = match[1]!.split('#')[0]!;
      if (target === '') continue;
      const file = resolve(ROOT, dirname(doc), decodeURIComponent(target));
      if (/^[a-z]+:/i.test(target) || relative(ROOT, file).startsWith('..') || !existsSync(file)) leaving.push(match[1]!);
    }
    expect(leaving).toEqual([]);
  });
});
