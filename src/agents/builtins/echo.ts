/** `echo`: logs, reports progress, and returns its input with the version that ran (1.0.0, 2.0.0). */
import { type AgentDefinition, defineAgent } from "../agent.js";

function echoVersion(version: string, isDefault: boolean): AgentDefinition {
  return defineAgent({
    name: "echo",
    version,
    default: isDefault,
    description: "Returns its input unchanged, after a log and a progress event.",
    async run(input, ctx) {
      await ctx.log("info", `echo@${version} received input`);
      await ctx.progress(1, { total: 1, units: "steps", message: "echoed" });
      return { echo: input, version };
    },
  });
}

export const echoAgents: AgentDefinition[] = [
  echoVersion("1.0.0", false),
  echoVersion("2.0.0", true),
];
