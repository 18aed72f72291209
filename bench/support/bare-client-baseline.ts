/**
 * What this machine lets any client reach against the CMG emulator: a bare `node:http`
 * keep-alive client with nothing else to do, `concurrency` PUTs open at a time. The printed
 * ceiling (concurrency × 1000 / latency) assumes every request takes exactly the emulator's
 * latency; on a loaded two-core machine timers, loopback and the other processes add to it. The
 * product's PUT rate is printed against both figures, so a shortfall is the product's only where
 * the bare client does better.
 *
 * The PUTs go to a user CMG does not know (404 after the full latency), so they change nothing
 * the sweep counts.
 */
import http from 'node:http';

export interface BaselineFigures {
  readonly concurrency: number;
  readonly perSecond: number;
  /** Mean time from sending a request to its whole answer, ms. */
  readonly meanMs: number;
}

const BODY = JSON.stringify({
  code: '11',
  start: '2030-03-10T09:00:00+01:00',
  end: '2030-03-10T10:00:00+01:00',
  text: 'Baseline',
  forward: false,
  inConference: false,
  sign: 'Calendar',
  messageSystems: [1],
  source: { provider: 'graph', eventId: 'baseline' },
});

export async function bareClientBaseline(options: { cmgBaseUrl: string; authorization: string; concurrency: number; requests?: number }): Promise<BaselineFigures> {
  const requests = options.requests ?? 2_000;
  const root = new URL(options.cmgBaseUrl);
  const path = `${root.pathname.replace(/\/+$/, '')}/api/calendar/v1/users/bench-baseline-nobody/activities/`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const headers = { Authorization: options.authorization, Accept: 'application/json', 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(BODY) };
  const one = (i: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const request = http.request({ host: root.hostname, port: root.port, method: 'PUT', path: `${path}b${i}`, agent, headers }, (response) => {
        response.resume();
        response.on('end', resolve);
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end(BODY);
    });
  let next = 0;
  let busyMs = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (next < requests) {
          const sent = performance.now();
          await one(next++);
          busyMs += performance.now() - sent;
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  return { concurrency: options.concurrency, perSecond: requests / seconds, meanMs: busyMs / requests };
}
