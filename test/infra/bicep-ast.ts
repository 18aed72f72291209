/**
 * Reading the Bicep files with tree-sitter-bicep, for the infra tests: syntax errors, declarations,
 * and which app settings reach the function app (followed through vars, union(), ternaries and
 * module parameters). No Bicep CLI here, so this is the static check we can run.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import Parser from 'tree-sitter';
import Bicep from 'tree-sitter-bicep';

export type Node = Parser.SyntaxNode;

const parser = new Parser();
parser.setLanguage(Bicep as unknown as Parser.Language);

export interface BicepFile {
  path: string;
  root: Node;
  params: Map<string, Node>;
  vars: Map<string, Node>;
}

const cache = new Map<string, BicepFile>();

export function loadBicep(path: string): BicepFile {
  const cached = cache.get(path);
  if (cached) return cached;
  const root = parser.parse(readFileSync(path, 'utf8')).rootNode;
  const params = new Map<string, Node>();
  const vars = new Map<string, Node>();
  for (const stmt of root.namedChildren) {
    const name = stmt.namedChildren[0]?.text;
    if (!name) continue;
    if (stmt.type === 'parameter_declaration') params.set(name, stmt);
    if (stmt.type === 'variable_declaration') vars.set(name, stmt);
  }
  const file = { path, root, params, vars };
  cache.set(path, file);
  return file;
}

/** Every ERROR or MISSING node, as `file:line:column what`. */
export function syntaxProblems(path: string, root: Node = loadBicep(path).root): string[] {
  const problems: string[] = [];
  const at = (n: Node) => `${relative(process.cwd(), path)}:${n.startPosition.row + 1}:${n.startPosition.column + 1}`;
  const walk = (n: Node) => {
    if (n.type === 'ERROR') problems.push(`${at(n)} syntax error near ${JSON.stringify(n.text.slice(0, 40))}`);
    else if (n.isMissing) problems.push(`${at(n)} missing ${JSON.stringify(n.type)}`);
    for (const c of n.children) walk(c);
  };
  walk(root);
  if (problems.length === 0 && root.hasError) problems.push(`${at(root)} parse error`);
  return problems;
}

/** The value of a plain string literal (no interpolation), else undefined. */
export function stringLiteral(n: Node | null | undefined): string | undefined {
  if (!n || n.type !== 'string') return undefined;
  let out = '';
  for (const c of n.namedChildren) {
    if (c.type === 'string_content') out += c.text;
    else if (c.type === 'escape_sequence') out += JSON.parse(`"${c.text.replace(/^\\'/, "'").replace(/^\\\$/, '$')}"`);
    else return undefined;
  }
  return out;
}

/** The key of an object property: identifier or string literal. */
export function propertyKey(prop: Node): string {
  const key = prop.namedChildren[0]!;
  return key.type === 'string' ? (stringLiteral(key) ?? key.text) : key.text;
}

/** The value node of an object property (the last named child; comments are not named children here). */
export function propertyValue(prop: Node): Node {
  const kids = prop.namedChildren.filter((c) => c.type !== 'comment');
  return kids[kids.length - 1]!;
}

export function objectProperties(obj: Node): Node[] {
  return obj.namedChildren.filter((c) => c.type === 'object_property');
}

export function getProperty(obj: Node | null | undefined, key: string): Node | undefined {
  if (!obj || obj.type !== 'object') return undefined;
  const prop = objectProperties(obj).find((p) => propertyKey(p) === key);
  return prop ? propertyValue(prop) : undefined;
}

/** The default value node of a parameter declaration, if any. */
export function paramDefault(decl: Node): Node | undefined {
  const kids = decl.namedChildren.filter((c) => c.type !== 'comment');
  return kids.length >= 3 ? kids[kids.length - 1] : undefined;
}

export function varValue(decl: Node): Node {
  const kids = decl.namedChildren.filter((c) => c.type !== 'comment');
  return kids[kids.length - 1]!;
}

/** A literal default as the app-setting string it becomes: 'x' → x, 24 → "24", true → "true", {} → "{}". */
export function literalAsSetting(n: Node): string | undefined {
  switch (n.type) {
    case 'string':
      return stringLiteral(n);
    case 'number':
    case 'boolean':
      return n.text;
    case 'object':
      return objectProperties(n).length === 0 ? '{}' : undefined;
    default:
      return undefined;
  }
}

export interface Resource {
  file: BicepFile;
  symbol: string;
  /** e.g. Microsoft.Web/sites@2024-04-01, or 'config' for a nested child. */
  type: string;
  body: Node;
  node: Node;
}

/** Every resource declaration (nested ones too), with its body object (through `if (...)`). */
export function resources(file: BicepFile): Resource[] {
  const out: Resource[] = [];
  const walk = (n: Node) => {
    if (n.type === 'resource_declaration') {
      const [symbol, type] = n.namedChildren;
      const last = n.namedChildren[n.namedChildren.length - 1]!;
      const body = last.type === 'if_statement' ? last.namedChildren.find((c) => c.type === 'object') : last;
      if (symbol && type && body && body.type === 'object' && !n.text.match(/^resource\s+\S+\s+'[^']+'\s+existing\b/)) {
        out.push({ file, symbol: symbol.text, type: stringLiteral(type) ?? type.text, body, node: n });
      }
    }
    for (const c of n.namedChildren) walk(c);
  };
  walk(file.root);
  return out;
}

export interface ModuleCall {
  symbol: string;
  path: string;
  params: Node | undefined;
}

export function modules(file: BicepFile): ModuleCall[] {
  return file.root.namedChildren
    .filter((s) => s.type === 'module_declaration')
    .map((s) => {
      const [symbol, path, body] = s.namedChildren;
      return { symbol: symbol!.text, path: stringLiteral(path) ?? '', params: getProperty(body, 'params') };
    });
}

/** Where a module file is called from: the caller file and its `params:` object. */
export interface Caller {
  file: BicepFile;
  params: Node | undefined;
}

export interface Context {
  file: BicepFile;
  caller?: Caller | undefined;
}

export interface Emission {
  /** The value expression of the setting. */
  value: Node;
  ctx: Context;
  /** Emitted only on one branch of a condition. */
  conditional: boolean;
}

/**
 * The app settings an expression can produce, by name. Follows object literals, union(),
 * ternaries (both branches, marked conditional), parentheses, vars and module parameters.
 * Anything else is an error: the test must not silently miss settings.
 */
export function collectSettings(
  expr: Node,
  ctx: Context,
  conditional = false,
  out = new Map<string, Emission[]>(),
  /** Vars built per deployment (lambdas over a parameter array): left to bicep-eval.ts. */
  skip: ReadonlySet<string> = new Set(),
): Map<string, Emission[]> {
  const add = (key: string, e: Emission) => out.set(key, [...(out.get(key) ?? []), e]);
  switch (expr.type) {
    case 'object':
      for (const prop of objectProperties(expr)) add(propertyKey(prop), { value: propertyValue(prop), ctx, conditional });
      return out;
    case 'parenthesized_expression':
      return collectSettings(expr.namedChildren[0]!, ctx, conditional, out, skip);
    case 'ternary_expression':
      collectSettings(expr.childForFieldName('consequence')!, ctx, true, out, skip);
      collectSettings(expr.childForFieldName('alternative')!, ctx, true, out, skip);
      return out;
    case 'call_expression': {
      const fn = expr.childForFieldName('function')?.text;
      if (fn !== 'union') throw new Error(`${where(expr, ctx)}: cannot follow app settings through ${fn}()`);
      const args = expr.childForFieldName('arguments')!.namedChildren.filter((c) => c.type !== 'comment');
      for (const arg of args) collectSettings(arg, ctx, conditional, out, skip);
      return out;
    }
    case 'identifier': {
      if (skip.has(expr.text)) return out;
      const resolved = resolveIdentifier(expr, ctx);
      if (!resolved) throw new Error(`${where(expr, ctx)}: cannot resolve ${expr.text}`);
      return collectSettings(resolved.node, resolved.ctx, conditional, out, skip);
    }
    default:
      throw new Error(`${where(expr, ctx)}: cannot follow app settings through a ${expr.type}`);
  }
}

/** A var's value, or a module parameter's argument in the caller (or its default). */
export function resolveIdentifier(id: Node, ctx: Context): { node: Node; ctx: Context } | undefined {
  const name = id.text;
  const v = ctx.file.vars.get(name);
  if (v) return { node: varValue(v), ctx };
  const p = ctx.file.params.get(name);
  if (p) {
    const arg = getProperty(ctx.caller?.params, name);
    if (arg && ctx.caller) return { node: arg, ctx: { file: ctx.caller.file } };
    const d = paramDefault(p);
    if (d) return { node: d, ctx };
  }
  return undefined;
}

export interface ParamSource {
  file: BicepFile;
  name: string;
  default: Node | undefined;
}

/**
 * The parameter a setting value comes from, when it is one: `p`, `string(p)`, `p ? 'true' : 'false'`,
 * through vars and module parameters up to the top-level parameter. Undefined otherwise.
 */
export function traceParam(n: Node, ctx: Context): ParamSource | undefined {
  switch (n.type) {
    case 'parenthesized_expression':
      return traceParam(n.namedChildren[0]!, ctx);
    case 'call_expression': {
      const fn = n.childForFieldName('function')?.text;
      const args = n.childForFieldName('arguments')!.namedChildren;
      return fn === 'string' && args.length === 1 ? traceParam(args[0]!, ctx) : undefined;
    }
    case 'ternary_expression': {
      const yes = stringLiteral(n.childForFieldName('consequence'));
      const no = stringLiteral(n.childForFieldName('alternative'));
      return yes === 'true' && no === 'false' ? traceParam(n.childForFieldName('condition')!, ctx) : undefined;
    }
    case 'identifier': {
      const name = n.text;
      const v = ctx.file.vars.get(name);
      if (v) return traceParam(varValue(v), ctx);
      const p = ctx.file.params.get(name);
      if (!p) return undefined;
      const arg = getProperty(ctx.caller?.params, name);
      if (arg && ctx.caller) return traceParam(arg, { file: ctx.caller.file });
      return { file: ctx.file, name, default: paramDefault(p) };
    }
    default:
      return undefined;
  }
}

/** The source text an expression stands for, following var identifiers once (for Key Vault references). */
export function expressionText(n: Node, ctx: Context): string {
  if (n.type === 'identifier') {
    const v = ctx.file.vars.get(n.text);
    if (v) return expressionText(varValue(v), ctx);
  }
  return n.text;
}

export function where(n: Node, ctx: Context): string {
  return `${relative(process.cwd(), ctx.file.path)}:${n.startPosition.row + 1}`;
}
