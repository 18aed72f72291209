/**
 * At most one log line per interval for an event that anyone on the internet can cause at will
 * (a forged token): the lines cost ingestion, and a counter metric keeps the full count. Each
 * line written says how many were left out since the one before it.
 */
export type LogThrottle = (now: number, write: (suppressed: number) => void) => void;

export function logThrottle(intervalMs: number): LogThrottle {
  let lastWritten = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (now, write) => {
    if (now - lastWritten < intervalMs && now >= lastWritten) {
      suppressed += 1;
      return;
    }
    write(suppressed);
    suppressed = 0;
    lastWritten = now;
  };
}
