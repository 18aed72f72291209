/**
 * NCRONTAB as Azure Functions timers write it: six fields, seconds first, UTC
 * (https://learn.microsoft.com/azure/azure-functions/functions-bindings-timer#ncrontab-expressions).
 * Supports `*`, numbers, lists, ranges and steps — what the dev host needs to fire timers.
 */
const RANGES: ReadonlyArray<readonly [number, number]> = [
  [0, 59], // second
  [0, 59], // minute
  [0, 23], // hour
  [1, 31], // day of month
  [1, 12], // month
  [0, 6], // day of week (0 = Sunday)
];

function field(spec: string, [min, max]: readonly [number, number]): Set<number> {
  const values = new Set<number>();
  for (const part of spec.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    const [from, to] = range === '*' ? [min, max] : range.includes('-') ? range.split('-').map(Number) : [Number(range), stepText ? max : Number(range)];
    if (!Number.isInteger(step) || step < 1 || !Number.isInteger(from) || !Number.isInteger(to) || from! < min || to! > max) {
      throw new Error(`invalid NCRONTAB field "${spec}"`);
    }
    for (let v = from!; v <= to!; v += step) values.add(v);
  }
  return values;
}

export type Schedule = (instant: Date) => boolean;

/** A predicate that is true for the whole seconds the expression names. */
export function parseNcrontab(expression: string): Schedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 6) throw new Error(`NCRONTAB needs six fields (seconds first): "${expression}"`);
  const sets = parts.map((p, i) => field(p, RANGES[i]!));
  return (d) =>
    sets[0]!.has(d.getUTCSeconds()) &&
    sets[1]!.has(d.getUTCMinutes()) &&
    sets[2]!.has(d.getUTCHours()) &&
    sets[3]!.has(d.getUTCDate()) &&
    sets[4]!.has(d.getUTCMonth() + 1) &&
    sets[5]!.has(d.getUTCDay());
}
