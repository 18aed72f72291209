/**
 * `npm run smoke`: the README's `npm start` as a newcomer runs it, on whatever Node is first on the
 * PATH (CI runs it on the machine's Node 20, the oldest the README promises; the suite runs on
 * the Node 22 that Azure runs). It starts `npm start` on a free port, waits for the dev host to
 * say it is ready, then checks that the first sync put activities into CMG, that /api/health says
 * ok and that the admin page is served; then it stops the dev host and everything it started.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const READY_WITHIN_MS = 300_000;

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

function fail(message: string, output: string): never {
  console.error(`smoke: ${message}\n--- npm start printed ---\n${output}`);
  process.exit(1);
}

const port = await freePort();
console.log(`smoke: npm start on node ${process.version}, port ${port}`);
// Its own process group, so that stopping it stops npm, the dev host and Azurite alike.
const child = spawn('npm', ['start'], { cwd: ROOT, env: { ...process.env, PORT: String(port) }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
const stop = (): void => {
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    // Already gone.
  }
};

try {
  const started = Date.now();
  while (!output.includes('Ready in')) {
    if (child.exitCode !== null) fail(`npm start stopped with exit code ${child.exitCode} before it was ready`, output);
    if (Date.now() - started > READY_WITHIN_MS) fail(`npm start was not ready within ${READY_WITHIN_MS / 1000} s`, output);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const synced = /first sync done: (\d+) mailboxes synced, (\d+) activities held in CMG/.exec(output);
  if (!synced || Number(synced[1]) === 0 || Number(synced[2]) === 0) fail('the first sync put no activities into CMG', output);
  const health = await fetch(`http://localhost:${port}/api/health`);
  const healthBody = await health.text();
  if (health.status !== 200) fail(`/api/health answered ${health.status}: ${healthBody}`, output);
  const admin = await fetch(`http://localhost:${port}/api/admin`);
  const page = await admin.text();
  if (admin.status !== 200 || !page.includes('<html')) fail(`/api/admin answered ${admin.status}`, output);
  console.log(`smoke: ready in ${((Date.now() - started) / 1000).toFixed(1)} s; ${synced[1]} mailboxes synced, ${synced[2]} activities in CMG; /api/health ${healthBody}; admin page served`);
} finally {
  stop();
}
