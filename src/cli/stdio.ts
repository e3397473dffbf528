/**
 * `runplane stdio`: serve one ARCP session over stdin/stdout as NDJSON (§4), for a parent
 * process that runs Runplane as a child. Logs go to stderr only.
 */
import type { Command } from "commander";
import { oversizeFrame } from "../protocol/envelope.js";
import { createStdioTransport } from "../transport/stdio.js";
import { buildAuthenticator } from "./auth-options.js";
import { buildRuntime } from "./compose.js";
import {
  addCredentialOptions,
  buildProvisioner,
  type CredentialFlags,
  revokeMaxAttemptsOf,
} from "./credentials-options.js";
import { createLogger } from "./logger.js";
import {
  addAuthOptions,
  addCoreOptions,
  type CommonFlags,
  runtimeSettings,
  worldOptions,
} from "./options.js";

export function registerStdio(program: Command): void {
  const cmd = program
    .command("stdio")
    .description("serve one ARCP session over stdin/stdout (NDJSON); logs go to stderr");
  addAuthOptions(cmd);
  addCoreOptions(cmd);
  addCredentialOptions(cmd);

  cmd.action(async (flags: CommonFlags & CredentialFlags) => {
    const logger = createLogger(flags.logLevel);
    const authenticator = buildAuthenticator(flags, "127.0.0.1", (msg) => logger.warn({}, msg));
    const runtime = await buildRuntime(
      {
        db: flags.db ?? ":memory:",
        agentsFile: flags.agents,
        configFile: flags.config,
        runtime: runtimeSettings(flags),
        ...worldOptions(flags),
        provisioner: buildProvisioner(flags),
        revokeMaxAttempts: revokeMaxAttemptsOf(flags),
      },
      authenticator,
      logger,
    );
    const maxMessageBytes = runtime.config.maxMessageBytes;
    let conn: ReturnType<typeof runtime.accept> | undefined;
    const transport = createStdioTransport(process.stdin, process.stdout, {
      maxLineBytes: Math.max(16 * 1024 * 1024, maxMessageBytes * 2),
      onOversize: () => conn?.receiveDecoded(oversizeFrame(maxMessageBytes)),
    });
    conn = runtime.accept(transport);
    transport.onClose(() => {
      void runtime
        .shutdown()
        .then(() => runtime.store.close())
        .then(() => process.exit(0));
    });
    const stop = (): void => transport.close();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
