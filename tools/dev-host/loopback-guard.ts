/**
 * The dev host answers only this machine. It holds real credentials when run with a
 * local.settings.json and acts as a signed-in operator, so:
 * - a Host header that does not name the loopback (DNS rebinding: a page on evil.example whose
 *   name now points at 127.0.0.1) gets 421;
 * - a request from a page of another origin gets 403, whatever its method: any web page the
 *   developer has open can send requests to localhost, and even a GET it cannot read the answer
 *   of does the work (a preview reads a calendar, a connection check calls every provider).
 *   The browser says where a request comes from in `Origin` (every cross-origin request but a
 *   plain GET) and in `Sec-Fetch-Site` (every request, in current browsers). Requests with
 *   neither (curl, the emulators' webhook calls) are not from a page and pass.
 */
const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::(\d{1,5}))?$/i;

export interface Refusal {
  readonly status: number;
  readonly error: string;
}

export function refuseForeignRequest(request: { host: string | undefined; origin: string | undefined; fetchSite: string | undefined }): Refusal | undefined {
  if (request.host === undefined || !LOOPBACK_HOST.test(request.host)) {
    return { status: 421, error: 'the dev host answers only requests addressed to localhost' };
  }
  // `same-site` is another port of localhost, as a loopback Origin is; `none` is the developer's own
  // doing (an address typed, a bookmark).
  if ((request.origin !== undefined && !isLoopbackOrigin(request.origin)) || request.fetchSite === 'cross-site') {
    return { status: 403, error: 'the dev host answers no request from a page of another origin: open its address yourself' };
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
