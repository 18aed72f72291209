import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/errors/app-error.js';
import { listEvents } from '../../../shared/providers/google/google-events.js';
import { pageBudget } from '../../../shared/providers/read-limits.js';

const failure = (work: () => unknown): unknown => {
  try {
    work();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('the page budget of one fetch', () => {
  it('when a provider sends the same next-page link twice, then reading stops with a transient paging-loop error', () => {
    const count = pageBudget('Graph', 'a@contoso.com');
    count(10, 'https://graph/next?skip=1');
    const error = failure(() => count(10, 'https://graph/next?skip=1'));
    expect(isAppError(error) && [error.kind, error.code]).toEqual(['transient', 'paging-loop']);
  });

  it('when pages and items stay under the caps, then nothing is thrown, and the last page may end exactly at them', () => {
    const count = pageBudget('Graph', 'a@contoso.com', { maxPages: 3, maxItems: 30 });
    count(10, 'p2');
    count(10, 'p3');
    expect(failure(() => count(10, undefined))).toBeUndefined();
  });
});

describe('Google events.list paging', () => {
  const window = { start: '2026-11-24T08:00:00.000Z', end: '2026-12-09T08:00:00.000Z' };
  const page = (pageToken: string | undefined) => ({ timeZone: 'UTC', items: [], ...(pageToken ? { nextPageToken: pageToken } : { nextSyncToken: 'sync' }) });

  it('when Google answers the same nextPageToken again, then listing stops with paging-loop instead of looping for ever', async () => {
    let calls = 0;
    const error = await listEvents({ calendarId: 'a@contoso.com', window, syncToken: undefined, pageSize: 2500 }, async () => {
      calls += 1;
      return page('same-token');
    }).catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('paging-loop');
    expect(calls).toBe(2);
  });

  it('when Google keeps sending new page tokens past the cap, then listing stops with read-limit', async () => {
    let calls = 0;
    const error = await listEvents({ calendarId: 'a@contoso.com', window, syncToken: undefined, pageSize: 2500, limits: { maxPages: 5, maxItems: 100 } }, async () => {
      calls += 1;
      return page(`token-${calls}`);
    }).catch((e: unknown) => e);
    expect(isAppError(error) && [error.kind, error.code]).toEqual(['configuration', 'read-limit']);
    expect(calls).toBe(5);
  });
});
