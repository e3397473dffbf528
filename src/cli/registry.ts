/** Filling the agent registry from its three sources: built-ins, an ES module, command agents. */
import { builtinAgents } from "../agents/builtins/index.js";
import { commandAgent } from "../agents/loaders/command-agent.js";
import { loadAgentModule } from "../agents/loaders/module-loader.js";
import { AgentRegistry } from "../agents/registry.js";
import type { LoadedConfig } from "./config-file.js";

export async function buildRegistry(
  agentsFile: string | undefined,
  config: LoadedConfig | undefined,
): Promise<AgentRegistry> {
  const registry = new AgentRegistry();
  for (const def of builtinAgents()) registry.register(def);
  if (agentsFile !== undefined)
    for (const def of await loadAgentModule(agentsFile)) registry.register(def);
  for (const spec of config?.agents ?? []) registry.register(commandAgent(spec));
  return registry;
}
