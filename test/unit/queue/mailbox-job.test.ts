import { describe, expect, it } from 'vitest';
import { parseMailboxJob } from '../../../shared/queue/mailbox-job.js';

const valid = { mailboxKey: 'u-1', reason: 'notification', full: false, enqueuedAt: '2026-11-25T08:00:00.000Z' };

describe('parseMailboxJob', () => {
  it('when the body is a valid object, JSON text or UTF-8 bytes, then the job comes back', () => {
    for (const body of [valid, JSON.stringify(valid), Buffer.from(JSON.stringify(valid))]) {
      expect(parseMailboxJob(body)).toEqual({ ok: true, job: valid });
    }
  });

  it('when enqueuedAt carries an offset, then it is accepted', () => {
    expect(parseMailboxJob({ ...valid, enqueuedAt: '2026-11-25T09:00:00+01:00' }).ok).toBe(true);
  });

  it('when fields are missing or wrong, then a permanent invalid-message error names each of them', () => {
    const parsed = parseMailboxJob({ mailboxKey: '', reason: 'whim', enqueuedAt: 'yesterday' });

    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error).toMatchObject({ kind: 'permanent', code: 'invalid-message' });
    for (const field of ['mailboxKey', 'reason', 'full', 'enqueuedAt']) expect(parsed.error.message).toContain(field);
  });

  it('when a lifecycle job carries its event, then the event survives the round trip through JSON; an unknown event is rejected by name', () => {
    const job = { ...valid, reason: 'lifecycle', lifecycle: { event: 'reauthorizationRequired', subscriptionId: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07' } };
    expect(parseMailboxJob(JSON.stringify(job))).toEqual({ ok: true, job });

    const parsed = parseMailboxJob({ ...job, lifecycle: { event: 'subscriptionExpired', subscriptionId: 'x' } });
    expect(!parsed.ok && parsed.error.message).toContain('lifecycle.event');
  });

  it('when the key is longer than a Service Bus session id may be, then it is rejected', () => {
    expect(parseMailboxJob({ ...valid, mailboxKey: 'k'.repeat(129) }).ok).toBe(false);
  });

  it('when the body is not JSON, then it is an invalid-message error', () => {
    const parsed = parseMailboxJob('{not json');

    expect(parsed.ok ? undefined : parsed.error.code).toBe('invalid-message');
  });
});
