import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CmgGateway, CmgUser } from '../../../../shared/cmg/cmg-gateway.js';
import { silentLogger } from '../../../../shared/observability/logger.js';
import { noTelemetry } from '../../../../shared/observability/telemetry.js';
import type { JobQueue, OutgoingJob } from '../../../../shared/queue/job-queue.js';
import type { MailboxRepository } from '../../../../shared/store/mailbox-repository.js';
import { refreshRoster } from '../../../../shared/sync/roster/refresh-roster.js';
import type { SyncDeps } from '../../../../shared/sync/sync-deps.js';
import { TableRequestLog } from '../../../support/table-request-log.js';
import { createTestStore, type TestStore } from '../../../support/test-store.js';
import { oneProfileConfig } from '../one-profile-config.js';

const NOW = new Date('2026-11-25T08:00:00Z');

const user = (i: number, overrides: Partial<CmgUser> = {}): CmgUser => ({
  userId: `u${String(i).padStart(4, '0')}`,
  email: `user${i}@example.com`,
  calendarSync: true,
  language: 'en',
  forwardByDefault: false,
  messageSystem: 1,
  modifiedAt: '2026-11-24T08:00:00Z',
  deleted: false,
  ...overrides,
});

/** A CMG that answers the roster: every user without a checkpoint, the changed ones with it. */
class FakeRoster {
  users: CmgUser[] = [];
  changed: CmgUser[] = [];
  readonly gateway = {
    calendarSettings: async (since?: string) => ({ users: since === undefined ? this.users : this.changed, asOf: NOW.toISOString() }),
  } as unknown as CmgGateway;
}

function depsWith(store: TestStore, roster: FakeRoster, sent: OutgoingJob[]): SyncDeps {
  const queue: JobQueue = {
    send: async () => {
      throw new Error('the roster sends in batches');
    },
    sendMany: async (jobs) => void sent.push(...jobs),
  };
  return {
    config: oneProfileConfig(),
    store,
    queue,
    cmg: roster.gateway,
    providers: { servedDomains: new Set(['example.com']) } as unknown as SyncDeps['providers'],
    now: () => NOW,
    logger: silentLogger,
    telemetry: noTelemetry,
  };
}

describe('the roster refresh at scale', () => {
  let log: TableRequestLog;
  beforeEach(() => {
    log = new TableRequestLog();
  });
  afterEach(() => log.close());

  it('when 250 users arrive, then the Mailboxes table is read once and the rows are written in transactions of one shard, not one by one', async () => {
    const store = createTestStore();
    const roster = new FakeRoster();
    roster.users = Array.from({ length: 250 }, (_, i) => user(i));
    const sent: OutgoingJob[] = [];
    const deps = depsWith(store, roster, sent);
    await store.mailboxes.get('warm-up'); // creates the table outside the count
    log.reset();

    const report = await refreshRoster(deps, { full: false });

    expect(report).toMatchObject({ full: true, written: 250, enqueued: 250 });
    expect(log.scans(`${store.tablePrefix}Mailboxes`)).toBe(1);
    expect(log.rowWrites(`${store.tablePrefix}Mailboxes`)).toBe(0);
    // 250 rows over 16 shards: one transaction per shard.
    expect(log.transactions()).toBeLessThanOrEqual(16);
    const stored = [];
    for await (const m of store.mailboxes.listAll()) stored.push(m);
    expect(stored).toHaveLength(250);
    expect(stored.every((m) => m.state === 'active')).toBe(true);
    expect(sent).toHaveLength(250);
  });

  it('when the refresh runs again, full or incremental, then each run reads the Mailboxes table once and writes nothing that did not change', async () => {
    const store = createTestStore();
    const roster = new FakeRoster();
    roster.users = Array.from({ length: 40 }, (_, i) => user(i));
    const sent: OutgoingJob[] = [];
    const deps = depsWith(store, roster, sent);
    await refreshRoster(deps, { full: false });

    for (const full of [true, false]) {
      log.reset();
      expect(await refreshRoster(deps, { full })).toMatchObject({ written: 0, enqueued: 0 });
      expect(log.scans(`${store.tablePrefix}Mailboxes`)).toBe(1);
      expect(log.rowWrites(`${store.tablePrefix}Mailboxes`) + log.transactions()).toBe(0);
    }

    roster.changed = [user(3, { language: 'sv' }), user(4, { calendarSync: false }), user(1000)];
    log.reset();
    expect(await refreshRoster(deps, { full: false })).toMatchObject({ changedUsers: 3, written: 3, enqueued: 2 });
    expect(log.scans(`${store.tablePrefix}Mailboxes`)).toBe(1);
    expect(await store.mailboxes.get('u0003')).toMatchObject({ language: 'sv', state: 'active' });
    expect(await store.mailboxes.get('u0004')).toMatchObject({ state: 'disabled' });
    expect(await store.mailboxes.get('u1000')).toMatchObject({ state: 'active' });
  });

  it('when the daily full refresh finds a failing mailbox CMG still lists, then it is active again and its reason is gone, the sync job\'s fields kept', async () => {
    const store = createTestStore();
    const roster = new FakeRoster();
    roster.users = [user(1), user(2)];
    const deps = depsWith(store, roster, []);
    await refreshRoster(deps, { full: false });
    const { etag, ...row } = (await store.mailboxes.get('u0001'))!;
    await store.mailboxes.update({ ...row, state: 'failing', stateReason: 'Graph kept answering 503', syncToken: 'delta' }, etag);

    expect(await refreshRoster(deps, { full: true })).toMatchObject({ written: 1 });

    const after = await store.mailboxes.get('u0001');
    expect(after).toMatchObject({ state: 'active', syncToken: 'delta' });
    expect(after?.stateReason).toBeUndefined();
  });

  it('when a sync job writes a mailbox between the roster reading and writing it, then the row keeps the job\'s fields and gets the roster\'s', async () => {
    const store = createTestStore();
    const roster = new FakeRoster();
    roster.users = [user(1), user(2)];
    const deps = depsWith(store, roster, []);
    await refreshRoster(deps, { full: false });
    // The job's write lands just before the roster's transaction, which then meets a new ETag.
    const mailboxes: MailboxRepository = store.mailboxes;
    const racing: MailboxRepository = Object.assign(Object.create(mailboxes) as MailboxRepository, {
      writeMany: async (writes: Parameters<MailboxRepository['writeMany']>[0]) => {
        const current = (await mailboxes.get('u0001'))!;
        const { etag, ...row } = current;
        await mailboxes.update({ ...row, syncToken: 'delta-from-the-job', lastSyncAt: NOW.toISOString() }, etag);
        return mailboxes.writeMany(writes);
      },
    });
    roster.changed = [user(1, { language: 'sv', forwardByDefault: true }), user(2, { language: 'sv' })];

    const report = await refreshRoster({ ...deps, store: { ...store, mailboxes: racing } }, { full: false });

    expect(report).toMatchObject({ written: 2 });
    expect(await store.mailboxes.get('u0001')).toMatchObject({ language: 'sv', forwardByDefault: true, syncToken: 'delta-from-the-job' });
    expect(await store.mailboxes.get('u0002')).toMatchObject({ language: 'sv' });
  });
});
