/** `runplane serve`: ARCP over WebSocket at /arcp and the ARP routes on one HTTP listener. */
import type { Command } from "commander";
import { Option } from "commander";
import { startServer } from "./compose.js";
import {
  addCredentialOptions,
  buildProvisioner,
  type CredentialFlags,
} from "./credentials-options.js";
import { defaultDbPath } from "./data-dir.js";
import { closeOnSignals, createLogger } from "./logger.js";
import {
  addAuthOptions,
  addCoreOptions,
  type CommonFlags,
  runtimeSettings,
  worldOptions,
} from "./options.js";

interface ServeFlags extends CommonFlags, CredentialFlags {
  host: string;
  port: string;
  tlsCert?: string;
  tlsKey?: string;
  trustedProxyTls?: boolean;
}

export function registerServe(program: Command): void {
  const cmd = program
    .command("serve")
    .description("serve ARCP (WebSocket /arcp) and the ARP Run Gateway (/v1) on one port")
    .addOption(
      new Option("--host <host>", "interface to bind").env("RUNPLANE_HOST").default("127.0.0.1"),
    )
    .addOption(
      new Option("--port <port>", "port (0 picks a free one)").env("RUNPLANE_PORT").default("7777"),
    )
    .addOption(new Option("--tls-cert <file>", "TLS certificate (PEM)").env("RUNPLANE_TLS_CERT"))
    .addOption(new Option("--tls-key <file>", "TLS private key (PEM)").env("RUNPLANE_TLS_KEY"))
    .addOption(
      new Option("--trusted-proxy-tls", "TLS ends at a trusted proxy in front of Runplane").env(
        "RUNPLANE_TRUSTED_PROXY_TLS",
      ),
    );
  addAuthOptions(cmd);
  addCoreOptions(cmd);
  addCredentialOptions(cmd);
  cmd.action(async (flags: ServeFlags) => {
    const logger = createLogger(flags.logLevel);
    const server = await startServer(
      {
        host: flags.host,
        port: Number(flags.port),
        auth: flags,
        db: flags.db ?? defaultDbPath(),
        ...worldOptions(flags),
        provisioner: buildProvisioner(flags),
        revokeMaxAttempts:
          flags.revokeMaxAttempts === undefined ? undefined : Number(flags.revokeMaxAttempts),
        agentsFile: flags.agents,
        configFile: flags.config,
        runtime: runtimeSettings(flags),
        tlsCert: flags.tlsCert,
        tlsKey: flags.tlsKey,
        trustedProxyTls: flags.trustedProxyTls === true,
      },
      logger,
    );
    // Handlers first: whoever reads the line below may signal at once.
    closeOnSignals(() => server.close(), logger);
    process.stdout.write(`listening on ${server.url}\n`);
  });
}
