/** Time for the runtime: a wall clock anchored to a monotonic source, replaceable in tests. */

export interface Clock {
  /** Epoch milliseconds. Never steps backwards with the system clock (§14 expiry clock). */
  now(): number;
  setTimeout(fn: () => void, ms: number): Timer;
  clearTimeout(timer: Timer): void;
}

export interface Timer {
  unref?(): unknown;
}

/**
 * Wall time as `timeOrigin + performance.now()`: it follows NTP slewing through the
 * monotonic clock but ignores later steps of the system clock, so an operator changing the
 * date cannot extend or cut a lease.
 */
export const systemClock: Clock = {
  now: () => Math.floor(performance.timeOrigin + performance.now()),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

let cachedMs = Number.NaN;
let cachedIso = "";

/** ISO 8601 UTC with milliseconds; memoised for the current millisecond (hot path: every event). */
export function isoTime(ms: number): string {
  if (ms !== cachedMs) {
    cachedMs = ms;
    cachedIso = new Date(ms).toISOString();
  }
  return cachedIso;
}
