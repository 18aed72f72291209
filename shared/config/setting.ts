/**
 * Building blocks for app settings. App settings are strings; each helper turns one into a
 * typed value with zod and carries the setting's default, expected format and one-line doc
 * (the settings reference in the README is generated from these: `npm run settings:doc`).
 */
import { z } from 'zod';

export interface SettingMeta {
  /** One line for the settings reference. */
  doc: string;
  /** What a valid value looks like, for error messages and the reference. */
  expected: string;
  /** The default as an app-setting string; undefined when the setting is required or optional. */
  default?: string | undefined;
  /** Required settings have no default and must be set. */
  required?: boolean;
  /** Secret values never appear in messages or logs. */
  secret?: boolean;
  /** An empty string is a value of its own (e.g. no prefix); otherwise empty means "not set". */
  emptyIsValue?: boolean;
}

export interface Setting<T> {
  schema: z.ZodType<T>;
  meta: SettingMeta;
}

const def = <T>(schema: z.ZodType<T>, meta: SettingMeta): Setting<T> => ({ schema, meta });

const BOOL = z.enum(['true', 'false', 'TRUE', 'FALSE', 'True', 'False']).transform((v) => v.toLowerCase() === 'true');

export const bool = (defaultValue: boolean, doc: string): Setting<boolean> =>
  def(BOOL, { doc, expected: 'true or false', default: String(defaultValue) });

export const int = (
  opts: { default?: number; min?: number; max?: number; required?: boolean },
  doc: string,
): Setting<number> => {
  let n = z.number().int();
  if (opts.min !== undefined) n = n.min(opts.min);
  if (opts.max !== undefined) n = n.max(opts.max);
  const range =
    opts.min !== undefined && opts.max !== undefined
      ? `an integer from ${opts.min} to ${opts.max}`
      : opts.min !== undefined
        ? `an integer ≥ ${opts.min}`
        : 'an integer';
  return def(z.string().trim().regex(/^-?\d+$/, 'not an integer').transform(Number).pipe(n), {
    doc,
    expected: range,
    default: opts.default === undefined ? undefined : String(opts.default),
    required: opts.required,
  });
};

export const text = (
  opts: { default?: string; required?: boolean; secret?: boolean; min?: number; max?: number },
  doc: string,
): Setting<string> => {
  let s = z.string();
  if (opts.min !== undefined) s = s.min(opts.min);
  if (opts.max !== undefined) s = s.max(opts.max);
  return def(s, {
    doc,
    expected: opts.max !== undefined ? `text of at most ${opts.max} characters` : 'text',
    default: opts.default,
    required: opts.required,
    secret: opts.secret,
    emptyIsValue: (opts.min ?? 0) === 0,
  });
};

/** A list split on the given separators, trimmed, empty items dropped. */
export const list = (separators: 'comma' | 'semicolon' | 'comma-or-semicolon', defaultValue: string, doc: string, item: z.ZodType<string, string> = z.string()): Setting<string[]> => {
  const re = separators === 'comma' ? /,/ : separators === 'semicolon' ? /;/ : /[,;]/;
  const schema = z
    .string()
    .transform((v) => v.split(re).map((x) => x.trim()).filter((x) => x.length > 0))
    .pipe(z.array(item));
  const sep = separators === 'comma' ? 'comma' : separators === 'semicolon' ? 'semicolon' : 'comma or semicolon';
  return def(schema, { doc, expected: `a ${sep}-separated list`, default: defaultValue });
};

/** A JSON object of string → CMG code, written as the setting's value (MAPPING.md). */
export const codeMap = (doc: string): Setting<Record<string, string>> => {
  const schema = z
    .string()
    .transform((v, ctx) => {
      try {
        return JSON.parse(v === '' ? '{}' : v) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(z.record(z.string().trim().min(1), z.union([z.string().trim().min(1), z.number().int().transform(String)])));
  return def(schema, { doc, expected: 'a JSON object of name to code, e.g. {"Vacation":"5"}', default: '{}' });
};

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration: `90s`, `30m`, `12h`, `7d`, `500ms`; a bare number is minutes. Parsed to milliseconds. */
export const duration = (defaultValue: string, doc: string, opts: { minMs?: number } = {}): Setting<number> => {
  const schema = z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)?$/, 'not a duration')
    .transform((v) => {
      const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(v)!;
      return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 'm']!);
    })
    .pipe(z.number().min(opts.minMs ?? 0, `shorter than ${opts.minMs ?? 0} ms`));
  return def(schema, { doc, expected: 'a duration such as 90s, 30m, 12h or 7d (a bare number is minutes)', default: defaultValue });
};

/** Time of day `hh:mm`, as minutes after midnight; optional. */
export const timeOfDay = (doc: string): Setting<number | undefined> => {
  const schema = z
    .string()
    .trim()
    .transform((v, ctx) => {
      if (v === '') return undefined;
      const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(v);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: 'not a time of day' });
        return z.NEVER;
      }
      return Number(m[1]) * 60 + Number(m[2]);
    });
  return def(schema, { doc, expected: 'a time of day hh:mm (24-hour), or empty', default: '' });
};

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/** An IANA time zone name such as Europe/Stockholm. */
export const timeZone = (defaultValue: string, doc: string): Setting<string> =>
  def(z.string().trim().refine(isTimeZone, 'not a known IANA time zone'), {
    doc,
    expected: 'an IANA time zone such as Europe/Stockholm or UTC',
    default: defaultValue,
  });

/** Loopback hosts: traffic to them never leaves the machine, so plain http exposes nothing. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * An absolute URL the product sends credentials to or receives secrets at (CMG's Basic auth,
 * tokens, client secrets, Graph's clientState): https, or plain http to a loopback host only
 * (the emulators and the dev host).
 */
export const url = (opts: { default?: string; required?: boolean }, doc: string): Setting<string> =>
  def(
    z
      .string()
      .trim()
      .refine((v) => {
        try {
          const u = new URL(v);
          return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname));
        } catch {
          return false;
        }
      }, 'not an absolute https:// URL (http:// is allowed for a loopback host only)')
      .transform((v) => v.replace(/\/+$/, '')),
    { doc, expected: 'an absolute https:// URL (http:// only for a loopback host such as 127.0.0.1)', default: opts.default, required: opts.required },
  );

export const oneOf = <const T extends string>(values: readonly [T, ...T[]], defaultValue: T, doc: string): Setting<T> =>
  def(z.enum(values), { doc, expected: `one of ${values.join(', ')}`, default: defaultValue });

/** A setting that must be set: no default. */
export const required = <T>(inner: Setting<T>): Setting<T> => ({ schema: inner.schema, meta: { ...inner.meta, default: undefined, required: true } });

/** A setting that may be absent (no default, not required): parsed when present. */
export const optional = <T>(inner: Setting<T>): Setting<T | undefined> => ({
  schema: inner.schema as z.ZodType<T | undefined>,
  meta: { ...inner.meta, default: undefined, required: false },
});
