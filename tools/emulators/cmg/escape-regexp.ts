/** A literal text as a RegExp source: virtual paths hold spaces and may hold `.`, `(` and the like. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
