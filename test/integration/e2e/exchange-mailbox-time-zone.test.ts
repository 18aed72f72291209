/**
 * An Exchange mailbox's all-day events follow its own time zone, the one its regional
 * configuration names (OWA.UserOptions, read with GetUserConfiguration), not DEFAULT_TIME_ZONE:
 * an organisation spread over Tokyo, Los Angeles and Paris, through the production transport
 * (NTLMv2, Extended Protection: Require) to the EWS emulator, and CMG's activities read back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addDays, zonedTimeToInstant } from '../../../shared/domain/time-zone.js';
import type { RunningEwsEmulator } from '../../../tools/emulators/exchange/ews-emulator.js';
import type { LocalEnvironment } from '../../../tools/local-env/local-environment.js';
import { aJob } from '../../support/mailbox-job-harness.js';
import { cmgActivities, syncEveryone } from './e2e-harness.js';
import { EXCHANGE_ACCOUNT as ACCOUNT, ONPREM_DOMAIN as DOMAIN, startOnPremE2e } from './exchange-e2e-harness.js';

const DEFAULT_ZONE = 'Europe/Paris';
const PEOPLE = { 'ex-tokyo': 'Asia/Tokyo', 'ex-la': 'America/Los_Angeles', 'ex-unset': 'Asia/Tokyo' } as const;

let env: LocalEnvironment | undefined;
let ews: RunningEwsEmulator | undefined;
afterEach(async () => {
  await env?.close();
  await ews?.close();
  env = undefined;
  ews = undefined;
});

describe('Exchange mailboxes in their own time zones', { timeout: 120_000 }, () => {
  it('when mailboxes in Tokyo and Los Angeles hold an all-day event and DEFAULT_TIME_ZONE is Paris, then each activity runs from local midnight to local midnight in its own zone; a mailbox without a regional configuration falls back to Paris', async () => {
    ({ env, ews } = await startOnPremE2e({ DEFAULT_TIME_ZONE: DEFAULT_ZONE }));
    const e = env;
    const day = addDays(e.deps.now().toISOString().slice(0, 10), 2);
    for (const [key, zone] of Object.entries(PEOPLE)) {
      const address = `${key.slice(3)}@${DOMAIN}`;
      e.cmg.control.changeUser({ userId: key, email: address, calendarSync: true, language: 'en', forwardByDefault: false, messageSystem: 1 });
      // ex-unset: the owner never chose a zone, so Exchange keeps no OWA.UserOptions for the mailbox
      ews.control.addMailbox({ address, timeZone: zone, impersonators: [ACCOUNT], regionalConfiguration: key !== 'ex-unset' });
      ews.control.createItem(address, { subject: 'Public holiday', isAllDayEvent: true, start: day, end: addDays(day, 1) });
    }

    await syncEveryone(e);

    const holiday = (key: string) => cmgActivities(e, key).filter((a) => a.text.includes('Public holiday'));
    for (const key of ['ex-tokyo', 'ex-la'] as const) {
      expect(holiday(key)).toEqual([expect.objectContaining({ start: zonedTimeToInstant(day, 0, 0, PEOPLE[key]), end: zonedTimeToInstant(addDays(day, 1), 0, 0, PEOPLE[key]) })]);
      expect(await e.deps.store.mailboxes.get(key)).toMatchObject({ state: 'active', timeZone: PEOPLE[key] });
    }
    // The same date, read in the default zone: Paris' midnights
    expect(holiday('ex-unset')).toEqual([expect.objectContaining({ start: zonedTimeToInstant(day, 0, 0, DEFAULT_ZONE), end: zonedTimeToInstant(addDays(day, 1), 0, 0, DEFAULT_ZONE) })]);
    expect(await e.deps.store.mailboxes.get('ex-unset')).toMatchObject({ state: 'active', timeZone: DEFAULT_ZONE });

    // A change keeps the zone the full sync read, without asking for it again
    const zoneReads = ews.control.requestCount({ operation: 'GetUserConfiguration', mailbox: `tokyo@${DOMAIN}` });
    expect(zoneReads).toBe(1);
    ews.control.createItem(`tokyo@${DOMAIN}`, { subject: 'Company day', isAllDayEvent: true, start: addDays(day, 1), end: addDays(day, 2) });
    await e.queue.send(aJob('ex-tokyo', { reason: 'notification' }), { messageId: 'exchange-tz-change-1' });
    await e.queue.whenIdle({ horizonMs: 0 });
    expect(cmgActivities(e, 'ex-tokyo').filter((a) => a.text.includes('Company day'))).toEqual([
      expect.objectContaining({ start: zonedTimeToInstant(addDays(day, 1), 0, 0, 'Asia/Tokyo'), end: zonedTimeToInstant(addDays(day, 2), 0, 0, 'Asia/Tokyo') }),
    ]);
    expect(ews.control.requestCount({ operation: 'GetUserConfiguration', mailbox: `tokyo@${DOMAIN}` })).toBe(zoneReads);
  });
});
