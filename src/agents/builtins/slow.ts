/** `slow`: sleeps `seconds` (default 5) with a progress event about every 100 ms; stops at once on cancel. */
import { setTimeout as sleep } from "node:timers/promises";
import { defineAgent } from "../agent.js";

const TICK_MS = 100;

export const slowAgent = defineAgent<{ seconds?: number } | null>({
  name: "slow",
  version: "1.0.0",
  description: "Sleeps for input.seconds (default 5), reporting progress every 100 ms.",
  async run(input, ctx) {
    const seconds = typeof input?.seconds === "number" && input.seconds >= 0 ? input.seconds : 5;
    const totalMs = Math.round(seconds * 1000);
    const started = Date.now();
    let elapsed = 0;
    while (elapsed < totalMs) {
      await sleep(Math.min(TICK_MS, totalMs - elapsed), undefined, { signal: ctx.signal });
      elapsed = Math.min(totalMs, Date.now() - started);
      await ctx.progress(elapsed, { total: totalMs, units: "ms" });
    }
    return { slept_ms: totalMs };
  },
});
