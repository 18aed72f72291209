/**
 * Structured logging: one JSON line per event, always with an `op` (operation) and, where one
 * applies, the `mailbox` key. Values registered as secrets, and fields whose names say they hold
 * a secret, never reach the output (ARCHITECTURE.md: no secret in logs).
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(op: string, fields?: LogFields): void;
  info(op: string, fields?: LogFields): void;
  warn(op: string, fields?: LogFields): void;
  error(op: string, fields?: LogFields): void;
  /** A logger that adds these fields to every line (e.g. `{ mailbox }`). */
  child(fields: LogFields): Logger;
}

export type LogSink = (level: LogLevel, line: string) => void;

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_FIELD = /pass(word)?|secret|token|authorization|clientstate|assertion|private_?key|credential|cookie/i;
const REDACTED = '[redacted]';

const registeredSecrets = new Set<string>();

/** Every value registered here is replaced by `[redacted]` wherever it appears in a log line or error text. */
export function registerSecret(value: string | undefined): void {
  // Very short values would redact ordinary words; real secrets are longer.
  if (value && value.length >= 4) registeredSecrets.add(value);
}

/** Replaces registered secrets (and their URL / base64 encodings) inside a text. */
export function redactText(text: string): string {
  let out = text;
  for (const secret of registeredSecrets) {
    for (const form of [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]) {
      if (form.length >= 4 && out.includes(form)) out = out.split(form).join(REDACTED);
    }
  }
  return out;
}

function redactValue(key: string, value: unknown, depth: number): unknown {
  if (SECRET_FIELD.test(key) && value !== undefined && value !== null && value !== '') return REDACTED;
  if (typeof value === 'string') return redactText(value);
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: redactText(value.message), ...(code !== undefined ? { code } : {}) };
  }
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactValue('', v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactValue(k, v, depth + 1);
  return out;
}

const consoleSink: LogSink = (level, line) => {
  if (level === 'error' || level === 'warn') process.stderr.write(line + '\n');
  else process.stdout.write(line + '\n');
};

export function createLogger(options: { level?: LogLevel; sink?: LogSink; fields?: LogFields } = {}): Logger {
  const threshold = LEVELS[options.level ?? 'info'];
  const sink = options.sink ?? consoleSink;
  const base = options.fields ?? {};
  const write = (level: LogLevel, op: string, fields: LogFields = {}): void => {
    if (LEVELS[level] < threshold) return;
    const record = redactValue('', { time: new Date().toISOString(), level, op, ...base, ...fields }, 0);
    sink(level, JSON.stringify(record));
  };
  return {
    debug: (op, f) => write('debug', op, f),
    info: (op, f) => write('info', op, f),
    warn: (op, f) => write('warn', op, f),
    error: (op, f) => write('error', op, f),
    child: (fields) => createLogger({ level: options.level ?? 'info', sink, fields: { ...base, ...fields } }),
  };
}

/** A logger that drops everything: for callers that have nothing to say to anyone. */
export const silentLogger: Logger = createLogger({ sink: () => undefined });
