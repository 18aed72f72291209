/**
 * Forged tokens cost the attacker nothing: each is counted in a metric, but the log gets at most
 * one line a minute, saying how many it left out, so nobody can raise log ingestion at will.
 */
import functions from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailboxes } from '../../../functions/admin.js';
import { useDeps } from '../../../shared/app/app-context.js';
import { createLogger, type LogLevel } from '../../../shared/observability/logger.js';
import { ManualClock } from '../../../tools/clock/manual-clock.js';
import { startEntraEmulator, type EntraEmulator } from '../../../tools/emulators/entra/entra-emulator.js';
import { startInMemoryTelemetry, type InMemoryTelemetry } from '../../../tools/local-env/in-memory-telemetry.js';
import type { LocalEnvironment } from '../../../tools/local-env/local-environment.js';
import { startE2e } from '../e2e/e2e-harness.js';

const { HttpRequest } = functions;

let env: LocalEnvironment;
let entra: EntraEmulator;
let recorded: InMemoryTelemetry;
const lines: Array<Record<string, unknown>> = [];
const clock = new ManualClock();

beforeAll(async () => {
  entra = await startEntraEmulator();
  recorded = startInMemoryTelemetry();
  const logger = createLogger({ level: 'debug', sink: (_level: LogLevel, line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  env = await startE2e({ logger, settings: entra.settings, telemetry: recorded.telemetry });
  useDeps({ ...env.deps, now: () => clock.date });
});
afterAll(async () => {
  await env?.close();
  await entra?.close();
  await recorded?.shutdown();
});

const list = (token: string) => mailboxes(new HttpRequest({ method: 'GET', url: 'http://localhost:7071/api/mailboxes', headers: { authorization: `Bearer ${token}` } }));

describe('rejected tokens', () => {
  it('when 50 forged tokens arrive within a minute and one more after it, then all 51 are counted and the log has two lines, the second saying 49 were left out', async () => {
    const forged = await entra.token({ roles: ['CalendarSync.Operator'] }, { signWith: 'stranger' });
    for (let i = 0; i < 50; i += 1) {
      expect((await list(forged)).status).toBe(401);
      clock.advance(1_000);
    }
    clock.advance(10_000);
    expect((await list(forged)).status).toBe(401);

    const logged = lines.filter((l) => l.op === 'admin.token-rejected');
    expect(logged).toEqual([expect.objectContaining({ problem: 'invalid', suppressed: 0 }), expect.objectContaining({ problem: 'invalid', suppressed: 49 })]);
    expect(await recorded.counted('calsync.admin.tokens.rejected', { problem: 'invalid' })).toBe(51);
  });
});
