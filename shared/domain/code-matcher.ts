/**
 * Finds an event's CMG code from its categories and subject (MAPPING.md §2). Built once per
 * mailbox context: the lookup tables are what makes mapping 100,000 events fast.
 */
import type { CmgCode } from './cmg-code.js';
import type { MappingSettings } from './mapping-settings.js';

export interface CodeMatcher {
  /** The matched code, or undefined; `subject` is already without a forwarding prefix. */
  match(categories: readonly string[], subject: string): string | undefined;
}

type MatcherSettings = Pick<MappingSettings, 'categoryCodes' | 'codeAliases' | 'codeLanguages' | 'codeOnlyAliases' | 'codeMatchFields'>;

interface Candidate {
  readonly key: string;
  readonly code: string;
}

const normalise = (value: string): string => value.trim().toLowerCase();
const primaryLanguage = (language: string): string => normalise(language).split('-')[0] ?? '';
const WORD_CHAR = /[\p{L}\p{N}_]/u;

/** A letter, digit or underscore; ASCII without the regular expression. */
function isWordChar(codePoint: number): boolean {
  if (codePoint < 0x80) {
    return (codePoint >= 0x61 && codePoint <= 0x7a) || (codePoint >= 0x41 && codePoint <= 0x5a) || (codePoint >= 0x30 && codePoint <= 0x39) || codePoint === 0x5f;
  }
  return WORD_CHAR.test(String.fromCodePoint(codePoint));
}

/** "Lower code" for ties: numerically when both codes are numbers (CMG's usual codes), else by text. */
export function compareCodes(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

function table(candidates: readonly Candidate[]): Map<string, string> {
  const byKey = new Map<string, string>();
  for (const { key, code } of candidates) {
    const held = byKey.get(key);
    if (held === undefined || compareCodes(code, held) < 0) byKey.set(key, code);
  }
  return byKey;
}

export function createCodeMatcher(settings: MatcherSettings, codes: readonly CmgCode[], userLanguage: string): CodeMatcher {
  const languages = new Set((settings.codeLanguages.length > 0 ? settings.codeLanguages : [userLanguage]).map(primaryLanguage));
  const toCandidates = (entries: Iterable<[string, string]>): Candidate[] =>
    [...entries].map(([key, code]) => ({ key: normalise(key), code: code.trim() })).filter((c) => c.key !== '');

  const categoryMap = toCandidates(Object.entries(settings.categoryCodes));
  const aliases = toCandidates(Object.entries(settings.codeAliases));
  const descriptions = settings.codeOnlyAliases
    ? []
    : toCandidates(
        codes.flatMap((c) =>
          Object.entries(c.descriptions)
            .filter(([language]) => languages.has(primaryLanguage(language)))
            .map(([, description]): [string, string] => [description, c.code]),
        ),
      );

  // Categories: the explicit map outranks aliases, which outrank descriptions; within one level
  // the event's first matching category wins.
  const categoryLevels = settings.codeMatchFields.includes('category') ? [table(categoryMap), table(aliases), table(descriptions)] : [];

  // Subjects: longest key first, ties to the lower code; bucketed by first character so a
  // subject is only compared with keys that can start it.
  const subjectBuckets = new Map<string, Candidate[]>();
  if (settings.codeMatchFields.includes('subject')) {
    const sorted = [...table([...aliases, ...descriptions])]
      .map(([key, code]) => ({ key, code }))
      .sort((a, b) => b.key.length - a.key.length || compareCodes(a.code, b.code));
    for (const candidate of sorted) {
      const first = candidate.key[0]!;
      const bucket = subjectBuckets.get(first) ?? [];
      bucket.push(candidate);
      subjectBuckets.set(first, bucket);
    }
  }

  return {
    match(categories, subject) {
      for (const level of categoryLevels) {
        if (level.size === 0) continue;
        for (const category of categories) {
          const code = level.get(normalise(category));
          if (code !== undefined) return code;
        }
      }
      const text = normalise(subject);
      const bucket = subjectBuckets.get(text[0] ?? '');
      if (bucket === undefined) return undefined;
      for (const { key, code } of bucket) {
        if (!text.startsWith(key)) continue;
        // A whole word: "Lunch with Tom" matches "Lunch", "Lunchtime" does not.
        const next = text.codePointAt(key.length);
        if (next === undefined || !isWordChar(next)) return code;
      }
      return undefined;
    },
  };
}
