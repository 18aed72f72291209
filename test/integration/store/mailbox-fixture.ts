import type { Mailbox } from '../../../shared/store/mailbox-repository.js';

export function aMailbox(key: string, overrides: Partial<Mailbox> = {}): Mailbox {
  return {
    key,
    address: `${key}@example.com`,
    domain: 'example.com',
    language: 'en',
    forwardByDefault: false,
    messageSystem: 1,
    state: 'active',
    multiAddress: false,
    failures: 0,
    activityCount: 0,
    ...overrides,
  };
}
