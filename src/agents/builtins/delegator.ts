/** `delegator`: delegates to a sub-agent under a (subset) lease and returns the child's result (§10). */
import { ArcpError } from "../../protocol/errors.js";
import { defineAgent } from "../agent.js";

interface DelegatorInput {
  agent?: string;
  input?: unknown;
  lease?: Record<string, string[]>;
  lease_constraints?: { expires_at?: string };
}

export const delegatorAgent = defineAgent<DelegatorInput | null>({
  name: "delegator",
  version: "1.0.0",
  description:
    "Delegates input.input to input.agent with input.lease and returns the child's result.",
  async run(input, ctx) {
    const agent = input?.agent;
    if (typeof agent !== "string" || agent === "")
      throw new ArcpError("INVALID_REQUEST", "input.agent must name an agent");
    const options: {
      lease?: Record<string, string[]>;
      leaseConstraints?: { expires_at?: string };
    } = {};
    if (input?.lease !== undefined) options.lease = input.lease;
    if (input?.lease_constraints !== undefined) options.leaseConstraints = input.lease_constraints;
    const child = await ctx.delegate(agent, input?.input ?? {}, options);
    return { child };
  },
});
