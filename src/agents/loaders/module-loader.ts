/** Loading agents from an ES module (`--agents FILE`): its default export and named exports. */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "../../protocol/errors.js";
import type { AgentDefinition } from "../agent.js";

function looksLikeAgent(value: unknown): value is AgentDefinition {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<AgentDefinition>;
  return typeof v.name === "string" && typeof v.version === "string" && typeof v.run === "function";
}

function collect(value: unknown, out: AgentDefinition[]): void {
  if (Array.isArray(value)) for (const item of value) collect(item, out);
  else if (looksLikeAgent(value)) out.push(value);
}

/** Import `file` and return every agent definition it exports (arrays are flattened). */
export async function loadAgentModule(file: string): Promise<AgentDefinition[]> {
  const url = pathToFileURL(resolve(file)).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`cannot load agents from ${file}: ${(error as Error).message}`);
  }
  const found: AgentDefinition[] = [];
  for (const value of Object.values(mod)) collect(value, found);
  if (found.length === 0) {
    throw new ConfigError(
      `${file} exports no agent definitions (objects with name, version and run)`,
    );
  }
  return found;
}
