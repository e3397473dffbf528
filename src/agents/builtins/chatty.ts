/** `chatty`: emits `events` log events of about `bytes` bytes each, as fast as the runtime accepts them. */
import { defineAgent } from "../agent.js";

export const chattyAgent = defineAgent<{ events?: number; bytes?: number } | null>({
  name: "chatty",
  version: "1.0.0",
  description: "Emits input.events log events of about input.bytes bytes each.",
  async run(input, ctx) {
    const events = Math.max(0, Math.floor(input?.events ?? 100));
    const filler = "x".repeat(Math.max(1, Math.floor(input?.bytes ?? 64)));
    for (let i = 0; i < events; i++) {
      if (ctx.signal.aborted) break;
      await ctx.log("info", filler);
    }
    return { events };
  },
});
