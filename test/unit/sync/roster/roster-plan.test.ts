import { describe, expect, it } from 'vitest';
import { planRoster, type RosterRules, type RosterUser } from '../../../../shared/sync/roster/roster-plan.js';

const user = (key: string, email: string | null, extra: Partial<RosterUser> = {}): RosterUser => ({
  key,
  email,
  calendarSync: true,
  deleted: false,
  changed: true,
  ...extra,
});
const rules = (extra: Partial<RosterRules> = {}): RosterRules => ({
  testAddresses: [],
  excludedAddresses: [],
  maxBoxes: undefined,
  servedDomains: new Set(['contoso.com', 'fabrikam.example']),
  ...extra,
});
const stateOf = (plan: ReturnType<typeof planRoster>) => Object.fromEntries(plan.mailboxes.map((m) => [m.key, `${m.state}${m.reason ? `: ${m.reason}` : ''}`]));

describe('roster plan', () => {
  it('when users are ordinary, then each is active with a lower-case address and its domain', () => {
    const plan = planRoster([user('u1', 'Anna@Contoso.com')], rules(), { full: false });
    expect(plan.mailboxes).toEqual([{ key: 'u1', address: 'anna@contoso.com', domain: 'contoso.com', state: 'active', reason: '', multiAddress: false }]);
  });

  it('when CMG removed a user, turned sync off or has no address, then the mailbox is disabled with the reason', () => {
    const plan = planRoster([user('u1', 'a@contoso.com', { deleted: true }), user('u2', 'b@contoso.com', { calendarSync: false }), user('u3', null)], rules(), { full: false });
    expect(stateOf(plan)).toEqual({ u1: 'disabled: removed from CMG', u2: 'disabled: calendar sync is off in CMG', u3: 'disabled: no mail address in CMG' });
  });

  it('when a key or an address cannot be carried by the queue or a provider, then that mailbox is invalid with the reason and the rest go on', () => {
    const long = 'k'.repeat(129);
    const plan = planRoster(
      [user(long, 'a@contoso.com'), user('u2', `${'x'.repeat(250)}@contoso.com`), user('u3', 'bad address@contoso.com'), user('u4', 'a/b@contoso.com'), user('u5', 'ok@contoso.com')],
      rules(),
      { full: false },
    );
    expect(stateOf(plan)).toEqual({
      [long]: "invalid: CMG user id longer than 128 characters (the queue's session id limit)",
      u2: 'invalid: mail address longer than 254 characters',
      u3: 'invalid: mail address is not a plain user@domain address',
      u4: 'invalid: mail address is not a plain user@domain address',
      u5: 'active',
    });
  });

  it('when a test subset is set, then only its addresses are active', () => {
    const plan = planRoster([user('u1', 'a@contoso.com'), user('u2', 'b@contoso.com')], rules({ testAddresses: ['B@contoso.com'] }), { full: false });
    expect(stateOf(plan)).toEqual({ u1: 'excluded: not in TEST_MAIL_ADDRESSES', u2: 'active' });
  });

  it('when an address is excluded, then it is never active', () => {
    const plan = planRoster([user('u1', 'a@contoso.com')], rules({ excludedAddresses: ['a@contoso.com'] }), { full: false });
    expect(stateOf(plan)).toEqual({ u1: 'excluded: in EXCLUDED_MAIL_ADDRESSES' });
  });

  it('when no profile serves the domain, then the address is reported invalid', () => {
    const plan = planRoster([user('u1', 'a@elsewhere.org')], rules(), { full: false });
    expect(stateOf(plan)).toEqual({ u1: 'invalid: no connection profile serves elsewhere.org' });
  });

  it('when MAX_BOXES is reached, then the rest are reported over the limit, not dropped', () => {
    const plan = planRoster([user('u3', 'c@contoso.com'), user('u1', 'a@contoso.com'), user('u2', 'b@contoso.com')], rules({ maxBoxes: 2 }), { full: false });
    expect(stateOf(plan)).toEqual({ u1: 'active', u2: 'active', u3: 'over-limit: MAX_BOXES (2) reached' });
  });

  it('when two users share an address, then both are synced and the address is reported', () => {
    const plan = planRoster([user('u1', 'desk@contoso.com'), user('u2', 'DESK@contoso.com'), user('u3', 'x@contoso.com')], rules(), { full: false });
    expect(plan.multiAddresses).toEqual([{ address: 'desk@contoso.com', keys: ['u1', 'u2'] }]);
    expect(plan.mailboxes.filter((m) => m.multiAddress).map((m) => [m.key, m.state])).toEqual([['u1', 'active'], ['u2', 'active']]);
  });

  it('when the provider rejected an address and CMG did not change the user, then it stays invalid until a full refresh', () => {
    const unchanged = user('u1', 'a@contoso.com', { changed: false, previousState: 'invalid' });
    expect(stateOf(planRoster([unchanged], rules(), { full: false }))).toEqual({ u1: 'invalid' });
    expect(stateOf(planRoster([{ ...unchanged, changed: true }], rules(), { full: false }))).toEqual({ u1: 'active' });
    expect(stateOf(planRoster([unchanged], rules(), { full: true }))).toEqual({ u1: 'active' });
  });
});
