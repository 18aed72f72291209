import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { operationMatchers } from '../../../tools/emulators/cmg/cmg-control.js';
import { activity, PASSWORD, startHarness, type Harness } from './cmg-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
beforeEach(() => h.emulator.control.reset());
afterAll(async () => {
  expect(h.leaks()).toEqual([]);
  await h.close();
});

describe('CMG credentials', () => {
  it("when the password holds ':', '@' and non-ASCII characters, then CMG accepts it", async () => {
    expect(PASSWORD).toMatch(/:.*@.*[^\x00-\x7f]/);
    expect(await h.client().upsertActivity('u1', 'e1', activity())).toBe('created');
  });

  it('when CMG echoes the password in an error message, then the AppError and the log show it redacted', async () => {
    h.emulator.fault({
      ...operationMatchers('/CMG Office/api/calendar/v1').check,
      kind: 'status',
      status: 503,
      times: 2,
      body: { error: { code: 'busy', message: `login with ${PASSWORD} is busy` } },
    });
    const error = await h.failure(h.client({ maxRetries: 1 }).check());
    expect(error.message).toContain('login with [redacted] is busy');
    expect(h.logs.some((line) => line.includes('cmg.retry') && line.includes('[redacted]'))).toBe(true);
  });

  it('when a client makes requests, then its debug log lines are captured (the leak check sees them)', async () => {
    await h.client().check();
    expect(h.logs.some((line) => line.includes('"op":"cmg.request"'))).toBe(true);
  });
});
