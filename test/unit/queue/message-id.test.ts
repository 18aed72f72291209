import { describe, expect, it } from 'vitest';
import {
  deferredMessageId,
  lifecycleMessageId,
  manualMessageId,
  notificationSend,
  pushSecretsMessageId,
  retryMessageId,
  rosterMessageId,
  scheduleMessageId,
} from '../../../shared/queue/message-id.js';

const at = (iso: string) => new Date(iso);

describe('message ids', () => {
  it('when notifications for a mailbox arrive within one window, then they share an id; the next window gets a new one', () => {
    const first = notificationSend('u-1', at('2026-11-25T08:00:10.000Z'), 1000).messageId;

    expect(notificationSend('u-1', at('2026-11-25T08:00:10.999Z'), 1000).messageId).toBe(first);
    expect(notificationSend('u-1', at('2026-11-25T08:00:11.000Z'), 1000).messageId).not.toBe(first);
    expect(notificationSend('u-2', at('2026-11-25T08:00:10.000Z'), 1000).messageId).not.toBe(first);
    expect(first).toBe('notification:u-1:20261125T080010.000Z');
  });

  it('when the window is shorter than a second, then each window of the second has its own id', () => {
    const ids = ['10.000', '10.249', '10.250', '10.500', '10.750', '10.999'].map((s) => notificationSend('u-1', at(`2026-11-25T08:00:${s}Z`), 250).messageId);

    expect(new Set(ids).size).toBe(4);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).toBe('notification:u-1:20261125T080010.250Z');
  });

  it('when a notification job is sent, then it is delivered at the end of its window, after every change its duplicates announced', () => {
    expect(notificationSend('u-1', at('2026-11-25T08:00:10.250Z'), 1000).scheduledAt).toEqual(at('2026-11-25T08:00:11.000Z'));
    expect(notificationSend('u-1', at('2026-11-25T08:00:10.999Z'), 1000).scheduledAt).toEqual(at('2026-11-25T08:00:11.000Z'));
    expect(notificationSend('u-1', at('2026-11-25T08:00:10.260Z'), 100).scheduledAt).toEqual(at('2026-11-25T08:00:10.300Z'));
  });

  it('when a mailbox is scheduled twice in one dispatch interval, then the ids are equal', () => {
    expect(scheduleMessageId('u-1', at('2026-11-25T08:00:00Z'))).toBe(scheduleMessageId('u-1', at('2026-11-25T08:00:00Z')));
    expect(scheduleMessageId('u-1', at('2026-11-25T08:00:00Z'))).toBe('schedule:u-1:20261125T080000Z');
  });

  it('when the roster refreshes twice within one second, then each refresh\'s job keeps its own id', () => {
    expect(rosterMessageId('u-1', at('2026-11-25T08:00:00.100Z'))).not.toBe(rosterMessageId('u-1', at('2026-11-25T08:00:00.900Z')));
    expect(rosterMessageId('u-1', at('2026-11-25T08:00:00.100Z'))).toBe(rosterMessageId('u-1', at('2026-11-25T08:00:00.100Z')));
  });

  it('when manual resyncs are asked within one second, then they collapse', () => {
    expect(manualMessageId('u-1', at('2026-11-25T08:00:00.100Z'))).toBe(manualMessageId('u-1', at('2026-11-25T08:00:00.900Z')));
  });

  it('when lifecycle events differ, then their ids differ', () => {
    const now = at('2026-11-25T08:00:00Z');

    expect(lifecycleMessageId('u-1', 'missed', now)).not.toBe(lifecycleMessageId('u-1', 'subscriptionRemoved', now));
  });

  it('when jobs are put off to the end of the quiet period, then they collapse per mailbox, a full one apart from delta ones', () => {
    const until = at('2026-11-25T06:00:00Z');

    expect(deferredMessageId('u-1', until)).toBe('deferred:u-1:20261125T060000Z');
    expect(deferredMessageId('u-1', until, true)).toBe('deferred:u-1:20261125T060000Z:full');
    expect(deferredMessageId('u-2', until)).not.toBe(deferredMessageId('u-1', until));
  });

  it('when a lifecycle job is put off to the end of the quiet period, then it keeps its own id, apart from the delta and full ones', () => {
    const until = at('2026-11-25T06:00:00Z');

    expect(deferredMessageId('u-1', until, false, 'reauthorizationRequired')).toBe('deferred:u-1:20261125T060000Z:reauthorizationRequired');
    expect(deferredMessageId('u-1', until, true, 'subscriptionRemoved')).toBe('deferred:u-1:20261125T060000Z:full:subscriptionRemoved');
  });

  it('when push secrets are asked for twice within a second, then one job; once the subscriptions were replaced, or a second later, then a job of its own', () => {
    const id = pushSecretsMessageId('u-1', at('2026-11-25T08:00:10.100Z'), ['sub-b', 'sub-a']);

    expect(id).toMatch(/^secrets:u-1:20261125T080010Z:[0-9a-f]{16}$/);
    expect(pushSecretsMessageId('u-1', at('2026-11-25T08:00:10.900Z'), ['sub-a', 'sub-b'])).toBe(id);
    expect(pushSecretsMessageId('u-1', at('2026-11-25T08:00:10.900Z'), ['sub-c'])).not.toBe(id);
    expect(pushSecretsMessageId('u-1', at('2026-11-25T08:00:11.000Z'), ['sub-a', 'sub-b'])).not.toBe(id);
    expect(pushSecretsMessageId('u-1', at('2026-11-25T08:00:10.100Z'), ['sub-a', 'sub-b'])).not.toBe(manualMessageId('u-1', at('2026-11-25T08:00:10.100Z')));
    expect(deferredMessageId('u-1', at('2026-11-25T06:00:00Z'), false, 'secrets')).toBe('deferred:u-1:20261125T060000Z:secrets');
  });

  it('when the same failed message schedules its retry twice, then the ids are equal; another attempt or message differs', () => {
    const id = retryMessageId('u-1', 2, 'notification:u-1:20261125T080010Z');

    expect(retryMessageId('u-1', 2, 'notification:u-1:20261125T080010Z')).toBe(id);
    expect(retryMessageId('u-1', 3, 'notification:u-1:20261125T080010Z')).not.toBe(id);
    expect(retryMessageId('u-1', 2, 'schedule:u-1:20261125T080000Z')).not.toBe(id);
    expect(id).toMatch(/^retry:u-1:2:[0-9a-f]{16}$/);
  });

  it('when keys and event names are long, then every id stays within 128 characters and distinct keys stay distinct', () => {
    const long = 'k'.repeat(128);
    const other = 'k'.repeat(127) + 'j';
    const now = at('2026-11-25T08:00:00Z');
    const ids = [
      notificationSend(long, now, 1000).messageId,
      scheduleMessageId(long, now),
      manualMessageId(long, now),
      lifecycleMessageId(long, 'e'.repeat(200), now),
      retryMessageId(long, 99, 'x'.repeat(500)),
      deferredMessageId(long, now, true),
      deferredMessageId(long, now, true, 'e'.repeat(200)),
      pushSecretsMessageId(long, now, ['x'.repeat(200)]),
    ];

    for (const id of ids) expect(id.length).toBeLessThanOrEqual(128);
    expect(notificationSend(other, now, 1000).messageId).not.toBe(ids[0]);
  });
});
