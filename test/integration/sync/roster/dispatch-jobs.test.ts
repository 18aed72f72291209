import { describe, expect, it } from 'vitest';
import type { JobQueue } from '../../../../shared/queue/job-queue.js';
import { dispatch } from '../../../../shared/sync/roster/dispatch-jobs.js';
import type { SyncDeps } from '../../../../shared/sync/sync-deps.js';
import { TableRequestLog } from '../../../support/table-request-log.js';
import { BatchRecordingQueue, queueOnlyDeps } from '../../../support/queue-only-deps.js';
import { createTestStore } from '../../../support/test-store.js';
import { aMailbox } from '../../store/mailbox-harness.js';
import { oneProfileConfig } from '../one-profile-config.js';

const NOW = new Date('2026-11-25T08:00:30Z');

const depsWith = (queue: JobQueue): SyncDeps => queueOnlyDeps('dispatch', { config: oneProfileConfig(), store: createTestStore(), queue, now: () => NOW });

describe('dispatch', () => {
  it('when a mailbox backs off, then it is left out until its retryAt; an invalid one is probed once its retryAt passed', async () => {
    const queue = new BatchRecordingQueue();
    const deps = depsWith(queue);
    const later = new Date(NOW.getTime() + 10 * 60_000).toISOString();
    const earlier = new Date(NOW.getTime() - 60_000).toISOString();
    await deps.store.mailboxes.upsert(aMailbox('active'));
    await deps.store.mailboxes.upsert(aMailbox('failing-waits', { state: 'failing', retryAt: later }));
    await deps.store.mailboxes.upsert(aMailbox('failing-due', { state: 'failing', retryAt: earlier }));
    await deps.store.mailboxes.upsert(aMailbox('invalid-due', { state: 'invalid', retryAt: earlier }));
    await deps.store.mailboxes.upsert(aMailbox('invalid-waits', { state: 'invalid', retryAt: later }));
    await deps.store.mailboxes.upsert(aMailbox('invalid-by-roster', { state: 'invalid' }));

    const result = await dispatch(deps);

    expect(result).toMatchObject({ status: 'dispatched', enqueued: 3, backingOff: 2 });
    expect(queue.sent.map((j) => j.job.mailboxKey).sort()).toEqual(['active', 'failing-due', 'invalid-due']);
  });

  it('when sending fails midway, then the interval is not checkpointed and the next run sends it under the same ids', async () => {
    const queue = new BatchRecordingQueue();
    const deps = depsWith(queue);
    await deps.store.mailboxes.upsert(aMailbox('m1'));
    queue.failNext = true;

    await expect(dispatch(deps)).rejects.toThrow('queue unreachable');
    expect(await deps.store.state.get('dispatch', 'interval')).toBeUndefined();

    await expect(dispatch(deps)).resolves.toMatchObject({ status: 'dispatched', enqueued: 1 });
    await expect(dispatch(deps)).resolves.toMatchObject({ status: 'not-due' });
    expect(queue.sent.map((j) => j.messageId)).toEqual([expect.stringMatching(/^schedule:m1:/)]);
  });

  it('when 1,200 mailboxes are due, then dispatch reads the Mailboxes table once, page after page, and sends a job for each', async () => {
    const queue = new BatchRecordingQueue();
    const deps = depsWith(queue);
    const rows = Array.from({ length: 1_200 }, (_, i) => ({ mailbox: aMailbox(`m${i}`) }));
    await deps.store.mailboxes.writeMany(rows);
    const log = new TableRequestLog();
    try {
      await expect(dispatch(deps)).resolves.toMatchObject({ status: 'dispatched', enqueued: 1_200 });
      expect(log.scans('Mailboxes')).toBe(1);
    } finally {
      log.close();
    }
    expect(new Set(queue.sent.map((j) => j.job.mailboxKey)).size).toBe(1_200);
  });
});
