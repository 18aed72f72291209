/**
 * Hash of the mapping settings, stored per mailbox: when it changes, every activity may change,
 * so the next sync is a full one (ARCHITECTURE.md, sync job step 2).
 */
import { createHash } from 'node:crypto';
import type { MappingSettings } from './mapping-settings.js';

/** JSON with object keys sorted at every level, so equal settings always give equal text. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

// Settings are read once per process and never changed in place: each object is hashed once,
// not on every job.
const hashes = new WeakMap<MappingSettings, string>();

export function configHash(settings: MappingSettings): string {
  let hash = hashes.get(settings);
  if (hash === undefined) {
    hash = createHash('sha256').update(stableJson(settings)).digest('base64url');
    hashes.set(settings, hash);
  }
  return hash;
}
