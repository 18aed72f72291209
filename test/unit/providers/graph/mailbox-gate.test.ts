import { describe, expect, it } from 'vitest';
import { MailboxGate } from '../../../../shared/providers/graph/mailbox-gate.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

async function peakConcurrency(gate: MailboxGate, calls: Array<{ mailbox: string; weight: number }>): Promise<Map<string, number>> {
  const running = new Map<string, number>();
  const peak = new Map<string, number>();
  await Promise.all(
    calls.map(({ mailbox, weight }) =>
      gate.run(mailbox, weight, async () => {
        running.set(mailbox, (running.get(mailbox) ?? 0) + weight);
        peak.set(mailbox, Math.max(peak.get(mailbox) ?? 0, running.get(mailbox) ?? 0));
        await tick();
        running.set(mailbox, (running.get(mailbox) ?? 0) - weight);
      }),
    ),
  );
  return peak;
}

describe('MailboxGate', () => {
  it('when ten requests for one mailbox run together, then at most four are in flight', async () => {
    const peak = await peakConcurrency(new MailboxGate(), Array.from({ length: 10 }, () => ({ mailbox: 'a@contoso.com', weight: 1 })));
    expect(peak.get('a@contoso.com')).toBe(4);
  });

  it('when batches weigh two, then at most two batches run together for one mailbox', async () => {
    const peak = await peakConcurrency(new MailboxGate(), Array.from({ length: 5 }, () => ({ mailbox: 'a@contoso.com', weight: 2 })));
    expect(peak.get('a@contoso.com')).toBe(4);
  });

  it('when requests address different mailboxes (any case), then each mailbox has its own four', async () => {
    const calls = Array.from({ length: 8 }, (_, n) => ({ mailbox: n % 2 === 0 ? 'A@contoso.com' : 'b@contoso.com', weight: 1 }));
    const peak = await peakConcurrency(new MailboxGate(), calls);
    expect([peak.get('A@contoso.com'), peak.get('b@contoso.com')]).toEqual([4, 4]);
  });

  it('when a task fails, then its slot is released', async () => {
    const gate = new MailboxGate(1);
    await expect(gate.run('a', 1, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(gate.run('a', 1, async () => 'next')).resolves.toBe('next');
  });
});
