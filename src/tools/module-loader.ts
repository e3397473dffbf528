/** Loading tools from an ES module (`--tools FILE`): every exported tool definition, arrays flattened. */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "../protocol/errors.js";
import { looksLikeTool, type ToolDefinition } from "./tool.js";

function collectTools(value: unknown, out: ToolDefinition[]): void {
  if (Array.isArray(value)) {
    for (const item of value) collectTools(item, out);
  } else if (looksLikeTool(value) && !out.includes(value)) {
    // The same object exported twice (named and in the default array) is one tool.
    out.push(value);
  }
}

/**
 * Import `file` and return the tool definitions (objects with a `name` and a `call` function)
 * among its exports, default export included.
 *
 * @throws ConfigError when the module cannot be imported or exports no tool.
 */
export async function loadToolModule(file: string): Promise<ToolDefinition[]> {
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`cannot load tools from ${file}: ${(error as Error).message}`);
  }
  const tools: ToolDefinition[] = [];
  for (const value of Object.values(exports)) collectTools(value, tools);
  if (tools.length === 0) {
    throw new ConfigError(
      `${file} exports no tool definitions (objects with a name and a call function)`,
    );
  }
  return tools;
}
