/** `llm`: invokes a model through the runtime (checked against model.use and the budget, §9.7). */
import { ArcpError } from "../../protocol/errors.js";
import { defineAgent } from "../agent.js";

export const llmAgent = defineAgent<{ model?: string; prompt?: string } | null>({
  name: "llm",
  version: "1.0.0",
  description: "Sends input.prompt to input.model and returns the model's answer.",
  async run(input, ctx) {
    const model = input?.model ?? "mock/small";
    if (typeof input?.prompt !== "string")
      throw new ArcpError("INVALID_REQUEST", "input.prompt must be a string");
    await ctx.thought(`asking ${model}`);
    const response = await ctx.models.invoke(model, { prompt: input.prompt });
    return { model: response.model, text: response.text, usage: response.usage ?? null };
  },
});
