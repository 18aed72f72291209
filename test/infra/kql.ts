/**
 * A small KQL evaluator for the alert queries of infra/app/alerts.bicep, so that tests can run a
 * query's logic on rows built from a set clock (no Kusto engine runs offline: npm and NuGet hold
 * parsers only, the emulator needs Docker).
 *
 * It covers the subset those queries use and nothing more: `let` of scalars, of `toscalar(...)`,
 * of tables and of lambdas `(t: datetime) { let l = …; expr }`; the operators `where`, `extend`,
 * `summarize … by …` and `project`; the scalar operators and functions listed in SCALARS and
 * AGGREGATES. Anything else, and any case whose semantics the Microsoft docs leave open (a null on
 * both sides of `==`, `not()` of a null, division by zero, dynamic compared without tostring()),
 * throws a KqlError rather than evaluating to something.
 *
 * Values: long and int are bigint (integer division truncates, as Kusto's does), real is number,
 * datetime and timespan are the classes below in milliseconds (Kusto keeps 100 ns ticks; the tests
 * need no finer clock), dynamic is Dynamic, a missing value is null.
 */

export class KqlError extends Error {
  override name = 'KqlError';
}

export class Datetime {
  constructor(readonly ms: number) {}
  static of(date: Date): Datetime {
    return new Datetime(date.getTime());
  }
  toJSON(): string {
    return new Date(this.ms).toISOString();
  }
}

export class Timespan {
  constructor(readonly ms: number) {}
}

/** A dynamic value (a property bag such as customDimensions). */
export class Dynamic {
  constructor(readonly value: unknown) {}
}

export type Value = null | boolean | bigint | number | string | Datetime | Timespan | Dynamic;
export type Row = Record<string, Value>;
export interface Table {
  columns: string[];
  rows: Row[];
}

export interface KqlInput {
  /** The tables the query may name, with their schema (columns) even when they have no rows. */
  tables: Record<string, Table>;
  /** What now() returns: one value for the whole query, as in Kusto. */
  now: Date;
}

// ---------------------------------------------------------------------------------------------
// Tokens

type Token =
  | { t: 'ident'; v: string; at: number }
  | { t: 'long'; v: bigint; at: number }
  | { t: 'real'; v: number; at: number }
  | { t: 'timespan'; v: number; at: number }
  | { t: 'string'; v: string; at: number }
  | { t: 'punct'; v: string; at: number }
  | { t: 'end'; at: number };

// Timespan literal units (https://learn.microsoft.com/kusto/query/scalar-data-types/timespan)
const UNIT_MS: Record<string, number> = {
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  ms: 1,
  milli: 1,
  millis: 1,
  millisecond: 1,
  milliseconds: 1,
  microsecond: 0.001,
  microseconds: 0.001,
  tick: 0.0001,
  ticks: 0.0001,
};

const PUNCT = ['==', '!=', '<=', '>=', '<', '>', '(', ')', '{', '}', '[', ']', ',', ';', '|', '=', '+', '-', '*', '/', '%', ':', '.'];

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (/[0-9]/.test(c)) {
      const m = /^([0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?)([A-Za-z_]*)/.exec(text.slice(i))!;
      const [all, digits, fraction, exponent, unit] = m;
      if (unit) {
        const ms = UNIT_MS[unit];
        if (ms === undefined) throw new KqlError(`Unknown timespan unit "${unit}" at ${i}: ${all}`);
        tokens.push({ t: 'timespan', v: Number(digits) * ms, at: i });
      } else if (fraction || exponent) {
        tokens.push({ t: 'real', v: Number(digits), at: i });
      } else {
        tokens.push({ t: 'long', v: BigInt(digits!), at: i });
      }
      i += all.length;
    } else if (/[A-Za-z_]/.test(c)) {
      const v = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))![0];
      tokens.push({ t: 'ident', v, at: i });
      i += v.length;
    } else if (c === '"' || c === "'") {
      let v = '';
      let j = i + 1;
      for (; j < text.length && text[j] !== c; j++) {
        if (text[j] === '\n') throw new KqlError(`Unterminated string at ${i}`);
        if (text[j] === '\\') {
          const e = text[++j];
          const escaped: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };
          if (e === undefined || escaped[e] === undefined) throw new KqlError(`Unsupported escape \\${e ?? ''} at ${j}`);
          v += escaped[e];
        } else {
          v += text[j];
        }
      }
      if (j >= text.length) throw new KqlError(`Unterminated string at ${i}`);
      tokens.push({ t: 'string', v, at: i });
      i = j + 1;
    } else {
      const p = PUNCT.find((s) => text.startsWith(s, i));
      if (!p) throw new KqlError(`Unexpected character "${c}" at ${i}`);
      tokens.push({ t: 'punct', v: p, at: i });
      i += p.length;
    }
  }
  tokens.push({ t: 'end', at: text.length });
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Syntax tree

export type Expr =
  | { k: 'lit'; v: Value }
  | { k: 'name'; name: string }
  | { k: 'prop'; of: Expr; name: string }
  | { k: 'call'; name: string; args: Expr[] }
  | { k: 'toscalar'; arg: Expr | Query }
  | { k: 'neg'; e: Expr }
  | { k: 'bin'; op: string; l: Expr; r: Expr }
  | { k: 'in'; e: Expr; list: Expr[] }
  | { k: 'lambda'; params: Array<{ name: string; type: string }>; lets: Array<{ name: string; value: Expr }>; body: Expr };

interface Assign {
  name?: string;
  e: Expr;
}
type Op = { op: 'where'; e: Expr } | { op: 'extend'; items: Assign[] } | { op: 'project'; items: Assign[] } | { op: 'summarize'; items: Assign[]; by: Assign[] };
export interface Query {
  k: 'query';
  source: Expr;
  ops: Op[];
}
interface Let {
  name: string;
  value: Expr | Query;
}
export interface Program {
  lets: Let[];
  body: Query;
}

const PARAM_TYPES = ['bool', 'datetime', 'timespan', 'int', 'long', 'real', 'double', 'string', 'dynamic'];

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  program(): Program {
    const lets: Let[] = [];
    while (this.isIdent('let')) {
      this.i++;
      const name = this.ident();
      this.expect('=');
      const value = this.isLambdaStart() ? this.lambda() : this.exprOrQuery();
      this.expect(';');
      lets.push({ name, value });
    }
    const body = this.exprOrQuery();
    if (this.isPunct(';')) this.i++;
    this.expectEnd();
    if (!isQuery(body)) throw new KqlError('The query must end with a tabular expression');
    return { lets, body };
  }

  private exprOrQuery(): Expr | Query {
    const source = this.expr();
    if (!this.isPunct('|')) return source;
    const ops: Op[] = [];
    while (this.isPunct('|')) {
      this.i++;
      ops.push(this.operator());
    }
    return { k: 'query', source, ops };
  }

  private operator(): Op {
    const at = this.peek();
    const name = this.ident();
    switch (name) {
      case 'where':
        return { op: 'where', e: this.expr() };
      case 'extend':
        return { op: 'extend', items: this.assignments() };
      case 'project':
        return { op: 'project', items: this.assignments() };
      case 'summarize': {
        const items = this.isIdent('by') ? [] : this.assignments();
        let by: Assign[] = [];
        if (this.isIdent('by')) {
          this.i++;
          by = this.assignments();
        }
        return { op: 'summarize', items, by };
      }
      default:
        throw new KqlError(`Unsupported tabular operator "${name}" at ${at.at}`);
    }
  }

  private assignments(): Assign[] {
    const items: Assign[] = [];
    do {
      if (items.length) this.i++;
      const t = this.peek();
      const next = this.tokens[this.i + 1];
      if (t.t === 'ident' && next?.t === 'punct' && next.v === '=') {
        this.i += 2;
        items.push({ name: t.v, e: this.expr() });
      } else {
        items.push({ e: this.expr() });
      }
    } while (this.isPunct(','));
    return items;
  }

  private isLambdaStart(): boolean {
    if (!this.isPunct('(')) return false;
    const a = this.tokens[this.i + 1];
    const b = this.tokens[this.i + 2];
    return (a?.t === 'punct' && a.v === ')') || (a?.t === 'ident' && b?.t === 'punct' && b.v === ':');
  }

  private lambda(): Expr {
    this.expect('(');
    const params: Array<{ name: string; type: string }> = [];
    while (!this.isPunct(')')) {
      if (params.length) this.expect(',');
      const name = this.ident();
      this.expect(':');
      const type = this.ident();
      if (!PARAM_TYPES.includes(type)) throw new KqlError(`Unsupported parameter type "${type}" for ${name}`);
      params.push({ name, type });
    }
    this.expect(')');
    this.expect('{');
    const lets: Array<{ name: string; value: Expr }> = [];
    while (this.isIdent('let')) {
      this.i++;
      const name = this.ident();
      this.expect('=');
      const value = this.exprOrQuery();
      if (isQuery(value)) throw new KqlError(`Tabular let "${name}" inside a function body is not supported`);
      this.expect(';');
      lets.push({ name, value });
    }
    const body = this.exprOrQuery();
    if (isQuery(body)) throw new KqlError('Functions with a tabular body are not supported');
    if (this.isPunct(';')) this.i++;
    this.expect('}');
    return { k: 'lambda', params, lets, body };
  }

  // Precedence, lowest first: or, and, comparison and in, + -, * / %, unary minus, postfix.
  private expr(): Expr {
    return this.or();
  }

  private or(): Expr {
    let l = this.and();
    while (this.isIdent('or')) {
      this.i++;
      l = { k: 'bin', op: 'or', l, r: this.and() };
    }
    return l;
  }

  private and(): Expr {
    let l = this.comparison();
    while (this.isIdent('and')) {
      this.i++;
      l = { k: 'bin', op: 'and', l, r: this.comparison() };
    }
    return l;
  }

  private comparison(): Expr {
    const l = this.additive();
    const t = this.peek();
    if (t.t === 'punct' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v)) {
      this.i++;
      return { k: 'bin', op: t.v, l, r: this.additive() };
    }
    if (this.isIdent('in')) {
      this.i++;
      this.expect('(');
      const list = [this.expr()];
      while (this.isPunct(',')) {
        this.i++;
        list.push(this.expr());
      }
      this.expect(')');
      return { k: 'in', e: l, list };
    }
    return l;
  }

  private additive(): Expr {
    let l = this.multiplicative();
    for (let t = this.peek(); t.t === 'punct' && (t.v === '+' || t.v === '-'); t = this.peek()) {
      this.i++;
      l = { k: 'bin', op: t.v, l, r: this.multiplicative() };
    }
    return l;
  }

  private multiplicative(): Expr {
    let l = this.unary();
    for (let t = this.peek(); t.t === 'punct' && (t.v === '*' || t.v === '/' || t.v === '%'); t = this.peek()) {
      this.i++;
      l = { k: 'bin', op: t.v, l, r: this.unary() };
    }
    return l;
  }

  private unary(): Expr {
    if (this.isPunct('-')) {
      this.i++;
      return { k: 'neg', e: this.unary() };
    }
    return this.postfix();
  }

  private postfix(): Expr {
    let e = this.primary();
    while (this.isPunct('.')) {
      this.i++;
      e = { k: 'prop', of: e, name: this.ident() };
    }
    return e;
  }

  private primary(): Expr {
    const t = this.peek();
    switch (t.t) {
      case 'long':
      case 'real':
      case 'string':
        this.i++;
        return { k: 'lit', v: t.v };
      case 'timespan':
        this.i++;
        return { k: 'lit', v: new Timespan(t.v) };
      case 'punct':
        if (t.v === '(') {
          this.i++;
          const inner = this.exprOrQuery();
          this.expect(')');
          if (isQuery(inner)) throw new KqlError(`A parenthesised tabular expression is supported only as toscalar()'s argument (at ${t.at})`);
          return inner;
        }
        throw new KqlError(`Unexpected "${t.v}" at ${t.at}`);
      case 'ident': {
        this.i++;
        if (t.v === 'true' || t.v === 'false') return { k: 'lit', v: t.v === 'true' };
        if (!this.isPunct('(')) return { k: 'name', name: t.v };
        this.i++;
        if (t.v === 'toscalar') {
          const arg = this.exprOrQuery();
          this.expect(')');
          return { k: 'toscalar', arg };
        }
        const args: Expr[] = [];
        while (!this.isPunct(')')) {
          if (args.length) this.expect(',');
          args.push(this.expr());
        }
        this.expect(')');
        return { k: 'call', name: t.v, args };
      }
      case 'end':
        throw new KqlError('Unexpected end of query');
    }
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }
  private isPunct(v: string): boolean {
    const t = this.peek();
    return t.t === 'punct' && t.v === v;
  }
  private isIdent(v: string): boolean {
    const t = this.peek();
    return t.t === 'ident' && t.v === v;
  }
  private ident(): string {
    const t = this.peek();
    if (t.t !== 'ident') throw new KqlError(`Expected a name at ${t.at}`);
    this.i++;
    return t.v;
  }
  private expect(v: string): void {
    const t = this.peek();
    if (!(t.t === 'punct' && t.v === v)) throw new KqlError(`Expected "${v}" at ${t.at}, found ${'v' in t ? `"${String(t.v)}"` : 'the end'}`);
    this.i++;
  }
  private expectEnd(): void {
    const t = this.peek();
    if (t.t !== 'end') throw new KqlError(`Unexpected ${'v' in t ? `"${String(t.v)}"` : 'token'} at ${t.at}`);
  }
}

function isQuery(e: Expr | Query): e is Query {
  return e.k === 'query';
}

export function parse(text: string): Program {
  return new Parser(tokenize(text)).program();
}

// ---------------------------------------------------------------------------------------------
// Evaluation

type Bound = { kind: 'scalar'; v: Value } | { kind: 'table'; query: Query; env: Env } | { kind: 'lambda'; fn: Extract<Expr, { k: 'lambda' }>; env: Env };

class Env {
  private readonly names = new Map<string, Bound>();
  constructor(private readonly parent?: Env) {}
  get(name: string): Bound | undefined {
    return this.names.get(name) ?? this.parent?.get(name);
  }
  set(name: string, b: Bound): void {
    this.names.set(name, b);
  }
  child(): Env {
    return new Env(this);
  }
}

interface Ctx {
  env: Env;
  input: KqlInput;
  row?: Row;
  columns?: readonly string[];
  /** The rows of one group while a summarize computes its aggregations. */
  group?: Row[];
}

/** Runs a query and returns its result table. */
export function run(text: string, input: KqlInput): Table {
  const program = parse(text);
  const env = new Env();
  const ctx: Ctx = { env, input };
  for (const { name, value } of program.lets) {
    if (isQuery(value)) env.set(name, { kind: 'table', query: value, env });
    else if (value.k === 'lambda') env.set(name, { kind: 'lambda', fn: value, env });
    else env.set(name, { kind: 'scalar', v: scalar(value, ctx) });
  }
  return tabular(program.body, ctx);
}

function tabular(q: Query, ctx: Ctx): Table {
  if (q.source.k !== 'name') throw new KqlError('A tabular expression must start with a table name');
  const name = q.source.name;
  const bound = ctx.env.get(name);
  let table: Table;
  if (bound?.kind === 'table') table = tabular(bound.query, { env: bound.env, input: ctx.input });
  else if (bound) throw new KqlError(`"${name}" is not a table`);
  else if (ctx.input.tables[name]) table = ctx.input.tables[name];
  else throw new KqlError(`Unknown table "${name}"`);
  for (const op of q.ops) table = apply(op, table, ctx);
  return table;
}

function apply(op: Op, table: Table, ctx: Ctx): Table {
  const at = (row: Row): Ctx => ({ env: ctx.env, input: ctx.input, row, columns: table.columns });
  switch (op.op) {
    case 'where':
      checkNames(op.e, table.columns, ctx.env);
      return {
        columns: table.columns,
        rows: table.rows.filter((row) => {
          const keep = scalar(op.e, at(row));
          if (keep !== null && typeof keep !== 'boolean') throw new KqlError('where needs a bool predicate');
          return keep === true;
        }),
      };
    case 'extend':
    case 'project': {
      const named = op.items.map((item) => ({ name: item.name ?? columnName(item.e, op.op), e: item.e }));
      for (const item of named) checkNames(item.e, table.columns, ctx.env);
      const columns = op.op === 'extend' ? [...table.columns, ...named.map((n) => n.name).filter((n) => !table.columns.includes(n))] : named.map((n) => n.name);
      const rows = table.rows.map((row) => {
        const out: Row = op.op === 'extend' ? { ...row } : {};
        for (const item of named) out[item.name] = scalar(item.e, at(row));
        return out;
      });
      return { columns, rows };
    }
    case 'summarize':
      return summarize(op, table, ctx);
  }
}

function columnName(e: Expr, where: string): string {
  if (e.k === 'name') return e.name;
  throw new KqlError(`${where}: give the expression a name (name = expression)`);
}

/** Every name an expression reads must be a column or a let, and not both. */
function checkNames(e: Expr, columns: readonly string[], env: Env): void {
  switch (e.k) {
    case 'name': {
      const column = columns.includes(e.name);
      const bound = env.get(e.name) !== undefined;
      if (column && bound) throw new KqlError(`"${e.name}" is both a column and a let name`);
      if (!column && !bound) throw new KqlError(`Unknown name "${e.name}" (columns: ${columns.join(', ')})`);
      return;
    }
    case 'lit':
    case 'toscalar':
      return;
    case 'prop':
      return checkNames(e.of, columns, env);
    case 'neg':
      return checkNames(e.e, columns, env);
    case 'bin':
      checkNames(e.l, columns, env);
      return checkNames(e.r, columns, env);
    case 'in':
      for (const x of [e.e, ...e.list]) checkNames(x, columns, env);
      return;
    case 'call':
      if (!AGGREGATES.has(e.name) && !SCALARS[e.name] && env.get(e.name)?.kind !== 'lambda') throw new KqlError(`Unsupported function ${e.name}()`);
      for (const x of e.args) checkNames(x, columns, env);
      return;
    case 'lambda':
      throw new KqlError('A function literal is supported only as a let value');
  }
}

// Aggregations, with their value over no rows (summarize without `by` on an empty table:
// https://learn.microsoft.com/kusto/query/summarize-operator, "Default values of aggregations").
const AGGREGATES = new Set(['count', 'countif', 'sum', 'sumif', 'max', 'min', 'arg_max']);

function summarize(op: Extract<Op, { op: 'summarize' }>, table: Table, ctx: Ctx): Table {
  for (const item of [...op.items, ...op.by]) checkNames(item.e, table.columns, ctx.env);
  const by = op.by.map((b) => ({ name: b.name ?? columnName(b.e, 'summarize by'), e: b.e }));
  const groups = new Map<string, { key: Row; rows: Row[] }>();
  for (const row of table.rows) {
    const key: Row = {};
    for (const b of by) key[b.name] = scalar(b.e, { env: ctx.env, input: ctx.input, row, columns: table.columns });
    const id = JSON.stringify(by.map((b) => describe(key[b.name]!)));
    const group = groups.get(id) ?? { key, rows: [] };
    group.rows.push(row);
    groups.set(id, group);
  }
  // Without `by`, an empty input still gives one row; with `by`, it gives none.
  if (by.length === 0 && groups.size === 0) groups.set('', { key: {}, rows: [] });

  let unnamed = 0;
  const columns: string[] = by.map((b) => b.name);
  const rows: Row[] = [];
  for (const { key, rows: members } of groups.values()) {
    const out: Row = { ...key };
    const gctx: Ctx = { env: ctx.env, input: ctx.input, group: members, columns: table.columns };
    for (const item of op.items) {
      if (item.e.k === 'call' && item.e.name === 'arg_max') {
        if (item.name) throw new KqlError('arg_max: naming its result is not supported');
        Object.assign(out, argMax(item.e.args, members, gctx));
      } else {
        out[item.name ?? defaultAggregateName(item.e, ++unnamed)] = scalar(item.e, gctx);
      }
    }
    rows.push(out);
    unnamed = 0;
  }
  for (const item of op.items) {
    if (item.e.k === 'call' && item.e.name === 'arg_max') columns.push(...item.e.args.map((a) => columnName(a, 'arg_max')));
    else columns.push(item.name ?? defaultAggregateName(item.e, ++unnamed));
  }
  return { columns, rows };
}

/**
 * Kusto's names for unnamed aggregations: count_, countif_, sum_x (countif's example in the docs
 * shows `countif_`). For any other unnamed expression this evaluator says Column1, Column2…; only
 * toscalar() reads such a column here, and it takes the first column whatever its name.
 */
function defaultAggregateName(e: Expr, n: number): string {
  if (e.k === 'call' && (e.name === 'count' || e.name === 'countif')) return `${e.name}_`;
  if (e.k === 'call' && AGGREGATES.has(e.name) && e.args[0]?.k === 'name') return `${e.name}_${e.args[0].name}`;
  return `Column${n}`;
}

/** arg_max(ExprToMaximize, Column, …): the row where the first expression is largest (nulls skipped). */
function argMax(args: Expr[], rows: Row[], ctx: Ctx): Row {
  if (args.length < 2) throw new KqlError('arg_max needs an expression to maximise and at least one column');
  const names = args.map((a) => columnName(a, 'arg_max (only column names are supported)'));
  let best: { v: Value; row: Row } | undefined;
  for (const row of rows) {
    const v = scalar(args[0]!, { ...ctx, row, group: undefined });
    if (v === null) continue;
    if (!best || compare('>', v, best.v) === true) best = { v, row };
  }
  return Object.fromEntries(names.map((n) => [n, best ? (best.row[n] ?? null) : null]));
}

function aggregate(e: Extract<Expr, { k: 'call' }>, ctx: Ctx): Value {
  if (!ctx.group) throw new KqlError(`${e.name}() is an aggregation: use it in summarize`);
  const each = (arg: Expr) => ctx.group!.map((row) => scalar(arg, { ...ctx, row, group: undefined }));
  const arity = (n: number) => {
    if (e.args.length !== n) throw new KqlError(`${e.name}() takes ${n} argument(s)`);
  };
  const truths = (arg: Expr) =>
    each(arg).map((v) => {
      if (v !== null && typeof v !== 'boolean') throw new KqlError(`${e.name}() needs a bool predicate`);
      return v === true;
    });
  switch (e.name) {
    case 'count':
      arity(0);
      return BigInt(ctx.group.length);
    case 'countif':
      // Counts the rows whose predicate is true (https://learn.microsoft.com/kusto/query/countif-aggregation-function)
      arity(1);
      return BigInt(truths(e.args[0]!).filter(Boolean).length);
    case 'sum':
    case 'sumif': {
      arity(e.name === 'sum' ? 1 : 2);
      const values = each(e.args[0]!);
      const keep = e.name === 'sumif' ? truths(e.args[1]!) : values.map(() => true);
      // Nulls are ignored; no rows sum to 0 (the docs' default). Without column types the
      // evaluator cannot tell a real 0 from a long 0 there, and says long.
      return values.reduce<Value>((acc, v, i) => (v === null || !keep[i] ? acc : arithmetic('+', acc, v)), 0n);
    }
    case 'max':
    case 'min': {
      arity(1);
      let best: Value = null;
      for (const v of each(e.args[0]!)) if (v !== null && (best === null || compare(e.name === 'max' ? '>' : '<', v, best) === true)) best = v;
      return best;
    }
    default:
      throw new KqlError(`${e.name}() here is not supported`);
  }
}

function scalar(e: Expr, ctx: Ctx): Value {
  switch (e.k) {
    case 'lit':
      return e.v;
    case 'name': {
      if (ctx.row && ctx.columns?.includes(e.name)) return ctx.row[e.name] ?? null;
      const bound = ctx.env.get(e.name);
      if (bound?.kind === 'scalar') return bound.v;
      if (bound) throw new KqlError(`"${e.name}" is not a scalar`);
      if (ctx.group && ctx.columns?.includes(e.name)) throw new KqlError(`Column "${e.name}" outside an aggregation in summarize`);
      throw new KqlError(`Unknown name "${e.name}"`);
    }
    case 'prop': {
      const of = scalar(e.of, ctx);
      if (of === null) return null;
      if (!(of instanceof Dynamic)) throw new KqlError(`.${e.name} needs a dynamic value`);
      const bag = of.value;
      if (bag === null || typeof bag !== 'object' || Array.isArray(bag)) return null;
      const v = (bag as Record<string, unknown>)[e.name];
      return v === undefined || v === null ? null : new Dynamic(v);
    }
    case 'toscalar': {
      // The first column of the first row (https://learn.microsoft.com/kusto/query/toscalar-function);
      // no row at all gives null here, which the docs do not state.
      if (!isQuery(e.arg)) return scalar(e.arg, ctx);
      const t = tabular(e.arg, { env: ctx.env, input: ctx.input });
      const first = t.rows[0];
      if (!first) return null;
      return first[t.columns[0]!] ?? null;
    }
    case 'neg': {
      const v = scalar(e.e, ctx);
      if (v === null) return null;
      if (typeof v === 'bigint' || typeof v === 'number') return -v;
      if (v instanceof Timespan) return new Timespan(-v.ms);
      throw new KqlError(`Cannot negate ${typeName(v)}`);
    }
    case 'bin': {
      if (e.op === 'and' || e.op === 'or') {
        // Null counts as false (https://learn.microsoft.com/kusto/query/logical-operators)
        const l = truth(scalar(e.l, ctx), e.op);
        const r = truth(scalar(e.r, ctx), e.op);
        return e.op === 'and' ? l && r : l || r;
      }
      const l = scalar(e.l, ctx);
      const r = scalar(e.r, ctx);
      if (['+', '-', '*', '/', '%'].includes(e.op)) return arithmetic(e.op, l, r);
      return compare(e.op, l, r);
    }
    case 'in': {
      // Case-sensitive equality with any element (https://learn.microsoft.com/kusto/query/in-operator)
      const v = scalar(e.e, ctx);
      if (v === null) throw new KqlError('in: a null on the left is not supported');
      return e.list.some((x) => compare('==', v, scalar(x, ctx)) === true);
    }
    case 'call':
      if (AGGREGATES.has(e.name)) return aggregate(e, ctx);
      return call(e, ctx);
    case 'lambda':
      throw new KqlError('A function literal is supported only as a let value');
  }
}

function truth(v: Value, op: string): boolean {
  if (v === null) return false;
  if (typeof v !== 'boolean') throw new KqlError(`${op} needs bool operands, got ${typeName(v)}`);
  return v;
}

function call(e: Extract<Expr, { k: 'call' }>, ctx: Ctx): Value {
  const bound = ctx.env.get(e.name);
  if (bound) {
    if (bound.kind !== 'lambda') throw new KqlError(`"${e.name}" is not a function`);
    return invoke(bound.fn, bound.env, e.args.map((a) => scalar(a, ctx)), ctx.input, e.name);
  }
  const fn = SCALARS[e.name];
  if (!fn) throw new KqlError(`Unsupported function ${e.name}()`);
  const [least, most] = typeof fn.arity === 'number' ? [fn.arity, fn.arity] : fn.arity;
  if (e.args.length < least || e.args.length > most) throw new KqlError(`${e.name}() takes ${least === most ? least : `${least} to ${most}`} argument(s), got ${e.args.length}`);
  return fn.apply(
    e.args.map((a) => scalar(a, ctx)),
    ctx.input,
  );
}

function invoke(fn: Extract<Expr, { k: 'lambda' }>, closure: Env, args: Value[], input: KqlInput, name: string): Value {
  if (args.length !== fn.params.length) throw new KqlError(`${name}() takes ${fn.params.length} argument(s), got ${args.length}`);
  const env = closure.child();
  fn.params.forEach((p, i) => env.set(p.name, { kind: 'scalar', v: asParameter(args[i]!, p.type, `${name}(${p.name}: ${p.type})`) }));
  // The body sees its parameters, its own lets and the lets before it; not the caller's row.
  const ctx: Ctx = { env, input };
  for (const l of fn.lets) env.set(l.name, { kind: 'scalar', v: scalar(l.value, ctx) });
  return scalar(fn.body, ctx);
}

function asParameter(v: Value, type: string, where: string): Value {
  if (v === null) return null;
  const ok: Record<string, (v: Value) => boolean> = {
    bool: (x) => typeof x === 'boolean',
    datetime: (x) => x instanceof Datetime,
    timespan: (x) => x instanceof Timespan,
    int: (x) => typeof x === 'bigint',
    long: (x) => typeof x === 'bigint',
    real: (x) => typeof x === 'number' || typeof x === 'bigint',
    double: (x) => typeof x === 'number' || typeof x === 'bigint',
    string: (x) => typeof x === 'string',
    dynamic: (x) => x instanceof Dynamic,
  };
  if (!ok[type]!(v)) throw new KqlError(`${where}: got ${typeName(v)}`);
  return (type === 'real' || type === 'double') && typeof v === 'bigint' ? Number(v) : v;
}

// ---------------------------------------------------------------------------------------------
// Operators

function typeName(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return 'long';
  if (typeof v === 'number') return 'real';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'string';
  if (v instanceof Datetime) return 'datetime';
  if (v instanceof Timespan) return 'timespan';
  return 'dynamic';
}

function describe(v: Value): string {
  if (v instanceof Datetime || v instanceof Timespan) return `${typeName(v)}:${v.ms}`;
  if (v instanceof Dynamic) return `dynamic:${JSON.stringify(v.value)}`;
  return `${typeName(v)}:${String(v)}`;
}

const isNumber = (v: Value): v is bigint | number => typeof v === 'bigint' || typeof v === 'number';

/**
 * + - * / % with Kusto's type rules: long op long is long (division truncates), real with either
 * is real (https://learn.microsoft.com/kusto/query/numerical-operators); datetime ± timespan,
 * datetime - datetime, number × timespan, timespan / timespan is real
 * (https://learn.microsoft.com/kusto/query/scalar-data-types/timespan). A null operand gives null.
 */
function arithmetic(op: string, l: Value, r: Value): Value {
  if (l === null || r === null) return null;
  if (isNumber(l) && isNumber(r)) {
    if ((op === '/' || op === '%') && Number(r) === 0) throw new KqlError(`Division by zero (${describe(l)} ${op} ${describe(r)}) is not supported`);
    if (typeof l === 'bigint' && typeof r === 'bigint') {
      switch (op) {
        case '+':
          return l + r;
        case '-':
          return l - r;
        case '*':
          return l * r;
        case '/':
          return l / r;
        case '%': {
          // Kusto's modulo is never negative: 0 <= N % D < abs(D)
          const d = r < 0n ? -r : r;
          return ((l % d) + d) % d;
        }
      }
    }
    const a = Number(l);
    const b = Number(r);
    switch (op) {
      case '+':
        return a + b;
      case '-':
        return a - b;
      case '*':
        return a * b;
      case '/':
        return a / b;
    }
  }
  if (op === '+' && l instanceof Datetime && r instanceof Timespan) return new Datetime(l.ms + r.ms);
  if (op === '+' && l instanceof Timespan && r instanceof Datetime) return new Datetime(l.ms + r.ms);
  if (op === '-' && l instanceof Datetime && r instanceof Timespan) return new Datetime(l.ms - r.ms);
  if (op === '-' && l instanceof Datetime && r instanceof Datetime) return new Timespan(l.ms - r.ms);
  if ((op === '+' || op === '-') && l instanceof Timespan && r instanceof Timespan) return new Timespan(op === '+' ? l.ms + r.ms : l.ms - r.ms);
  if (op === '*' && isNumber(l) && r instanceof Timespan) return new Timespan(Number(l) * r.ms);
  if (op === '*' && l instanceof Timespan && isNumber(r)) return new Timespan(l.ms * Number(r));
  if (op === '/' && l instanceof Timespan && r instanceof Timespan) {
    if (r.ms === 0) throw new KqlError('Division by a zero timespan is not supported');
    return l.ms / r.ms;
  }
  if (op === '/' && l instanceof Timespan && isNumber(r)) {
    if (Number(r) === 0) throw new KqlError('Division of a timespan by zero is not supported');
    return new Timespan(l.ms / Number(r));
  }
  throw new KqlError(`Unsupported: ${typeName(l)} ${op} ${typeName(r)}`);
}

/**
 * Comparisons. == and != with one null: false and true
 * (https://learn.microsoft.com/kusto/query/scalar-data-types/null-values); with two nulls the
 * docs disagree (bool(null) there, false on the logical operators page), so it throws. An
 * ordering with a null gives null.
 */
function compare(op: string, l: Value, r: Value): Value {
  if (l instanceof Dynamic || r instanceof Dynamic) throw new KqlError(`Comparing a dynamic value (${op}) is not supported: convert it first, e.g. tostring()`);
  if (op === '==' || op === '!=') {
    if (l === null && r === null) throw new KqlError(`null ${op} null is not supported (the docs disagree)`);
    if (l === null || r === null) return op === '!=';
    const same = equal(l, r);
    return op === '==' ? same : !same;
  }
  if (l === null || r === null) return null;
  let a: number | bigint;
  let b: number | bigint;
  if (isNumber(l) && isNumber(r)) [a, b] = typeof l === typeof r ? [l, r] : [Number(l), Number(r)];
  else if (l instanceof Datetime && r instanceof Datetime) [a, b] = [l.ms, r.ms];
  else if (l instanceof Timespan && r instanceof Timespan) [a, b] = [l.ms, r.ms];
  else throw new KqlError(`Unsupported: ${typeName(l)} ${op} ${typeName(r)}`);
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
  throw new KqlError(`Unsupported comparison ${op}`);
}

function equal(l: Exclude<Value, null | Dynamic>, r: Exclude<Value, null | Dynamic>): boolean {
  if (isNumber(l) && isNumber(r)) return typeof l === typeof r ? l === r : Number(l) === Number(r);
  if (typeof l === 'string' && typeof r === 'string') return l === r;
  if (typeof l === 'boolean' && typeof r === 'boolean') return l === r;
  if ((l instanceof Datetime && r instanceof Datetime) || (l instanceof Timespan && r instanceof Timespan)) return l.ms === r.ms;
  throw new KqlError(`Unsupported: ${typeName(l)} == ${typeName(r)}`);
}

// ---------------------------------------------------------------------------------------------
// Scalar functions

function tostring(v: Value): string {
  // A null gives the empty string (https://learn.microsoft.com/kusto/query/tostring-function)
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (v instanceof Dynamic) {
    if (typeof v.value === 'string') return v.value;
    if (typeof v.value === 'number' || typeof v.value === 'boolean') return String(v.value);
  }
  throw new KqlError(`tostring() of ${typeName(v)} is not supported`);
}

/** totimespan("[d.]hh:mm[:ss[.fffffff]]"); anything else is null, as for a failed conversion. */
function totimespan(v: Value): Value {
  if (v === null || v instanceof Timespan) return v;
  if (typeof v !== 'string') throw new KqlError(`totimespan() of ${typeName(v)} is not supported`);
  const m = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/.exec(v.trim());
  if (!m) return null;
  const [, minus, days, hours, minutes, seconds, fraction] = m;
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds ?? 0) > 59) return null;
  const ms = (((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds ?? 0)) * 1000 + Number(`0.${fraction ?? 0}`) * 1000;
  return new Timespan(minus ? -ms : ms);
}

/** toint(): a real is truncated, an integer string parsed, anything else unconvertible is null. */
function toint(v: Value): Value {
  if (v === null) return null;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.trunc(v)) : null;
  if (typeof v === 'string') return /^\s*[+-]?\d+\s*$/.test(v) ? BigInt(v.trim()) : null;
  throw new KqlError(`toint() of ${typeName(v)} is not supported`);
}

/** The wall-clock time in an IANA zone, as a datetime (Kusto's datetime_utc_to_local). */
function utcToLocal(v: Value, zone: Value): Value {
  if (v === null) return null;
  if (!(v instanceof Datetime) || typeof zone !== 'string') throw new KqlError('datetime_utc_to_local(datetime, string)');
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  } catch {
    throw new KqlError(`Unknown time zone "${zone}"`);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(v.ms)).map((p) => [p.type, Number(p.value)]));
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return new Datetime(wall + (((v.ms % 1000) + 1000) % 1000));
}

/** datetime_part(): the part's name is case-insensitive in the docs' own example ("dayOfYear"). */
function datetimePart(part: Value, v: Value): Value {
  if (typeof part !== 'string') throw new KqlError('datetime_part(string, datetime)');
  if (v === null) return null;
  if (!(v instanceof Datetime)) throw new KqlError(`datetime_part() of ${typeName(v)}`);
  const d = new Date(v.ms);
  const parts: Record<string, () => number> = {
    year: () => d.getUTCFullYear(),
    quarter: () => Math.floor(d.getUTCMonth() / 3) + 1,
    month: () => d.getUTCMonth() + 1,
    day: () => d.getUTCDate(),
    dayofyear: () => Math.floor((v.ms - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1,
    hour: () => d.getUTCHours(),
    minute: () => d.getUTCMinutes(),
    second: () => d.getUTCSeconds(),
    millisecond: () => d.getUTCMilliseconds(),
  };
  const get = parts[part.toLowerCase()];
  if (!get) throw new KqlError(`datetime_part("${part}") is not supported`);
  return BigInt(get());
}

const SCALARS: Record<string, { arity: number | [number, number]; apply: (args: Value[], input: KqlInput) => Value }> = {
  now: { arity: 0, apply: (_, input) => Datetime.of(input.now) },
  ago: {
    arity: 1,
    apply: ([span], input) => {
      if (!(span instanceof Timespan)) throw new KqlError('ago(timespan)');
      return new Datetime(input.now.getTime() - span.ms);
    },
  },
  // iff: the then-value when the condition is true; otherwise (false or null) the else-value
  iff: { arity: 3, apply: ([c, a, b]) => (truth(c!, 'iff') ? a! : b!) },
  iif: { arity: 3, apply: ([c, a, b]) => (truth(c!, 'iif') ? a! : b!) },
  not: {
    arity: 1,
    apply: ([v]) => {
      if (typeof v !== 'boolean') throw new KqlError(`not() of ${typeName(v!)} is not supported`);
      return !v;
    },
  },
  toint: { arity: 1, apply: ([v]) => toint(v!) },
  tostring: { arity: 1, apply: ([v]) => tostring(v!) },
  totimespan: { arity: 1, apply: ([v]) => totimespan(v!) },
  datetime_utc_to_local: { arity: 2, apply: ([v, zone]) => utcToLocal(v!, zone!) },
  datetime_part: { arity: 2, apply: ([part, v]) => datetimePart(part!, v!) },
  // strcat takes 1 to 64 arguments, each converted as tostring() does
  strcat: { arity: [1, 64], apply: (args) => args.map(tostring).join('') },
};
