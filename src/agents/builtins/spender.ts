/**
 * `spender`: each step reports `cost` as a `cost.inference` metric, then calls the `noop` tool.
 * Once the budget is exhausted the tool call is refused; the agent stops and returns what it did.
 */
import { ArcpError } from "../../protocol/errors.js";
import { defineAgent } from "../agent.js";

export const spenderAgent = defineAgent<{ cost?: string; steps?: number } | null>({
  name: "spender",
  version: "1.0.0",
  description: 'Spends input.cost (e.g. "USD:0.40") per step for input.steps steps.',
  async run(input, ctx) {
    const match = /^([A-Za-z][A-Za-z0-9_-]*):(\d+(?:\.\d+)?)$/.exec(input?.cost ?? "USD:0.10");
    if (match === null)
      throw new ArcpError("INVALID_REQUEST", 'input.cost must look like "USD:0.40"');
    const [, currency, amount] = match as unknown as [string, string, string];
    const steps = Math.max(0, Math.floor(input?.steps ?? 3));
    let completed = 0;
    for (let i = 0; i < steps; i++) {
      await ctx.metric("cost.inference", Number(amount), { unit: currency });
      try {
        await ctx.tools.call("noop", { step: i + 1 });
      } catch (error) {
        const err = ArcpError.from(error);
        return { steps_completed: completed, stopped_by: err.code };
      }
      completed++;
    }
    return { steps_completed: completed };
  },
});
