/**
 * The KQL evaluator the alert tests run their queries with (test/infra/kql.ts), held to what the
 * Microsoft KQL docs say, mostly with the docs' own examples. Where the docs leave a case open, the
 * evaluator throws, and a test says so.
 */
import { describe, expect, it } from 'vitest';
import { Datetime, Dynamic, KqlError, run, Timespan, type Row, type Table, type Value } from './kql.js';

const NOW = new Date('2026-03-10T12:00:00.000Z');

/** One expression, evaluated on a one-row table (so through a real pipeline). */
function value(expression: string, now = NOW): Value {
  const t = run(`one | project v = ${expression}`, { tables: { one: { columns: ['x'], rows: [{ x: 0n }] } }, now });
  return t.rows[0]!.v!;
}

function table(columns: string[], rows: Row[]): Table {
  return { columns, rows };
}

describe('KQL evaluator', () => {
  it('when timespan literals are read, then each unit means what the timespan page says, and timespan / timespan is real', () => {
    // https://learn.microsoft.com/kusto/query/scalar-data-types/timespan: 2d, 1.5h, 30m, 10s, 100ms; 1d / 1s
    expect(value('2d')).toEqual(new Timespan(2 * 86_400_000));
    expect(value('1.5h')).toEqual(new Timespan(5_400_000));
    expect(value('30m')).toEqual(new Timespan(1_800_000));
    expect(value('10s')).toEqual(new Timespan(10_000));
    expect(value('100ms')).toEqual(new Timespan(100));
    expect(value('1d / 1s')).toBe(86_400);
    expect(value('2 * 15m')).toEqual(new Timespan(1_800_000));
    expect(() => value('5x')).toThrow(KqlError);
  });

  it('when numbers meet, then long with long stays long (division truncates), real with either is real, and modulo is never negative', () => {
    // https://learn.microsoft.com/kusto/query/numerical-operators: 1 / 2 = 0, 1.0 / 2 = 0.5, -14 % 12 = 10
    expect(value('1 / 2')).toBe(0n);
    expect(value('1.0 / 2')).toBe(0.5);
    expect(value('1 / 2.0')).toBe(0.5);
    expect(value('-14 % 12')).toBe(10n);
    expect(value('14 % -12')).toBe(2n);
    expect(value('2 * 60 + 3')).toBe(123n);
    expect(value('-1.0')).toBe(-1);
  });

  it('when a conversion fails, then the result is null, and a null behaves as the null-values page says', () => {
    // toint: "If the conversion is successful, the result is an integer. Otherwise, the result is null."
    expect(value('toint(2.3)')).toBe(2n);
    expect(value('toint("123") == 123')).toBe(true);
    expect(value('toint("abc")')).toBeNull();
    // https://learn.microsoft.com/kusto/query/scalar-data-types/null-values: null == value is false, != is true
    expect(value('toint("abc") == 1')).toBe(false);
    expect(value('toint("abc") != 1')).toBe(true);
    expect(value('toint("abc") > 1')).toBeNull();
    // https://learn.microsoft.com/kusto/query/logical-operators: null and true is false, null or true is true
    expect(value('toint("abc") > 1 and true')).toBe(false);
    expect(value('toint("abc") > 1 or true')).toBe(true);
    // The two pages disagree on null == null (bool(null) or false), so the evaluator refuses it.
    expect(() => value('toint("a") == toint("b")')).toThrow(/docs disagree/);
    // not() of a null is not documented either.
    expect(() => value('not(toint("abc") > 1)')).toThrow(KqlError);
    // tostring: "If value is null, the result is an empty string."
    expect(value('tostring(toint("abc"))')).toBe('');
  });

  it('when iff, and, or and not decide, then and binds tighter than or, and iff takes the else-value on false or null', () => {
    expect(value('true or false and false')).toBe(true);
    expect(value('(true or false) and false')).toBe(false);
    expect(value('not(1 < 2)')).toBe(false);
    expect(value('iff(1 < 2, "yes", "no")')).toBe('yes');
    expect(value('iff(toint("x") > 1, 1, 2)')).toBe(2n);
  });

  it('when in compares, then it is case-sensitive equality with any element', () => {
    // https://learn.microsoft.com/kusto/query/in-operator: "abc" in ("123", "345", "abc") is true
    expect(value('"abc" in ("123", "345", "abc")')).toBe(true);
    expect(value('"Abc" in ("123", "345", "abc")')).toBe(false);
    expect(value('2 in (1, 2.0)')).toBe(true);
  });

  it('when strings become timespans, then totimespan reads [d.]hh:mm:ss and gives null for anything else', () => {
    // https://learn.microsoft.com/kusto/query/totimespan-function: totimespan("0.00:03:00") is 3 minutes
    expect(value('totimespan("0.00:03:00")')).toEqual(new Timespan(180_000));
    expect(value('toint(totimespan(strcat("22:30", ":00")) / 1m)')).toBe(1350n);
    expect(value('totimespan(":00")')).toBeNull();
    expect(value('totimespan("25:00:00")')).toBeNull();
    expect(value('strcat("a", 1, "b")')).toBe('a1b');
  });

  it('when now() and ago() are read, then both come from the set clock, the same all through the query', () => {
    expect(value('now()')).toEqual(Datetime.of(NOW));
    expect(value('ago(1h)')).toEqual(new Datetime(NOW.getTime() - 3_600_000));
    expect(value('now() - ago(2 * 15m)')).toEqual(new Timespan(1_800_000));
    expect(value('now() - 1h < now()')).toBe(true);
  });

  it('when a date part is asked for, then datetime_part gives the docs\' example values, whatever the case of the part', () => {
    // https://learn.microsoft.com/kusto/query/datetime-part-function: datetime(2017-10-30 01:02:03.7654321)
    const at = new Date('2017-10-30T01:02:03.765Z');
    const part = (p: string) => value(`datetime_part("${p}", now())`, at);
    expect([part('year'), part('quarter'), part('month'), part('day'), part('dayOfYear'), part('hour'), part('minute'), part('second'), part('millisecond')]).toEqual([
      2017n,
      4n,
      10n,
      30n,
      303n,
      1n,
      2n,
      3n,
      765n,
    ]);
    expect(part('Hour')).toBe(1n);
    expect(() => part('week_of_year')).toThrow(KqlError);
  });

  it('when a UTC time is made local, then datetime_utc_to_local gives the wall clock of the IANA zone (the docs\' example, daylight saving included)', () => {
    // https://learn.microsoft.com/kusto/query/datetime-utc-to-local-function: 2022-07-11 22:18:48 UTC is
    // 15:18:48 in US/Pacific and 2022-07-12 08:18:48 in Australia/Canberra; the difference is -17:00:00.
    const at = new Date('2022-07-11T22:18:48.000Z');
    expect(value('datetime_utc_to_local(now(), "US/Pacific")', at)).toEqual(Datetime.of(new Date('2022-07-11T15:18:48.000Z')));
    expect(value('datetime_utc_to_local(now(), "Australia/Canberra")', at)).toEqual(Datetime.of(new Date('2022-07-12T08:18:48.000Z')));
    expect(value('datetime_utc_to_local(now(), "US/Pacific") - datetime_utc_to_local(now(), "Australia/Canberra")', at)).toEqual(new Timespan(-17 * 3_600_000));
    // In January Europe/Stockholm is UTC+1, in July UTC+2.
    expect(value('datetime_part("hour", datetime_utc_to_local(now(), "Europe/Stockholm"))', new Date('2026-01-15T21:30:00Z'))).toBe(22n);
    expect(value('datetime_part("hour", datetime_utc_to_local(now(), "Europe/Stockholm"))', new Date('2026-07-15T21:30:00Z'))).toBe(23n);
    expect(() => value('datetime_utc_to_local(now(), "Mars/Olympus")')).toThrow(/Unknown time zone/);
  });

  it('when a dynamic bag is read by property, then tostring() gives the text, a missing property gives "", and comparing without tostring() is refused', () => {
    const metrics = table(['customDimensions'], [{ customDimensions: new Dynamic({ state: 'active' }) }, { customDimensions: new Dynamic({}) }]);
    const out = run('m | extend state = tostring(customDimensions.state) | project state', { tables: { m: metrics }, now: NOW });
    expect(out.rows).toEqual([{ state: 'active' }, { state: '' }]);
    expect(() => run('m | where customDimensions.state == "active"', { tables: { m: metrics }, now: NOW })).toThrow(/dynamic/);
  });

  it('when countif counts, then it counts the rows whose predicate is true, in a column named countif_', () => {
    // https://learn.microsoft.com/kusto/query/countif-aggregation-function (its example: 2 of 4 rows, column countif_)
    const people = table(['name', 'day_of_birth'], [
      { name: 'John', day_of_birth: 9n },
      { name: 'Paul', day_of_birth: 18n },
      { name: 'George', day_of_birth: 25n },
      { name: 'Ringo', day_of_birth: 7n },
    ]);
    const out = run('T | summarize countif(day_of_birth > 10)', { tables: { T: people }, now: NOW });
    expect(out).toEqual({ columns: ['countif_'], rows: [{ countif_: 2n }] });
  });

  it('when summarize has no rows to read, then without by it gives one row of the aggregations\' defaults, and with by it gives none', () => {
    // https://learn.microsoft.com/kusto/query/summarize-operator: "If GroupExpression isn't provided, the
    // output is a single (empty) row"; defaults: count, countif, sum, sumif 0; all others null.
    const empty = table(['k', 'v'], []);
    const input = { tables: { T: empty }, now: NOW };
    expect(run('T | summarize n = count(), c = countif(v > 0), s = sum(v), si = sumif(v, k == "a"), top = max(v)', input).rows).toEqual([{ n: 0n, c: 0n, s: 0n, si: 0n, top: null }]);
    expect(run('T | summarize n = count() by k', input).rows).toEqual([]);
    expect(run('T | summarize arg_max(v, k) by k', input).rows).toEqual([]);
  });

  it('when summarize groups, then each group gets its by-columns first and its aggregations after, sums skipping nulls', () => {
    const rows = table(['k', 'v'], [
      { k: 'a', v: 1.5 },
      { k: 'b', v: 2 },
      { k: 'a', v: null },
      { k: 'a', v: 3 },
    ]);
    const out = run('T | summarize total = sum(v), n = count(), big = sumif(v, v > 1.6) by k', { tables: { T: rows }, now: NOW });
    expect(out).toEqual({
      columns: ['k', 'total', 'n', 'big'],
      rows: [
        { k: 'a', total: 4.5, n: 3n, big: 3 },
        { k: 'b', total: 2, n: 1n, big: 2 },
      ],
    });
    // An expression over aggregations is an aggregation too.
    expect(run('T | summarize iff(count() == 0, -1.0, sum(v))', { tables: { T: rows }, now: NOW }).rows).toEqual([{ Column1: 6.5 }]);
  });

  it('when arg_max picks, then it returns the row where the first expression is largest, named after the columns it returns', () => {
    // https://learn.microsoft.com/kusto/query/arg-max-aggregation-function: summarize arg_max(BeginLat, BeginLocation) by State
    const storms = table(['State', 'BeginLat', 'BeginLocation'], [
      { State: 'TEXAS', BeginLat: 30.1, BeginLocation: 'A' },
      { State: 'TEXAS', BeginLat: 36.4607, BeginLocation: 'DARROUZETT' },
      { State: 'TEXAS', BeginLat: null, BeginLocation: 'NO LATITUDE' },
      { State: 'VERMONT', BeginLat: 45, BeginLocation: 'NORTH TROY' },
    ]);
    const out = run('StormEvents | summarize arg_max(BeginLat, BeginLocation) by State', { tables: { StormEvents: storms }, now: NOW });
    expect(out).toEqual({
      columns: ['State', 'BeginLat', 'BeginLocation'],
      rows: [
        { State: 'TEXAS', BeginLat: 36.4607, BeginLocation: 'DARROUZETT' },
        { State: 'VERMONT', BeginLat: 45, BeginLocation: 'NORTH TROY' },
      ],
    });
  });

  it('when toscalar reads a table, then it takes the first column of the first row, and a summarize without by always has that row', () => {
    // https://learn.microsoft.com/kusto/query/toscalar-function: "the first column and first row is taken"
    const rows = table(['v', 'w'], [
      { v: 7n, w: 1n },
      { v: 8n, w: 2n },
    ]);
    const input = { tables: { T: rows, E: table(['v'], []) }, now: NOW };
    expect(run('let x = toscalar(T | project w, v); T | project x', input).rows[0]).toEqual({ x: 1n });
    expect(run('let x = toscalar(E | summarize countif(v > 0)); T | project x', input).rows[0]).toEqual({ x: 0n });
    // No row at all: the docs do not say; this evaluator gives null.
    expect(run('let x = toscalar(E | project v); T | project y = tostring(x)', input).rows[0]).toEqual({ y: '' });
  });

  it('when a let binds a function, then it is called with typed parameters, sees the lets before it and its own, and a wrong type is refused', () => {
    const input = { tables: { one: table(['x'], [{ x: 0n }]) }, now: NOW };
    const query = 'let base = 10; let add = (a: long, t: datetime) { let h = datetime_part("hour", t); a + h + base }; one | project v = add(2, now())';
    expect(run(query, input).rows[0]).toEqual({ v: 24n });
    expect(() => run('let f = (t: datetime) { t }; one | project v = f(1)', input)).toThrow(/f\(t: datetime\): got long/);
    expect(() => run('let f = (a: long) { a + x }; one | project v = f(1)', input)).toThrow(/Unknown name "x"/);
  });

  it('when the query uses what the evaluator does not know, then it throws instead of evaluating to something', () => {
    const input = { tables: { T: table(['v'], [{ v: 1n }]), E: table(['v'], []) }, now: NOW };
    expect(() => run('T | take 1', input)).toThrow(/Unsupported tabular operator "take"/);
    expect(() => run('T | project w = strlen("a")', input)).toThrow(/Unsupported function strlen/);
    expect(() => run('U | project v', input)).toThrow(/Unknown table "U"/);
    // A misspelt column fails even on an empty table, where no row would evaluate it.
    expect(() => run('E | where vv > 0', input)).toThrow(/Unknown name "vv"/);
    expect(() => run('E | where strlen(v) > 0', input)).toThrow(/Unsupported function strlen/);
    expect(() => run('let v = 1; T | where v > 0', input)).toThrow(/both a column and a let/);
    expect(() => run('T | where v > 0 | project v = 1 /', input)).toThrow(KqlError);
    expect(() => run('T | project w = v / 0', input)).toThrow(/Division by zero/);
    expect(() => run('T | where v !in (1)', input)).toThrow(KqlError);
    expect(() => run('T | project w = "a" < "b"', input)).toThrow(/Unsupported: string < string/);
  });
});
