import { describe, expect, it } from 'vitest';
import { InProcessJobQueue } from '../../../shared/queue/in-process-job-queue.js';
import { notificationSend } from '../../../shared/queue/message-id.js';
import { ManualClock } from '../../../tools/clock/manual-clock.js';
import { aJob } from '../../support/mailbox-job-harness.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A promise the test resolves by hand, to hold a handler mid-job. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/**
 * The coalescing window on the queue the product relies on (sessions and duplicate detection,
 * as Service Bus has them): a mailbox's provider is modelled by a change counter a job reads
 * when it starts, as a delta fetch would.
 */
describe.each([1_000, 250, 100, 60])('a coalescing window of %i ms', (windowMs) => {
  function world() {
    const clock = new ManualClock(Date.parse('2026-11-25T08:00:00Z'));
    const queue = new InProcessJobQueue({ clock });
    let changes = 0;
    const jobs: Array<{ messageId: string; sawChanges: number; startedAt: number }> = [];
    let hold: Promise<void> | undefined;
    queue.start(async (_job, { messageId }) => {
      jobs.push({ messageId, sawChanges: changes, startedAt: clock.now() });
      await hold;
    });
    const notify = async (): Promise<void> => {
      changes += 1;
      await queue.send(aJob('m-1', { reason: 'notification' }), notificationSend('m-1', clock.date, windowMs));
    };
    return { clock, queue, jobs, notify, changes: () => changes, holdJobs: (p: Promise<void> | undefined) => (hold = p) };
  }

  it('when a burst of notifications for one mailbox arrives within one window, then it ends as one job, run at the window end and seeing every change', async () => {
    const w = world();
    const burst = 20;
    for (let i = 0; i < burst; i += 1) {
      await w.notify();
      w.clock.advance((windowMs - 1) / burst);
    }
    await tick();
    expect(w.jobs).toEqual([]);

    w.clock.advance(1);
    await w.queue.whenIdle({ horizonMs: 0 });
    w.clock.advance(windowMs);
    await w.queue.whenIdle({ horizonMs: 0 });

    expect(w.jobs).toHaveLength(1);
    expect(w.jobs[0]!.startedAt).toBe(Date.parse('2026-11-25T08:00:00Z') + windowMs);
    expect(w.jobs[0]!.sawChanges).toBe(burst);
  });

  it('when a change is notified after the mailbox job started, then it is not lost: a later job runs after the first ends and sees it', async () => {
    const w = world();
    const first = gate();
    w.holdJobs(first.promise);
    await w.notify();
    w.clock.advance(windowMs);
    await tick();
    expect(w.jobs.map((j) => j.sawChanges)).toEqual([1]);

    // The first job is still running (fetched already) when the calendar changes again.
    await w.notify();
    w.holdJobs(undefined);
    w.clock.advance(windowMs);
    await tick();
    // One job per mailbox at a time: the second waits for the first.
    expect(w.jobs).toHaveLength(1);

    first.open();
    await w.queue.whenIdle({ horizonMs: 0 });
    expect(w.jobs.map((j) => j.sawChanges)).toEqual([1, 2]);
    expect(new Set(w.jobs.map((j) => j.messageId)).size).toBe(2);
    await w.queue.stop();
  });
});
