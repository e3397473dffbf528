/** `runplane serve`: ARCP over WebSocket at /arcp and the ARP routes on one HTTP listener. */
import type { Command } from "commander";
import { Option } from "commander";
import { startServer } from "./compose.js";
import {
  addCredentialOptions,
  buildProvisioner,
  type CredentialFlags,
  revokeMaxAttemptsOf,
} from "./credentials-options.js";
import { defaultDbPath } from "./data-dir.js";
import { booleanFlag, integerFlag, listFlag } from "./flag-values.js";
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
  allowedOrigin?: string[];
  allowedHost?: string[];
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function addListenerOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option("--host <host>", "interface to bind").env("RUNPLANE_HOST").default("127.0.0.1"),
    )
    .addOption(
      new Option("--port <port>", "port (0 picks a free one)").env("RUNPLANE_PORT").default("7777"),
    )
    .addOption(new Option("--tls-cert <file>", "TLS certificate (PEM)").env("RUNPLANE_TLS_CERT"))
    .addOption(new Option("--tls-key <file>", "TLS private key (PEM)").env("RUNPLANE_TLS_KEY"))
    .addOption(
      // No .env(): commander would turn the flag on for RUNPLANE_TRUSTED_PROXY_TLS=false too.
      new Option(
        "--trusted-proxy-tls",
        "TLS ends at a trusted proxy in front of Runplane (env: RUNPLANE_TRUSTED_PROXY_TLS)",
      ),
    )
    .addOption(
      new Option(
        "--allowed-origin <origin>",
        "origin of a browser page allowed to use /arcp and /v1 (repeatable; RUNPLANE_ALLOWED_ORIGINS=o1,o2)",
      ).argParser(collect),
    )
    .addOption(
      new Option(
        "--allowed-host <host>",
        "host name a loopback server also answers to (repeatable; RUNPLANE_ALLOWED_HOSTS=h1,h2)",
      ).argParser(collect),
    );
}

export function registerServe(program: Command): void {
  const cmd = program
    .command("serve")
    .description("serve ARCP (WebSocket /arcp) and the ARP Run Gateway (/v1) on one port");
  addListenerOptions(cmd);
  addAuthOptions(cmd);
  addCoreOptions(cmd);
  addCredentialOptions(cmd);
  cmd.action(async (flags: ServeFlags) => {
    const port = integerFlag(flags.port, "--port / RUNPLANE_PORT", { min: 0, max: 65_535 });
    const settings = runtimeSettings(flags);
    const logger = createLogger(flags.logLevel);
    const server = await startServer(
      {
        host: flags.host,
        port: port ?? 7777,
        auth: flags,
        db: flags.db ?? defaultDbPath(),
        ...worldOptions(flags),
        provisioner: buildProvisioner(flags),
        revokeMaxAttempts: revokeMaxAttemptsOf(flags),
        agentsFile: flags.agents,
        configFile: flags.config,
        runtime: settings,
        tlsCert: flags.tlsCert,
        tlsKey: flags.tlsKey,
        trustedProxyTls: booleanFlag(flags.trustedProxyTls, "RUNPLANE_TRUSTED_PROXY_TLS"),
        allowedOrigins: listFlag(flags.allowedOrigin, "RUNPLANE_ALLOWED_ORIGINS"),
        allowedHosts: listFlag(flags.allowedHost, "RUNPLANE_ALLOWED_HOSTS"),
      },
      logger,
    );
    // Handlers first: whoever reads the line below may signal at once.
    closeOnSignals(() => server.close(), logger);
    process.stdout.write(`listening on ${server.url}\n`);
  });
}
