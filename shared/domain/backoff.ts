/** Exponential backoff with full jitter, capped: attempt 0 → up to base, 1 → up to 2×base … (`random` in [0, 1)). */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
