/**
 * The dev host answers only this machine. It holds real credentials when run with a
 * local.settings.json and acts as a signed-in operator, so:
 * - a Host header that does not name the loopback (DNS rebinding: a page on evil.example whose
 *   name now points at 127.0.0.1) gets 421;
 * - a state-changing request from a page of another origin (any web page the developer has
 *   open can POST to localhost) gets 403. Requests without Origin (curl, the emulators'
 *   webhook calls) are not from a page and pass.
 */
const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::(\d{1,5}))?$/i;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface Refusal {
  readonly status: number;
  readonly error: string;
}

export function refuseForeignRequest(request: { method: string; host: string | undefined; origin: string | undefined }): Refusal | undefined {
  if (request.host === undefined || !LOOPBACK_HOST.test(request.host)) {
    return { status: 421, error: 'the dev host answers only requests addressed to localhost' };
  }
  if (!SAFE_METHODS.has(request.method) && request.origin !== undefined && !isLoopbackOrigin(request.origin)) {
    return { status: 403, error: 'a page of another origin may not change anything here' };
  }
  return undefined;
}

function isLoopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOST.test(url.host);
  } catch {
    // `null` (sandboxed frames, file: pages) and anything unreadable are foreign.
    return false;
  }
}
