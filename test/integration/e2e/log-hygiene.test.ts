import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type LogLevel } from '../../../shared/observability/logger.js';
import type { LocalEnvironment } from '../../../tools/local-env/local-environment.js';
import { startE2e, syncEveryone } from './e2e-harness.js';

let env: LocalEnvironment | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

describe('log hygiene', () => {
  it('when everything runs, fails and recovers with masking off, then no log line holds a secret or a private appointment\'s text', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', sink: (_level: LogLevel, line: string) => lines.push(line) });
    env = await startE2e({ logger, settings: { MASK_PRIVATE: 'false', JOB_RETRY_BASE: '200ms', CMG_MAX_RETRIES: '0' } });
    // One activity refused by CMG, one CMG outage, one throttled Graph call: the error paths log too.
    env.cmg.control.fail('upsertActivity', { status: 400, times: 1 });
    env.cmg.control.fail('codes', { status: 503, times: 2 });
    env.graph.fault({ kind: 'status', status: 429, retryAfter: '1', times: 1, path: /\$batch/ });
    await syncEveryone(env);
    await env.queue.whenIdle();

    expect(lines.length).toBeGreaterThan(50);
    expect(lines.some((l) => l.includes('"level":"warn"'))).toBe(true);
    const secrets = [
      env.settings.CMG_PASSWORD!,
      env.settings.PROFILE_M365_CLIENT_SECRET!,
      JSON.parse(env.settings.PROFILE_GWS_SERVICE_ACCOUNT_KEY!).private_key.split('\n')[1] as string,
      Buffer.from(`EXCHANGE:${env.settings.CMG_PASSWORD!}`).toString('base64'),
    ];
    const privateTexts = ['Dentist appointment', 'Smile Clinic'];
    // Masking is off: CMG really received the private text, so the check below is not vacuous.
    expect(Object.values(env.cmg.control.allActivities()).flat().some((a) => a.activity.text === 'Dentist appointment')).toBe(true);
    for (const needle of [...secrets, ...privateTexts]) {
      expect(lines.filter((l) => l.includes(needle)), needle.slice(0, 12)).toEqual([]);
    }
  });
});
