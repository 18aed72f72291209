/**
 * Evaluating the Bicep for one parameter file, for the infra tests: what a deployment of that file
 * sets (app settings, module conditions, outputs), computed from the syntax tree. It covers the
 * expressions the templates use (literals, interpolation, operators, lambdas, user-defined
 * functions, the built-in functions listed below); a resource or module property is known only
 * at deployment, so it evaluates to a `Deferred` naming it. Anything else is an error, so that a
 * test never passes on an expression it did not understand.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { getProperty, loadBicep, objectProperties, paramDefault, propertyValue, varValue, where, type BicepFile, type Node } from './bicep-ast.js';

/** A value known only at deployment: a resource or module property. */
export class Deferred {
  constructor(readonly text: string) {}
}

export type Value = string | number | boolean | null | Deferred | Lambda | Value[] | { [key: string]: Value };

interface Lambda {
  readonly params: string[];
  readonly body: Node;
  readonly scope: Scope;
}

const isLambda = (v: unknown): v is Lambda => typeof v === 'object' && v !== null && 'body' in v && 'params' in v && 'scope' in v;
const isObject = (v: Value): v is { [key: string]: Value } => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Deferred) && !isLambda(v);

export interface Scope {
  readonly file: BicepFile;
  /** Parameter values given (a parameter file, or a module call's arguments). */
  readonly args: Readonly<Record<string, Value>>;
  /** Lambda and function parameters. */
  readonly locals: ReadonlyMap<string, Value>;
  /** Inside a user-defined function: no file vars or params (as in Bicep). */
  readonly inFunction: boolean;
}

/** The scope of a deployment of `file` with these parameter values. */
export function deploymentScope(file: BicepFile, args: Record<string, Value>): Scope {
  return { file, args, locals: new Map(), inFunction: false };
}

/** The scope of a module file called from `caller` with the call's `params:` object. */
export function moduleScope(caller: Scope, modulePath: string): Scope {
  const call = caller.file.root.namedChildren.find((s) => s.type === 'module_declaration' && s.namedChildren[1]?.text === `'${modulePath}'`);
  if (!call) throw new Error(`${caller.file.path} does not call ${modulePath}`);
  const body = call.namedChildren[call.namedChildren.length - 1]!;
  const object = body.type === 'if_statement' ? body.namedChildren.find((c) => c.type === 'object')! : body;
  const params = getProperty(object, 'params');
  const args: Record<string, Value> = {};
  if (params) for (const prop of objectProperties(params)) args[prop.namedChildren[0]!.text] = evaluate(propertyValue(prop), caller);
  return deploymentScope(loadBicep(join(dirname(caller.file.path), modulePath)), args);
}

/** The condition of a module or resource declared with `if (...)`, or true. */
export function declarationCondition(scope: Scope, symbol: string): Value {
  const decl = findDeclaration(scope.file, symbol);
  const last = decl?.namedChildren[decl.namedChildren.length - 1];
  if (!decl) throw new Error(`${scope.file.path}: no declaration ${symbol}`);
  return last?.type === 'if_statement' ? evaluate(last.namedChildren[0]!, scope) : true;
}

export function evaluateVar(scope: Scope, name: string): Value {
  const decl = scope.file.vars.get(name);
  if (!decl) throw new Error(`${scope.file.path}: no var ${name}`);
  return evaluate(varValue(decl), scope);
}

export function evaluateOutput(scope: Scope, name: string): Value {
  const decl = scope.file.root.namedChildren.find((s) => s.type === 'output_declaration' && s.namedChildren[0]?.text === name);
  if (!decl) throw new Error(`${scope.file.path}: no output ${name}`);
  return evaluate(decl.namedChildren[decl.namedChildren.length - 1]!, scope);
}

function findDeclaration(file: BicepFile, symbol: string): Node | undefined {
  return file.root.namedChildren.find((s) => (s.type === 'module_declaration' || s.type === 'resource_declaration') && s.namedChildren[0]?.text === symbol);
}

function fail(n: Node, scope: Scope, what: string): never {
  throw new Error(`${where(n, { file: scope.file })}: ${what} (${n.text.slice(0, 80)})`);
}

export function evaluate(n: Node, scope: Scope): Value {
  switch (n.type) {
    case 'string':
      return evaluateString(n, scope);
    case 'number':
      return Number(n.text);
    case 'boolean':
      return n.text === 'true';
    case 'null':
      return null;
    case 'array':
      return n.namedChildren.filter((c) => c.type !== 'comment').map((c) => evaluate(c, scope));
    case 'object': {
      const out: Record<string, Value> = {};
      for (const prop of objectProperties(n)) {
        const keyNode = prop.namedChildren[0]!;
        const key = keyNode.type === 'string' ? evaluate(keyNode, scope) : keyNode.text;
        if (typeof key !== 'string') fail(keyNode, scope, 'object key is not a string');
        out[key] = evaluate(propertyValue(prop), scope);
      }
      return out;
    }
    case 'parenthesized_expression':
      return evaluate(n.namedChildren[0]!, scope);
    case 'identifier':
      return identifier(n, scope);
    case 'member_expression':
      return member(n, scope);
    case 'subscript_expression': {
      const object = evaluate(n.childForFieldName('object')!, scope);
      const index = evaluate(n.childForFieldName('index')!, scope);
      if (object instanceof Deferred) return new Deferred(`${object.text}[${String(index)}]`);
      if (Array.isArray(object) && typeof index === 'number') return object[index] ?? fail(n, scope, 'index out of range');
      if (isObject(object) && typeof index === 'string') return object[index] ?? fail(n, scope, `no property ${index}`);
      return fail(n, scope, 'cannot index this value');
    }
    case 'ternary_expression': {
      const condition = evaluate(n.childForFieldName('condition')!, scope);
      if (typeof condition !== 'boolean') fail(n, scope, 'condition is not known before deployment');
      return evaluate(n.childForFieldName(condition ? 'consequence' : 'alternative')!, scope);
    }
    case 'unary_expression': {
      const operator = n.child(0)!.type;
      const value = evaluate(n.namedChildren[0]!, scope);
      if (operator === '!' && typeof value === 'boolean') return !value;
      if (operator === '-' && typeof value === 'number') return -value;
      return fail(n, scope, `cannot apply ${operator}`);
    }
    case 'binary_expression':
      return binary(n, scope);
    case 'call_expression':
      return call(n, scope);
    case 'lambda_expression': {
      const [head, body] = n.namedChildren;
      const params = head!.type === 'identifier' ? [head!.text] : head!.namedChildren.map((c) => c.text);
      return { params, body: body!, scope };
    }
    default:
      return fail(n, scope, `cannot evaluate a ${n.type}`);
  }
}

function evaluateString(n: Node, scope: Scope): string {
  // tree-sitter-bicep gives a string of only blanks (`' '`) no content node: its text is the value.
  if (n.namedChildren.length === 0 && /^'\s*'$/.test(n.text)) return n.text.slice(1, -1);
  let out = '';
  for (const c of n.namedChildren) {
    if (c.type === 'string_content') out += c.text;
    else if (c.type === 'escape_sequence') out += c.text === "\\'" ? "'" : c.text === '\\$' ? '$' : (JSON.parse(`"${c.text}"`) as string);
    else if (c.type === 'interpolation') {
      const value = evaluate(c.namedChildren[0]!, scope);
      out += value instanceof Deferred ? `{${value.text}}` : typeof value === 'string' ? value : JSON.stringify(value);
    } else fail(c, scope, `unexpected ${c.type} in a string`);
  }
  return out;
}

function identifier(n: Node, scope: Scope): Value {
  const name = n.text;
  if (scope.locals.has(name)) return scope.locals.get(name)!;
  if (scope.inFunction) return fail(n, scope, `${name} is not visible in a function`);
  if (scope.file.vars.has(name)) return evaluateVar(scope, name);
  const param = scope.file.params.get(name);
  if (param) {
    if (name in scope.args) return scope.args[name]!;
    const fallback = paramDefault(param);
    if (!fallback || fallback.type === 'type' || fallback.type === 'primitive_type') return fail(n, scope, `parameter ${name} has no value and no default`);
    return evaluate(fallback, scope);
  }
  if (findDeclaration(scope.file, name) || isExistingResource(scope.file, name)) return new Deferred(name);
  return fail(n, scope, `unknown identifier ${name}`);
}

function isExistingResource(file: BicepFile, name: string): boolean {
  return file.root.namedChildren.some((s) => s.type === 'resource_declaration' && s.namedChildren[0]?.text === name);
}

function member(n: Node, scope: Scope): Value {
  const objectNode = n.childForFieldName('object')!;
  const property = n.childForFieldName('property')!.text;
  const safe = n.children.some((c) => c.type === '.?');
  // tree-sitter-bicep reads `x => x.p` as `(x => x).p`: put the access back into the lambda body.
  if (objectNode.type === 'lambda_expression') fail(n, scope, 'write a lambda body in parentheses: (p) => (p.name)');
  const object = evaluate(objectNode, scope);
  if (object instanceof Deferred) return new Deferred(`${object.text}.${property}`);
  if (isObject(object)) {
    if (property in object) return object[property]!;
    return safe ? null : fail(n, scope, `no property ${property}`);
  }
  return object === null && safe ? null : fail(n, scope, `cannot read ${property} of this value`);
}

function binary(n: Node, scope: Scope): Value {
  const operator = n.child(1)!.type;
  const left = evaluate(n.child(0)!, scope);
  if (operator === '??') return left ?? evaluate(n.child(2)!, scope);
  if (operator === '&&' && left === false) return false;
  if (operator === '||' && left === true) return true;
  const right = evaluate(n.child(2)!, scope);
  if (left instanceof Deferred || right instanceof Deferred) return fail(n, scope, 'operand not known before deployment');
  switch (operator) {
    case '==':
      return JSON.stringify(left) === JSON.stringify(right);
    case '!=':
      return JSON.stringify(left) !== JSON.stringify(right);
    case '&&':
    case '||':
      if (typeof right !== 'boolean') return fail(n, scope, 'operand is not a boolean');
      return right;
    case '+':
      if (typeof left === 'number' && typeof right === 'number') return left + right;
      break;
    default:
      break;
  }
  return fail(n, scope, `cannot apply ${operator}`);
}

function call(n: Node, scope: Scope): Value {
  const name = n.childForFieldName('function')!.text;
  const argNodes = n.childForFieldName('arguments')!.namedChildren.filter((c) => c.type !== 'comment');
  const fn = scope.file.root.namedChildren.find((s) => s.type === 'user_defined_function' && s.childForFieldName('name')?.text === name);
  const args = argNodes.map((a) => evaluate(a, scope));
  if (fn) {
    const params = fn.namedChildren.find((c) => c.type === 'parameters')!.namedChildren.map((p) => p.namedChildren[0]!.text);
    const locals = new Map(params.map((p, i) => [p, args[i] ?? null]));
    return evaluate(fn.namedChildren[fn.namedChildren.length - 1]!, { file: scope.file, args: {}, locals, inFunction: true });
  }
  const builtIn = BUILT_INS[name];
  if (!builtIn) return fail(n, scope, `function ${name}() is not known to this evaluator`);
  return builtIn(args, { node: n, scope });
}

function apply(lambda: Value, values: Value[], at: { node: Node; scope: Scope }): Value {
  if (!isLambda(lambda)) return fail(at.node, at.scope, 'expected a lambda');
  const locals = new Map(lambda.scope.locals);
  lambda.params.forEach((p, i) => locals.set(p, values[i] ?? null));
  return evaluate(lambda.body, { ...lambda.scope, locals });
}

const str = (v: Value, at: { node: Node; scope: Scope }): string => (typeof v === 'string' ? v : fail(at.node, at.scope, 'expected a string'));
const arr = (v: Value, at: { node: Node; scope: Scope }): Value[] => (Array.isArray(v) ? v : fail(at.node, at.scope, 'expected an array'));

/** Stand-in for uniqueString(): deterministic, 13 lower-case characters, as Azure's is. */
const unique = (parts: Value[]): string => createHash('sha256').update(JSON.stringify(parts)).digest('hex').replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]!).slice(0, 13);

const BUILT_INS: Record<string, (args: Value[], at: { node: Node; scope: Scope }) => Value> = {
  union: (args, at) => {
    if (args.every(Array.isArray)) return [...new Set(args.flat().map((v) => JSON.stringify(v)))].map((s) => JSON.parse(s) as Value);
    return Object.assign({}, ...args.map((a) => (isObject(a) ? a : fail(at.node, at.scope, 'union() of a non-object'))));
  },
  empty: ([v]) => v === null || v === '' || (Array.isArray(v) && v.length === 0) || (isObject(v!) && Object.keys(v).length === 0),
  contains: ([container, item], at) => {
    if (typeof container === 'string') return container.includes(str(item!, at));
    if (Array.isArray(container)) return container.some((v) => JSON.stringify(v) === JSON.stringify(item));
    if (isObject(container!)) return str(item!, at) in container;
    return fail(at.node, at.scope, 'contains() of this value');
  },
  length: ([v], at) => (typeof v === 'string' || Array.isArray(v) ? v.length : isObject(v!) ? Object.keys(v).length : fail(at.node, at.scope, 'length() of this value')),
  join: ([list, separator], at) => arr(list!, at).map((v) => str(v, at)).join(str(separator!, at)),
  split: ([text, separator], at) => str(text!, at).split(str(separator!, at)),
  concat: (args) => (args.every(Array.isArray) ? args.flat() : args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join('')),
  map: ([list, lambda], at) => arr(list!, at).map((v, i) => apply(lambda!, [v, i], at)),
  filter: ([list, lambda], at) => arr(list!, at).filter((v, i) => apply(lambda!, [v, i], at) === true),
  reduce: ([list, initial, lambda], at) => arr(list!, at).reduce<Value>((acc, v, i) => apply(lambda!, [acc, v, i], at), initial!),
  items: ([v], at) => (isObject(v!) ? Object.entries(v).map(([key, value]) => ({ key, value })) : fail(at.node, at.scope, 'items() of a non-object')),
  toUpper: ([v], at) => str(v!, at).toUpperCase(),
  toLower: ([v], at) => str(v!, at).toLowerCase(),
  trim: ([v], at) => str(v!, at).trim(),
  last: ([v], at) => (typeof v === 'string' ? v.slice(-1) : (arr(v!, at).at(-1) ?? null)),
  replace: ([v, from, to], at) => str(v!, at).split(str(from!, at)).join(str(to!, at)),
  take: ([v, count], at) => (typeof v === 'string' ? v.slice(0, Number(count)) : arr(v!, at).slice(0, Number(count))),
  string: ([v]) => (typeof v === 'string' ? v : v instanceof Deferred ? `{${v.text}}` : JSON.stringify(v)),
  uniqueString: (args) => unique(args),
  guid: (args) => createHash('sha256').update(JSON.stringify(args)).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5'),
  subscription: () => ({ id: '/subscriptions/00000000-0000-0000-0000-000000000000', subscriptionId: '00000000-0000-0000-0000-000000000000', tenantId: '00000000-0000-0000-0000-0000000000aa' }),
  tenant: () => ({ tenantId: '00000000-0000-0000-0000-0000000000aa' }),
  environment: () => ({ name: 'AzureCloud', suffixes: { storage: 'core.windows.net', keyvaultDns: '.vault.azure.net' } }),
  resourceId: (args, at) => {
    if (args.some((a) => a instanceof Deferred)) return new Deferred(`resourceId(${args.map((a) => (a instanceof Deferred ? a.text : JSON.stringify(a))).join(', ')})`);
    const [type, ...names] = args.map((a) => str(a, at));
    const segments = type!.split('/');
    let path = `/providers/${segments[0]}/${segments[1]}/${names[0]}`;
    segments.slice(2).forEach((s, i) => (path += `/${s}/${names[i + 1]}`));
    return `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/{resourceGroup}${path}`;
  },
  subscriptionResourceId: (args, at) => `/subscriptions/00000000-0000-0000-0000-000000000000/providers/${args.map((a) => str(a, at)).join('/')}`,
  loadJsonContent: ([path], at) => JSON.parse(readFileSync(join(dirname(at.scope.file.path), str(path!, at)), 'utf8')) as Value,
};
