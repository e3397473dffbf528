/** Timers past Node's 2^31-1 ms limit (about 24.8 days), which would otherwise fire after 1 ms. */
import type { Clock, Timer } from "./clock.js";

/** The longest delay `setTimeout` honours; Node turns a longer one into 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A pending long timer; `clear()` cancels it whichever segment is armed. */
export interface LongTimer {
  clear(): void;
}

/**
 * Run `fn` once after `ms` on `clock`, arming at most {@link MAX_TIMER_MS} at a time and
 * re-arming for the rest until the whole delay has passed (lease expiry §9.5, rotation §9.8.2).
 * The segments are the clock's own timers, so they keep its ref/unref behaviour; an infinite
 * delay never fires.
 */
export function setLongTimeout(clock: Clock, fn: () => void, ms: number): LongTimer {
  let remaining = Number.isNaN(ms) ? 0 : Math.max(0, ms);
  let timer: Timer | undefined;
  const arm = (): void => {
    const step = Math.min(remaining, MAX_TIMER_MS);
    remaining -= step;
    timer = clock.setTimeout(fire, step);
  };
  const fire = (): void => {
    timer = undefined;
    if (remaining > 0) arm();
    else fn();
  };
  arm();
  return {
    clear(): void {
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
