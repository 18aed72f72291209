/** The repositories over Table Storage, wired from the platform settings. */
import { TableActivityRepository } from './table-activity-repository.js';
import { TableDeadLetterRepository } from './table-dead-letter-repository.js';
import { tableGetter, type TableConnectionOptions, type TablesConnection } from './table-connection.js';
import { TableMailboxRepository } from './table-mailbox-repository.js';
import { TableStateRepository } from './table-state-repository.js';
import { TableSubscriptionRepository } from './table-subscription-repository.js';
import { TableSeriesMasterRepository } from './table-series-master-repository.js';
import type { Store } from './store.js';

export function createTableStore(connection: TablesConnection, options: TableConnectionOptions = {}): Store {
  return {
    mailboxes: new TableMailboxRepository(tableGetter(connection, 'Mailboxes', options)),
    activities: new TableActivityRepository(tableGetter(connection, 'Activities', options)),
    subscriptions: new TableSubscriptionRepository(tableGetter(connection, 'Subscriptions', options)),
    state: new TableStateRepository(tableGetter(connection, 'State', options)),
    deadLetters: new TableDeadLetterRepository(tableGetter(connection, 'DeadLetters', options)),
    seriesMasters: new TableSeriesMasterRepository(tableGetter(connection, 'SeriesMasters', options)),
  };
}
