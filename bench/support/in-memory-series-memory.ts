/** A mailbox's remembered series masters kept in a Map: the provider's view of the SeriesMasters table, without Table Storage. */
import type { SeriesMaster } from '../../shared/domain/calendar-event.js';
import type { SeriesMemory } from '../../shared/providers/calendar-provider.js';

export class InMemorySeriesMemory implements SeriesMemory {
  private readonly masters = new Map<string, SeriesMaster>();

  async recall(): Promise<readonly SeriesMaster[]> {
    return [...this.masters.values()];
  }

  async remember(masters: readonly SeriesMaster[]): Promise<void> {
    for (const master of masters) this.masters.set(master.id, master);
  }

  async forget(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.masters.delete(id);
  }
}
