/** The `runplane` command line. */
import { Command, Option } from "commander";
import { ConfigError } from "../protocol/errors.js";
import { registerAgents } from "./agents.js";
import { registerGateway } from "./gateway.js";
import { registerOperatorCommands } from "./operator.js";
import { registerServe } from "./serve.js";
import { registerStdio } from "./stdio.js";
import { runSubmit } from "./submit.js";

export const VERSION = "0.1.0";

export function buildProgram(): Command {
  const program = new Command("runplane")
    .description("control plane for AI agent runs (ARCP v1.1, ARP v1)")
    .version(VERSION);
  registerServe(program);
  registerStdio(program);
  program
    .command("submit")
    .description("submit a job and stream its events")
    .addOption(
      new Option("--url <url>", "ARCP WebSocket URL")
        .env("RUNPLANE_URL")
        .default("ws://127.0.0.1:7777/arcp"),
    )
    .addOption(new Option("--token <token>", "bearer token").env("RUNPLANE_TOKEN"))
    .requiredOption("--agent <name[@version]>", "agent to run")
    .addOption(new Option("--input <json>", "job input").default("{}"))
    .addOption(new Option("--lease <json>", 'lease_request, e.g. \'{"tool.call":["noop"]}\''))
    .addOption(new Option("--expires-at <time>", "lease_constraints.expires_at (UTC, ends in Z)"))
    .addOption(new Option("--max-runtime <sec>", "max_runtime_sec"))
    .addOption(new Option("--idempotency-key <key>", "idempotency_key"))
    .option("--json", "print every envelope as a JSON line")
    .action(async (flags) => {
      process.exitCode = await runSubmit(flags);
    });
  registerAgents(program);
  registerOperatorCommands(program);
  registerGateway(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`runplane: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`runplane: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
