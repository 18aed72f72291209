/**
 * URLs of the CMG contract (CMG-INTERFACE.md): `{CMG_BASE_URL}/api/calendar/v1/...`. The base URL
 * carries a virtual path that usually holds a space (`/CMG Office`); ids go into path segments.
 */
import { permanentError } from '../errors/app-error.js';

/**
 * The contract root. WHATWG URL parsing percent-encodes a raw space in the virtual path and leaves
 * an already encoded `%20` alone, so both spellings of CMG_BASE_URL give the same root, encoded once.
 */
export function contractRoot(baseUrl: string): URL {
  const root = new URL(baseUrl);
  // Credentials come from CMG_APPLICATION / CMG_PASSWORD only; a query or fragment has no meaning here.
  root.username = '';
  root.password = '';
  root.search = '';
  root.hash = '';
  root.pathname = `${root.pathname.replace(/\/+$/, '')}/api/calendar/v1`;
  return root;
}

/** `root/seg1/seg2?query`, each segment percent-encoded as one segment (a `/` in an id stays inside it). */
export function contractUrl(root: URL, segments: readonly string[], query: Readonly<Record<string, string | undefined>> = {}): string {
  const path = segments.map(encodeSegment).join('/');
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, value);
  const search = params.size > 0 ? `?${params.toString()}` : '';
  return `${root.origin}${root.pathname}/${path}${search}`;
}

function encodeSegment(segment: string): string {
  // URL parsers resolve `.` and `..` (also as %2E) as dot segments, so such an id would address
  // another resource: refuse it rather than send it anywhere.
  if (segment === '' || /^\.{1,2}$/.test(segment)) {
    throw permanentError(`"${segment}" cannot be used as an id in a CMG path`, 'invalid_id');
  }
  return encodeURIComponent(segment);
}
