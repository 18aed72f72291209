import { describe, expect, it } from 'vitest';
import type { OutgoingJob } from '../../../../shared/queue/job-queue.js';
import { dispatch } from '../../../../shared/sync/roster/dispatch-jobs.js';
import { BatchRecordingQueue, queueOnlyDeps } from '../../../support/queue-only-deps.js';
import { createTestStore } from '../../../support/test-store.js';
import { aMailbox } from '../../store/mailbox-harness.js';
import { oneProfileConfig } from '../one-profile-config.js';

const START = Date.parse('2026-11-25T08:00:30Z');

/** Two Exchange profiles beside the Graph one: ONPREM is polled (PUSH=false), PUSHED takes push. */
const exchangeProfiles = (push: { webhook: boolean }): Record<string, string> => {
  const profile = (name: string, domain: string, pushed: boolean): Record<string, string> => ({
    [`PROFILE_${name}_KIND`]: 'exchange',
    [`PROFILE_${name}_DOMAINS`]: domain,
    [`PROFILE_${name}_EWS_URL`]: `https://mail.${domain}/EWS/Exchange.asmx`,
    [`PROFILE_${name}_USER_NAME`]: 'CORP\\svc-calsync',
    [`PROFILE_${name}_PASSWORD`]: 'unused',
    [`PROFILE_${name}_PUSH`]: String(pushed),
  });
  return {
    PROFILES: 'M365,ONPREM,PUSHED',
    ...profile('ONPREM', 'corp.example.com', false),
    ...profile('PUSHED', 'branch.example.com', true),
    ...(push.webhook ? { WEBHOOK_BASE_URL: 'https://calsync.example' } : {}),
  };
};

function world(push: { webhook: boolean }) {
  const queue = new BatchRecordingQueue();
  let now = START;
  const deps = queueOnlyDeps('dispatch', { config: oneProfileConfig(exchangeProfiles(push)), store: createTestStore(), queue, now: () => new Date(now) });
  const polls = (): OutgoingJob[] => queue.sent.filter((j) => j.messageId.startsWith('poll:'));
  return { deps, queue, polls, advance: (ms: number) => (now += ms) };
}

describe('Exchange polling (dispatch)', () => {
  it('when a profile takes no push, then each of its synced mailboxes is polled once per EXCHANGE_POLL_INTERVAL, and no other mailbox is', async () => {
    const { deps, polls, advance } = world({ webhook: true });
    await deps.store.mailboxes.upsert(aMailbox('polled', { profile: 'ONPREM', address: 'polled@corp.example.com', domain: 'corp.example.com' }));
    await deps.store.mailboxes.upsert(aMailbox('polled-disabled', { profile: 'ONPREM', state: 'disabled', address: 'n@corp.example.com', domain: 'corp.example.com' }));
    await deps.store.mailboxes.upsert(aMailbox('pushed', { profile: 'PUSHED', address: 'p@branch.example.com', domain: 'branch.example.com' }));
    await deps.store.mailboxes.upsert(aMailbox('graph', { profile: 'M365' }));

    const first = await dispatch(deps);
    expect(first.exchangePolls).toMatchObject({ status: 'polled', enqueued: 1 });
    expect(polls().map((j) => j.job)).toEqual([expect.objectContaining({ mailboxKey: 'polled', reason: 'schedule', full: false })]);

    // The same minute again: nothing new; the next minute: polled again under a new id.
    await expect(dispatch(deps)).resolves.toMatchObject({ exchangePolls: { status: 'not-due' } });
    advance(60_000);
    await expect(dispatch(deps)).resolves.toMatchObject({ exchangePolls: { status: 'polled', enqueued: 1 } });
    const ids = polls().map((j) => j.messageId);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
  });

  it('when push is off altogether, then every Exchange profile is polled', async () => {
    const { deps, polls } = world({ webhook: false });
    await deps.store.mailboxes.upsert(aMailbox('polled', { profile: 'ONPREM', address: 'polled@corp.example.com', domain: 'corp.example.com' }));
    await deps.store.mailboxes.upsert(aMailbox('pushed', { profile: 'PUSHED', address: 'p@branch.example.com', domain: 'branch.example.com' }));

    await dispatch(deps);

    expect(polls().map((j) => j.job.mailboxKey).sort()).toEqual(['polled', 'pushed']);
  });

  it('when a polled mailbox backs off, then it is left out until its retryAt', async () => {
    const { deps, polls } = world({ webhook: true });
    const later = new Date(START + 10 * 60_000).toISOString();
    await deps.store.mailboxes.upsert(aMailbox('waits', { profile: 'ONPREM', state: 'failing', retryAt: later, address: 'w@corp.example.com', domain: 'corp.example.com' }));

    await expect(dispatch(deps)).resolves.toMatchObject({ exchangePolls: { status: 'polled', enqueued: 0, backingOff: 1 } });
    expect(polls()).toEqual([]);
  });

  it('when no profile polls, then the poll pass reads nothing', async () => {
    const { deps } = world({ webhook: true });
    const result = await dispatch({ ...deps, config: { ...deps.config, profiles: [] } });
    expect(result.exchangePolls).toEqual({ status: 'none' });
  });
});
