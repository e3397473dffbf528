/** `runplane agents`: the agent inventory, from a running server (--url) or from local sources. */
import { type Command, Option } from "commander";
import type { AgentInventoryEntry } from "../protocol/messages/session.js";
import { ArcpClient } from "./arcp-client.js";
import { loadConfigFile } from "./config-file.js";
import { buildRegistry } from "./registry.js";

interface AgentsFlags {
  url?: string;
  token?: string;
  agents?: string;
  config?: string;
  json?: boolean;
}

export function formatInventory(entries: readonly AgentInventoryEntry[]): string {
  const width = Math.max(4, ...entries.map((e) => e.name.length));
  const lines = entries.map(
    (e) =>
      `${e.name.padEnd(width)}  ${e.versions.join(", ")}${e.default === undefined ? "" : `  (default ${e.default})`}`,
  );
  return `${"NAME".padEnd(width)}  VERSIONS\n${lines.join("\n")}\n`;
}

export function registerAgents(program: Command): void {
  program
    .command("agents")
    .description("list agents: from a server with --url, else the built-ins plus --agents/--config")
    .addOption(
      new Option("--url <url>", "ARCP WebSocket URL of a running server").env("RUNPLANE_URL"),
    )
    .addOption(new Option("--token <token>", "bearer token").env("RUNPLANE_TOKEN"))
    .addOption(
      new Option("--agents <file>", "ES module exporting agent definitions").env("RUNPLANE_AGENTS"),
    )
    .addOption(
      new Option("--config <file>", "JSON config with command agents").env("RUNPLANE_CONFIG"),
    )
    .option("--json", "print JSON")
    .action(async (flags: AgentsFlags) => {
      let inventory: AgentInventoryEntry[];
      if (flags.url !== undefined) {
        const client = await ArcpClient.connect(flags.url, flags.token);
        const caps = client.welcome?.["capabilities"] as { agents: AgentInventoryEntry[] };
        inventory = caps.agents;
        client.close();
      } else {
        const config = flags.config === undefined ? undefined : loadConfigFile(flags.config);
        inventory = (await buildRegistry(flags.agents, config)).inventory();
      }
      process.stdout.write(
        flags.json === true
          ? `${JSON.stringify(inventory, null, 2)}\n`
          : formatInventory(inventory),
      );
    });
}
