import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/errors/app-error.js';
import type { RunningGraphEmulator } from '../../../tools/emulators/graph/graph-emulator.js';
import { at, calendarRequests, providerFor, startKit, windowAround } from './graph-harness.js';

const ADELE = 'adele@contoso.com';
const now = new Date();
const window = windowAround(now);

describe('what one Graph fetch may read', () => {
  let emulator: RunningGraphEmulator;
  beforeEach(async () => {
    emulator = await startKit();
    emulator.control.addUser({ address: ADELE, timeZone: 'UTC' });
    for (let n = 0; n < 12; n += 1) emulator.control.addEvent(ADELE, { subject: `Meeting ${n}`, start: at(now, n + 1), end: at(now, n + 2) });
  });
  afterEach(async () => emulator.close());

  it('when the calendar needs more pages than the cap, then reading stops at the cap with a configuration error naming it', async () => {
    const provider = providerFor(emulator, { pageSize: 5, readLimits: { maxPages: 2, maxItems: 1_000 } });

    const error = await provider.fetchCalendar({ address: ADELE, window }).catch((e: unknown) => e);

    expect(isAppError(error) && [error.kind, error.code]).toEqual(['configuration', 'read-limit']);
    expect((error as Error).message).toMatch(/more pages for adele@contoso\.com after 2/);
    expect(calendarRequests(emulator)).toHaveLength(2);
  });

  it('when the calendar holds more events than the cap, then reading stops with a configuration error naming it', async () => {
    const provider = providerFor(emulator, { pageSize: 5, readLimits: { maxPages: 100, maxItems: 8 } });

    const error = await provider.fetchCalendar({ address: ADELE, window }).catch((e: unknown) => e);

    expect(isAppError(error) && [error.kind, error.code]).toEqual(['configuration', 'read-limit']);
    expect((error as Error).message).toMatch(/more than 8 events for adele@contoso\.com/);
    expect(calendarRequests(emulator)).toHaveLength(2);
  });

  it('when the calendar is within the caps, then it is read whole (the caps do not merely refuse)', async () => {
    const provider = providerFor(emulator, { pageSize: 5, readLimits: { maxPages: 3, maxItems: 12 } });
    const result = await provider.fetchCalendar({ address: ADELE, window });
    expect(result.items).toHaveLength(12);
  });
});
