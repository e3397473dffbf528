/** The built-in agents, enough for a first run to show every kind of event and ending. */
import type { AgentDefinition } from "../agent.js";
import { chattyAgent } from "./chatty.js";
import { delegatorAgent } from "./delegator.js";
import { echoAgents } from "./echo.js";
import { failAgent } from "./fail.js";
import { llmAgent } from "./llm.js";
import { slowAgent } from "./slow.js";
import { spenderAgent } from "./spender.js";
import { streamReportAgent } from "./stream-report.js";
import { toolUserAgent } from "./tool-user.js";

export function builtinAgents(): AgentDefinition[] {
  return [
    ...echoAgents,
    slowAgent,
    streamReportAgent,
    failAgent,
    chattyAgent,
    toolUserAgent,
    spenderAgent,
    delegatorAgent,
    llmAgent,
  ] as AgentDefinition[];
}
