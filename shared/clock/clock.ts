/** Time for the in-process queue: real in the dev host, driven by hand in tests (no long sleeps). */
export interface Clock {
  now(): number;
  /** Calls `callback` once `ms` have passed; the returned function cancels it. */
  schedule(ms: number, callback: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  schedule: (ms, callback) => {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};
