/**
 * Graph occurrence stubs completed from their series master (MAPPING.md §1): a stub keeps its
 * own id, start and end and takes every other field from the master. Pure: the masters come from
 * the same delta, from what the provider remembered or fetched, or (calsync preview) from the
 * same file.
 */
import type { NormalizeResult, SeriesMaster } from './calendar-event.js';
import { normalizeGraphEvent } from './normalize-graph-event.js';

/** The series masters among the items, by id (a later item is the newer state). */
export function mastersIn(items: readonly NormalizeResult[]): Map<string, SeriesMaster> {
  const masters = new Map<string, SeriesMaster>();
  for (const item of items) if (item.kind === 'master') masters.set(item.master.id, item.master);
  return masters;
}

/**
 * Each stub whose master is known becomes the event it stands for; a stub whose master is
 * unknown stays a stub (mapped as `unresolved-series`). Everything else passes unchanged.
 */
export function hydrateStubs(items: readonly NormalizeResult[], masters: ReadonlyMap<string, SeriesMaster>): NormalizeResult[] {
  return items.map((item) => {
    if (item.kind !== 'stub') return item;
    const master = masters.get(item.seriesId);
    if (!master) return item;
    // The master's fields, then the stub's own id, type, series, start and end.
    const hydrated = normalizeGraphEvent({ ...master.fields, ...item.raw });
    return hydrated.kind === 'stub' ? { kind: 'invalid', id: item.id, detail: 'series master has no showAs' } : hydrated;
  });
}
