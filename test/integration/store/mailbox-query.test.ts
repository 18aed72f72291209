/**
 * The admin page's mailbox search on 10,000 mailboxes in Azurite: every page is bounded (in
 * mailboxes returned and in rows read), the pages together hold each match exactly once, and
 * the filters the table can evaluate never bring unmatched rows out of it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/errors/app-error.js';
import type { Mailbox } from '../../../shared/domain/mailbox.js';
import type { MailboxQuery, StoredMailbox } from '../../../shared/store/mailbox-repository.js';
import { createTestStore, type TestStore } from '../../support/test-store.js';
import { aMailbox, plantMailboxes } from './mailbox-harness.js';

const COUNT = 10_000;
const NAMES = ['anna', 'bert', 'carl', 'dora', 'emil'];
const mailboxes: Mailbox[] = Array.from({ length: COUNT }, (_, i) =>
  aMailbox(`u${String(i).padStart(5, '0')}`, {
    address: `${NAMES[i % NAMES.length]}.${i}@${i % 3 === 0 ? 'contoso.com' : 'fabrikam.com'}`,
    state: i % 97 === 0 ? 'failing' : i % 89 === 0 ? 'invalid' : 'active',
    profile: i % 2 === 0 ? 'M365' : 'GWS',
  }),
);

let store: TestStore;
beforeAll(async () => {
  store = createTestStore();
  await plantMailboxes(store, mailboxes);
}, 120_000);

/** Every page of a query, with what each page read. */
async function allPages(query: Omit<MailboxQuery, 'cursor'>): Promise<Array<{ items: readonly StoredMailbox[]; scanned: number }>> {
  const pages: Array<{ items: readonly StoredMailbox[]; scanned: number }> = [];
  let cursor: string | undefined;
  do {
    const page = await store.mailboxes.query({ ...query, cursor });
    pages.push(page);
    cursor = page.cursor;
  } while (cursor !== undefined && pages.length <= COUNT);
  return pages;
}
const keysOf = (pages: Array<{ items: readonly StoredMailbox[] }>): string[] => pages.flatMap((p) => p.items.map((m) => m.key));
const expected = (match: (m: Mailbox) => boolean): string[] => mailboxes.filter(match).map((m) => m.key).sort();

describe('mailbox search on 10,000 mailboxes', () => {
  it('when all mailboxes are paged, then each appears once and no page holds or reads more than its size', async () => {
    const pages = await allPages({ pageSize: 500, scanLimit: 2000 });
    expect(keysOf(pages)).toHaveLength(COUNT);
    expect(keysOf(pages).sort()).toEqual(expected(() => true));
    for (const page of pages) {
      expect(page.items.length).toBeLessThanOrEqual(500);
      expect(page.scanned).toBeLessThanOrEqual(500);
    }
    expect(pages.length).toBeGreaterThanOrEqual(COUNT / 500);
  }, 60_000);

  it('when filtered by state and profile, then the table filters: only matches are read, each once', async () => {
    const pages = await allPages({ pageSize: 25, scanLimit: 2000, state: 'failing', profile: 'GWS' });
    const want = expected((m) => m.state === 'failing' && m.profile === 'GWS');
    expect(want.length).toBeGreaterThan(25);
    expect(keysOf(pages).sort()).toEqual(want);
    for (const page of pages) {
      expect(page.items.length).toBeLessThanOrEqual(25);
      expect(page.scanned).toBe(page.items.length);
    }
  });

  it('when filtered by address prefix, then exactly the addresses starting with it come back', async () => {
    const pages = await allPages({ pageSize: 10, scanLimit: 2000, addressPrefix: 'anna.12' });
    expect(keysOf(pages).sort()).toEqual(expected((m) => m.address.startsWith('anna.12')));
    expect(keysOf(pages).length).toBeGreaterThan(10);
    for (const page of pages) expect(page.scanned).toBe(page.items.length);
  });

  it('when searched for a substring, then each page reads at most the scan limit and the pages together find every match', async () => {
    const pages = await allPages({ pageSize: 20, scanLimit: 1500, contains: '77@FABRIKAM' });
    const want = expected((m) => m.address.includes('77@fabrikam'));
    expect(want.length).toBeGreaterThan(20);
    expect(keysOf(pages).sort()).toEqual(want);
    for (const page of pages) {
      expect(page.items.length).toBeLessThanOrEqual(20);
      expect(page.scanned).toBeLessThanOrEqual(1500);
    }
    // The scan reads every row once in all, even though pages stop in the middle of the table's pages.
    expect(pages.reduce((sum, p) => sum + p.scanned, 0)).toBe(COUNT);
  });

  it('when a substring matches many rows of one table page, then the page stops at its size and the next one starts right after it', async () => {
    const pages = await allPages({ pageSize: 100, scanLimit: 2000, contains: 'contoso' });
    const keys = keysOf(pages);
    expect(keys.sort()).toEqual(expected((m) => m.address.includes('contoso')));
    expect(new Set(keys).size).toBe(keys.length);
    for (const page of pages.slice(0, -1)) expect(page.items).toHaveLength(100);
  });

  it('when a substring is combined with a state, then the table filters the state and only those rows are tested', async () => {
    const pages = await allPages({ pageSize: 100, scanLimit: 2000, contains: 'u001', state: 'invalid' });
    expect(keysOf(pages).sort()).toEqual(expected((m) => m.key.includes('u001') && m.state === 'invalid'));
    expect(pages.reduce((sum, p) => sum + p.scanned, 0)).toBe(mailboxes.filter((m) => m.state === 'invalid').length);
  });

  it('when the cursor is not one the repository gave, then it is a permanent invalid-cursor error', async () => {
    for (const cursor of ['not-base64!', Buffer.from('{"s":99}').toString('base64url'), Buffer.from('[]').toString('base64url')]) {
      const error = await store.mailboxes.query({ pageSize: 10, scanLimit: 10, cursor }).catch((e: unknown) => e);
      expect(isAppError(error) && error.code).toBe('invalid-cursor');
    }
  });
});
