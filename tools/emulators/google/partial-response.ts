/**
 * Google's `fields=` partial response: `a,b/c,d(e,f/g)`; a selection inside an array applies
 * to each element. https://developers.google.com/calendar/api/guides/performance#partial-response
 * The emulator applies it so a field the client forgets to ask for is really missing.
 */

/** Selected names; `null` selects the whole value. */
type FieldTree = Map<string, FieldTree | null>;

export function parseFields(spec: string): FieldTree {
  let i = 0;
  const readName = (): string => {
    const start = i;
    while (i < spec.length && !',/()'.includes(spec[i]!)) i += 1;
    const name = spec.slice(start, i).trim();
    if (name === '') throw new Error(`Invalid field selection at ${start}`);
    return name;
  };
  const select = (node: FieldTree, name: string, sub: FieldTree | null): void => {
    const existing = node.get(name);
    if (existing === null) return;
    if (sub === null || existing === undefined) {
      node.set(name, sub);
      return;
    }
    for (const [k, v] of sub) select(existing, k, v);
  };
  const parseList = (): FieldTree => {
    const tree: FieldTree = new Map();
    while (i < spec.length && spec[i] !== ')') {
      const path = [readName()];
      while (spec[i] === '/') {
        i += 1;
        path.push(readName());
      }
      let sub: FieldTree | null = null;
      if (spec[i] === '(') {
        i += 1;
        sub = parseList();
        if (spec[i] !== ')') throw new Error('Invalid field selection: unclosed (');
        i += 1;
      }
      for (let k = path.length - 1; k > 0; k -= 1) sub = new Map([[path[k]!, sub]]);
      select(tree, path[0]!, sub);
      if (spec[i] === ',') i += 1;
    }
    return tree;
  };
  const tree = parseList();
  if (i !== spec.length) throw new Error('Invalid field selection: unbalanced )');
  return tree;
}

export function applyFields(value: unknown, tree: FieldTree): unknown {
  if (Array.isArray(value)) return value.map((v) => applyFields(v, tree));
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, sub] of tree) {
    if (source[name] === undefined) continue;
    out[name] = sub === null ? source[name] : applyFields(source[name], sub);
  }
  return out;
}
