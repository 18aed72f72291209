/**
 * Who is synced (MAPPING.md 7), decided from the CMG roster: pure, so the rules are tested
 * without storage. The use case (refresh-roster.ts) feeds it every known user and writes the
 * differences.
 */

import { REMOVED_FROM_CMG, type MailboxState } from '../../domain/mailbox.js';

export interface RosterUser {
  readonly key: string;
  readonly email: string | null;
  readonly calendarSync: boolean;
  readonly deleted: boolean;
  /** True when CMG reported this user in this refresh (changed since the checkpoint). */
  readonly changed: boolean;
  /** The state the mailbox has now, if it exists. */
  readonly previousState?: MailboxState | undefined;
}

export interface RosterRules {
  readonly testAddresses: readonly string[];
  readonly excludedAddresses: readonly string[];
  readonly maxBoxes: number | undefined;
  /** Lower-case mail domains some connection profile serves. */
  readonly servedDomains: ReadonlySet<string>;
}

export interface PlannedMailbox {
  readonly key: string;
  /** Lower-case address, or null when CMG has none. */
  readonly address: string | null;
  readonly domain: string | null;
  readonly state: MailboxState;
  /** Why a mailbox is not active; empty when it is. */
  readonly reason: string;
  readonly multiAddress: boolean;
}

export interface RosterPlan {
  readonly mailboxes: readonly PlannedMailbox[];
  /** Addresses used by more than one CMG user; each of those users is still synced. */
  readonly multiAddresses: ReadonlyArray<{ readonly address: string; readonly keys: readonly string[] }>;
}

/**
 * States set by the sync job (the provider rejected the address, or the job kept failing) stay
 * until CMG changes the user or a full roster refresh re-evaluates everyone.
 */
const STICKY: ReadonlySet<MailboxState> = new Set(['invalid', 'failing']);

/** The queue's session id (the mailbox key) is at most this long (Service Bus). */
export const MAX_MAILBOX_KEY_LENGTH = 128;
/** RFC 5321: a path (and so an address a provider accepts) is at most 254 characters. */
const MAX_ADDRESS_LENGTH = 254;
// One @, something on each side, no spaces, controls or characters that break a URL path.
const ADDRESS_SHAPE = /^[^\s@/\\?#%\u0000-\u001f\u007f]+@[^\s@/\\?#%\u0000-\u001f\u007f]+$/u;

/** Why the queue or the providers cannot carry this user, or '' when they can. */
export function carryProblem(key: string, address: string): string {
  if (key.length > MAX_MAILBOX_KEY_LENGTH) return `CMG user id longer than ${MAX_MAILBOX_KEY_LENGTH} characters (the queue's session id limit)`;
  if (address.length > MAX_ADDRESS_LENGTH) return `mail address longer than ${MAX_ADDRESS_LENGTH} characters`;
  if (!ADDRESS_SHAPE.test(address)) return 'mail address is not a plain user@domain address';
  return '';
}

export function planRoster(users: readonly RosterUser[], rules: RosterRules, options: { full: boolean }): RosterPlan {
  const test = new Set(rules.testAddresses.map((a) => a.toLowerCase()));
  const excluded = new Set(rules.excludedAddresses.map((a) => a.toLowerCase()));
  const sorted = [...users].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  const byAddress = new Map<string, string[]>();
  for (const user of sorted) {
    const address = user.email?.trim().toLowerCase();
    if (!address || user.deleted || !user.calendarSync) continue;
    byAddress.set(address, [...(byAddress.get(address) ?? []), user.key]);
  }

  let activeCount = 0;
  const mailboxes = sorted.map((user): PlannedMailbox => {
    const address = user.email?.trim().toLowerCase() || null;
    const domain = address?.includes('@') ? address.slice(address.lastIndexOf('@') + 1) : null;
    const multiAddress = address !== null && (byAddress.get(address)?.length ?? 0) > 1;
    const planned = (state: MailboxState, reason: string): PlannedMailbox => ({ key: user.key, address, domain, state, reason, multiAddress });

    if (user.deleted) return planned('disabled', REMOVED_FROM_CMG);
    if (!user.calendarSync) return planned('disabled', 'calendar sync is off in CMG');
    if (!address || !domain) return planned('disabled', 'no mail address in CMG');
    const problem = carryProblem(user.key, address);
    if (problem) return planned('invalid', problem);
    if (test.size > 0 && !test.has(address)) return planned('excluded', 'not in TEST_MAIL_ADDRESSES');
    if (excluded.has(address)) return planned('excluded', 'in EXCLUDED_MAIL_ADDRESSES');
    if (!rules.servedDomains.has(domain)) return planned('invalid', `no connection profile serves ${domain}`);
    if (user.previousState && STICKY.has(user.previousState) && !user.changed && !options.full) {
      return planned(user.previousState, '');
    }
    if (rules.maxBoxes !== undefined && activeCount >= rules.maxBoxes) return planned('over-limit', `MAX_BOXES (${rules.maxBoxes}) reached`);
    activeCount += 1;
    return planned('active', '');
  });

  const multiAddresses = [...byAddress.entries()]
    .filter(([, keys]) => keys.length > 1)
    .map(([address, keys]) => ({ address, keys }))
    .sort((a, b) => (a.address < b.address ? -1 : 1));
  return { mailboxes, multiAddresses };
}
