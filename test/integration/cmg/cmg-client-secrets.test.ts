import { describe, expect, it } from 'vitest';
import { operationMatchers } from '../../../tools/emulators/cmg/cmg-control.js';
import { activity, PASSWORD, useHarness } from './cmg-harness.js';

const harness = useHarness();

describe('CMG credentials', () => {
  it("when the password holds ':', '@' and non-ASCII characters, then CMG accepts it", async () => {
    expect(PASSWORD).toMatch(/:.*@.*[^\x00-\x7f]/);
    expect(await harness().client().upsertActivity('u1', 'e1', activity())).toBe('created');
  });

  it('when CMG echoes the password in an error message, then the AppError and the log show it redacted', async () => {
    harness().emulator.fault({
      ...operationMatchers('/CMG Office/api/calendar/v1').check,
      kind: 'status',
      status: 503,
      times: 2,
      body: { error: { code: 'busy', message: `login with ${PASSWORD} is busy` } },
    });
    const error = await harness().failure(harness().client({ maxRetries: 1 }).check());
    expect(error.message).toContain('login with [redacted] is busy');
    expect(harness().logs.some((line) => line.includes('cmg.retry') && line.includes('[redacted]'))).toBe(true);
  });

  it('when a client makes requests, then its debug log lines are captured (the leak check sees them)', async () => {
    await harness().client().check();
    expect(harness().logs.some((line) => line.includes('"op":"cmg.request"'))).toBe(true);
  });
});
