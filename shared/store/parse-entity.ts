import type { z } from 'zod';
import { permanentError, type AppError } from '../errors/app-error.js';

/**
 * Validates what came out of a table. A row that does not fit the schema (written by an older
 * version, edited by hand) is a permanent error naming the table, the keys and the fields —
 * never the values, which may hold tokens.
 */
export function parseEntity<S extends z.ZodType>(schema: S, entity: unknown, table: string): z.output<S> {
  const result = schema.safeParse(entity);
  if (result.success) return result.data;
  throw invalidEntity(table, describeKeys(entity), result.error);
}

function describeKeys(entity: unknown): string {
  const { partitionKey, rowKey } = (entity ?? {}) as { partitionKey?: unknown; rowKey?: unknown };
  return `(${String(partitionKey)}, ${String(rowKey)})`;
}

function invalidEntity(table: string, keys: string, error: z.ZodError): AppError {
  const fields = error.issues.map((issue) => `${issue.path.join('.') || '(entity)'}: ${issue.code}`).join('; ');
  return permanentError(`Table ${table}, entity ${keys} is invalid: ${fields}`, 'invalid-entity', error);
}
