/** The repositories the use cases work with, whatever stores them (table-store.ts wires Table Storage). */
import type { ActivityRepository } from './activity-repository.js';
import type { DeadLetterRepository } from './dead-letter-repository.js';
import type { MailboxRepository } from './mailbox-repository.js';
import type { SeriesMasterRepository } from './series-master-repository.js';
import type { StateRepository } from './state-repository.js';
import type { SubscriptionRepository } from './subscription-repository.js';

export interface Store {
  readonly mailboxes: MailboxRepository;
  readonly activities: ActivityRepository;
  readonly subscriptions: SubscriptionRepository;
  readonly state: StateRepository;
  readonly deadLetters: DeadLetterRepository;
  readonly seriesMasters: SeriesMasterRepository;
}
