/**
 * Parses a server's request to wait, in all the forms services use (STYLE.md habit 3):
 * `retry-after-ms` / `x-ms-retry-after-ms` in milliseconds, `Retry-After` in seconds or as an
 * HTTP date. Returns milliseconds, or undefined when the headers say nothing usable.
 */
export function parseRetryAfter(
  header: (name: string) => string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const raw = header(name);
    if (raw != null && raw.trim() !== '') {
      const ms = Number(raw);
      if (Number.isFinite(ms) && ms >= 0) return ms;
    }
  }
  const raw = header('retry-after');
  if (raw == null || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  if (Number.isFinite(date)) return Math.max(0, date - now);
  return undefined;
}
