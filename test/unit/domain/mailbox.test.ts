import { describe, expect, it } from 'vitest';
import {
  REMOVED_FROM_CMG,
  REPROBE_MAX_MS,
  attemptsExhausted,
  cleared,
  configurationError,
  declaredInvalid,
  failedAttempt,
  jobStart,
  refused,
  retryDelay,
  rosterAdded,
  rosterChanged,
  synced,
  unknownToCmg,
  type Mailbox,
  type MailboxSettings,
  type RosterFields,
} from '../../../shared/domain/mailbox.js';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-03-02T09:00:00Z');
const settings: MailboxSettings = { invalidAfterMs: 6 * HOUR, invalidReprobeMs: HOUR, jobRetryBaseMs: 30_000, jobRetryMaxMs: 15 * 60_000, jobMaxAttempts: 5 };
const fields: RosterFields = {
  address: 'anna@contoso.example',
  domain: 'contoso.example',
  language: 'en',
  forwardByDefault: false,
  messageSystem: 1,
  state: 'active',
  stateReason: undefined,
  multiAddress: false,
  rosterModifiedAt: undefined,
};
const anna: Mailbox = { ...rosterAdded('anna', fields), profile: 'm365', provider: 'graph', syncToken: 'delta-1', activityCount: 3 };
const at = (ms: number): string => new Date(ms).toISOString();
const refusal = (reason = 'graph: 403 access denied', circuitOpen = false, jitter = 0.5) => ({ reason, circuitOpen, jitter });

describe('a refusal is not evidence', () => {
  it('when a provider refuses a mailbox, then it backs off as failing and keeps its token and what CMG holds', () => {
    const next = refused(anna, refusal(), NOW, settings);
    expect(next).toMatchObject({ state: 'failing', stateReason: 'graph: 403 access denied', failures: 1, refusedSince: at(NOW), syncToken: 'delta-1', activityCount: 3 });
    expect(jobStart(next, NOW)).toBe('sync');
  });

  it('when the provider says the user does not exist, then the mailbox is invalid at once and its token is dropped', () => {
    const next = declaredInvalid(anna, { reason: 'm365: mailbox not found' }, NOW, settings);
    expect(next).toMatchObject({ state: 'invalid', stateReason: 'm365: mailbox not found', syncToken: undefined, failures: 1, refusedSince: undefined });
  });

  it('when refusals go on, then the first refusal stays the start of the run', () => {
    const first = refused(anna, refusal(), NOW, settings);
    const second = refused(first, refusal(), NOW + HOUR, settings);
    expect(second).toMatchObject({ state: 'failing', failures: 2, refusedSince: at(NOW) });
  });
});

describe('hours of refusals', () => {
  it('when refusals have lasted INVALID_AFTER with the circuit closed, then the mailbox is invalid, with the run in its reason', () => {
    const refusing = refused(anna, refusal(), NOW, settings);
    const next = refused(refusing, refusal(), NOW + settings.invalidAfterMs, settings);
    expect(next.state).toBe('invalid');
    expect(next.stateReason).toBe(`refused since ${at(NOW)}: graph: 403 access denied`);
    expect(next.syncToken).toBeUndefined();
  });

  it('when refusals have lasted just under INVALID_AFTER, then the mailbox is still only failing', () => {
    const refusing = refused(anna, refusal(), NOW, settings);
    expect(refused(refusing, refusal(), NOW + settings.invalidAfterMs - 1, settings).state).toBe('failing');
  });

  it("when the profile's circuit is open, then hours of refusals are the profile's fault and the mailbox stays failing", () => {
    const refusing = refused(anna, refusal(), NOW, settings);
    const next = refused(refusing, refusal('graph: 401 invalid client secret', true), NOW + 10 * settings.invalidAfterMs, settings);
    expect(next).toMatchObject({ state: 'failing', refusedSince: at(NOW), syncToken: 'delta-1' });
  });

  it('when a refused mailbox syncs again, then the run of refusals and the backoff are forgotten', () => {
    const refusing = refused(anna, refusal(), NOW, settings);
    const next = synced(refusing, learnt(), NOW + HOUR);
    expect(next).toMatchObject({ state: 'active', stateReason: undefined, refusedSince: undefined, retryAt: undefined, failures: 0 });
  });
});

describe('re-probing an invalid mailbox', () => {
  it('when probes keep failing, then the wait doubles from INVALID_REPROBE up to a day', () => {
    let mailbox: Mailbox = anna;
    const waits: number[] = [];
    for (let probe = 0; probe < 8; probe += 1) {
      mailbox = declaredInvalid(mailbox, { reason: 'gone' }, NOW, settings);
      waits.push(Date.parse(mailbox.retryAt!) - NOW);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 24, 24, 24].map((h) => h * HOUR));
    expect(REPROBE_MAX_MS).toBe(24 * HOUR);
  });

  it('when its wait is not over, then a job only clears it; once over, a job probes it', () => {
    const invalid = declaredInvalid(anna, { reason: 'gone' }, NOW, settings);
    expect(jobStart(invalid, NOW + HOUR - 1)).toBe('clear');
    expect(jobStart(invalid, NOW + HOUR)).toBe('probe');
  });

  it('when a probe is refused (not evidence), then the mailbox stays invalid and backs off, its reason kept', () => {
    const invalid = declaredInvalid(anna, { reason: 'gone' }, NOW, settings);
    const next = refused(invalid, refusal(), NOW + HOUR, settings);
    expect(next).toMatchObject({ state: 'invalid', stateReason: 'gone', failures: 2, refusedSince: at(NOW + HOUR) });
    expect(Date.parse(next.retryAt!) - (NOW + HOUR)).toBeLessThanOrEqual(settings.jobRetryMaxMs);
  });

  it('when a probe succeeds, then the mailbox is active again', () => {
    const invalid = declaredInvalid(anna, { reason: 'gone' }, NOW, settings);
    expect(synced(invalid, learnt(), NOW + HOUR)).toMatchObject({ state: 'active', stateReason: undefined, failures: 0, retryAt: undefined });
  });
});

describe('backoff bounds', () => {
  it('when a refusal backs off, then the wait is between half and all of base × 2^(n-1), never above JOB_RETRY_MAX', () => {
    let mailbox: Mailbox = anna;
    for (let n = 1; n <= 10; n += 1) {
      const ceiling = Math.min(settings.jobRetryMaxMs, settings.jobRetryBaseMs * 2 ** (n - 1));
      const low = refused(mailbox, refusal('403', false, 0), NOW, settings);
      const high = refused(mailbox, refusal('403', false, 0.999999), NOW, settings);
      expect(Date.parse(low.retryAt!) - NOW).toBe(ceiling / 2);
      expect(Date.parse(high.retryAt!) - NOW).toBe(ceiling);
      mailbox = low;
    }
  });

  it("when a job fails, then its retry waits for the service's Retry-After but never beyond JOB_RETRY_MAX", () => {
    expect(retryDelay(1, 120_000, 0, settings)).toBe(120_000);
    expect(retryDelay(1, undefined, 0, settings)).toBe(15_000);
    expect(retryDelay(1, 3 * settings.jobRetryMaxMs, 0, settings)).toBe(settings.jobRetryMaxMs);
    // Nothing could be recorded (attempt 0): it waits as a second attempt would.
    expect(retryDelay(0, undefined, 0, settings)).toBe(retryDelay(2, undefined, 0, settings));
  });

  it('when transient failures repeat, then each is counted and spaced, and the last allowed one marks the mailbox failing for JOB_RETRY_MAX', () => {
    let mailbox: Mailbox = anna;
    for (let attempt = 1; attempt < settings.jobMaxAttempts; attempt += 1) {
      mailbox = failedAttempt(mailbox, { message: 'CMG timed out', retryAfterMs: undefined, jitter: 0 }, NOW, settings);
      expect(mailbox).toMatchObject({ state: 'active', failures: attempt, lastError: 'CMG timed out' });
      expect(Date.parse(mailbox.retryAt!) - NOW).toBe(retryDelay(attempt, undefined, 0, settings));
      expect(attemptsExhausted(mailbox, settings)).toBe(false);
    }
    const last = failedAttempt(mailbox, { message: 'CMG timed out', retryAfterMs: undefined, jitter: 0 }, NOW, settings);
    expect(attemptsExhausted(last, settings)).toBe(true);
    expect(last).toMatchObject({ state: 'failing', stateReason: `${settings.jobMaxAttempts} attempts failed; last: CMG timed out`, retryAt: at(NOW + settings.jobRetryMaxMs) });
  });
});

describe('the other events', () => {
  it('when a setting is wrong, then only the error is reported: no backoff, no state change', () => {
    expect(configurationError(anna, { message: 'PROFILE_M365_TENANT is wrong' }, NOW)).toEqual({ ...anna, lastError: 'PROFILE_M365_TENANT is wrong', lastErrorAt: at(NOW) });
  });

  it('when CMG refuses activities, then the sync still advances and names their codes once each', () => {
    const next = synced(anna, learnt({ rejectedCodes: ['invalid_code', 'invalid_code', 'too_long'] }), NOW);
    expect(next).toMatchObject({ syncToken: 'delta-2', lastError: 'CMG refused 3 activities (invalid_code, too_long)', lastErrorAt: at(NOW), lastSyncAt: at(NOW) });
  });

  it('when CMG does not know the user, then the mailbox is disabled and starts over', () => {
    expect(unknownToCmg(anna)).toMatchObject({ state: 'disabled', stateReason: 'CMG does not know this user', syncToken: undefined, activityCount: 0 });
  });

  it('when the roster excludes a user, then its sync fields stay and the next job clears what CMG holds', () => {
    const excluded = rosterChanged(anna, { ...fields, state: 'excluded', stateReason: 'in EXCLUDED_MAIL_ADDRESSES' });
    expect(excluded).toMatchObject({ state: 'excluded', syncToken: 'delta-1', activityCount: 3 });
    expect(jobStart(excluded, NOW)).toBe('clear');
    expect(cleared(excluded)).toMatchObject({ state: 'excluded', activityCount: 0, syncToken: undefined });
  });

  it('when the roster removes a user, then the next job clears it and forgets the row', () => {
    expect(jobStart(rosterChanged(anna, { ...fields, state: 'disabled', stateReason: REMOVED_FROM_CMG }), NOW)).toBe('forget');
  });

  it('when the roster changes an address, then the new address is taken and the sync state kept', () => {
    expect(rosterChanged(anna, { ...fields, address: 'anna.b@contoso.example' })).toMatchObject({ address: 'anna.b@contoso.example', syncToken: 'delta-1', profile: 'm365' });
  });

  it('when the roster adds a user, then the mailbox has never failed and holds nothing', () => {
    expect(rosterAdded('ben', { ...fields, address: 'ben@contoso.example' })).toEqual({ key: 'ben', ...fields, address: 'ben@contoso.example', failures: 0, activityCount: 0 });
  });
});

function learnt(overrides: Partial<Parameters<typeof synced>[1]> = {}): Parameters<typeof synced>[1] {
  return {
    profile: 'm365',
    provider: 'graph',
    mode: 'delta',
    syncToken: 'delta-2',
    window: { start: '2026-03-02T00:00:00.000Z', end: '2026-03-30T00:00:00.000Z' },
    configHash: 'h',
    directoryUser: undefined,
    timeZone: 'Europe/Berlin',
    automaticRepliesSince: undefined,
    automaticRepliesSeen: undefined,
    rejectedCodes: [],
    activityCount: 3,
    ...overrides,
  };
}
