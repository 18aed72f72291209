/** A mailbox's remembered Graph series masters (SeriesMasters table), as the provider asks for them. */
import type { SeriesMemory } from '../../providers/calendar-provider.js';
import type { Store } from '../../store/store.js';

export function seriesMemoryFor(store: Store, mailboxKey: string): SeriesMemory {
  const masters = store.seriesMasters;
  return {
    recall: () => masters.listForMailbox(mailboxKey),
    remember: (list) => masters.put(mailboxKey, list),
    forget: (ids) => masters.delete(mailboxKey, ids),
  };
}
