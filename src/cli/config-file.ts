/**
 * The `--config FILE` document (JSON): command agents, and optional runtime settings.
 * Relative paths in an agent's `cwd` resolve against the file's own directory.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import type { CommandAgentSpec } from "../agents/loaders/command-agent.js";
import { describeIssues } from "../protocol/envelope.js";
import { ConfigError } from "../protocol/errors.js";

const CommandAgentSchema = z.strictObject({
  name: z.string().min(1),
  version: z.string().min(1),
  command: z.array(z.string().min(1)).min(1),
  default: z.boolean().optional(),
  description: z.string().optional(),
  cwd: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
  kill_grace_ms: z.number().int().nonnegative().optional(),
});

const CommandToolSchema = z.strictObject({
  name: z.string().min(1),
  command: z.array(z.string().min(1)).min(1),
  description: z.string().optional(),
  cwd: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
  timeout_ms: z.number().int().positive().optional(),
});

export const ConfigFileSchema = z.strictObject({
  agents: z.array(CommandAgentSchema).default([]),
  tools: z.array(CommandToolSchema).default([]),
});
export type ConfigFile = z.infer<typeof ConfigFileSchema>;
export type CommandToolConfig = z.infer<typeof CommandToolSchema>;

export interface LoadedConfig {
  agents: CommandAgentSpec[];
  tools: (CommandToolConfig & { cwd: string })[];
}

export function loadConfigFile(path: string): LoadedConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError(`cannot read config ${path}: ${(error as Error).message}`);
  }
  const parsed = ConfigFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(`config ${path}: ${describeIssues(parsed.error.issues)}`);
  const base = dirname(resolve(path));
  return {
    agents: parsed.data.agents.map((a) => {
      const spec: CommandAgentSpec = {
        name: a.name,
        version: a.version,
        command: a.command,
        cwd: resolve(base, a.cwd ?? "."),
      };
      if (a.default !== undefined) spec.default = a.default;
      if (a.description !== undefined) spec.description = a.description;
      if (a.env !== undefined) spec.env = a.env;
      if (a.kill_grace_ms !== undefined) spec.killGraceMs = a.kill_grace_ms;
      return spec;
    }),
    tools: parsed.data.tools.map((t) => ({ ...t, cwd: resolve(base, t.cwd ?? ".") })),
  };
}
