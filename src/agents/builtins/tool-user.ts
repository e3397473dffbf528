/** `tool-user`: calls one tool through the runtime and returns its result, or the refusal. */
import { ArcpError } from "../../protocol/errors.js";
import { defineAgent } from "../agent.js";

export const toolUserAgent = defineAgent<{ tool?: string; args?: Record<string, unknown> } | null>({
  name: "tool-user",
  version: "1.0.0",
  description:
    "Calls input.tool with input.args (checked against the lease) and returns the outcome.",
  async run(input, ctx) {
    const tool = input?.tool;
    if (typeof tool !== "string" || tool === "")
      throw new ArcpError("INVALID_REQUEST", "input.tool must name a tool");
    try {
      return { tool, result: await ctx.tools.call(tool, input?.args ?? {}) };
    } catch (error) {
      const err = ArcpError.from(error);
      await ctx.log("warn", `tool ${tool} refused: ${err.code}`);
      return { tool, error: { code: err.code, message: err.message } };
    }
  },
});
