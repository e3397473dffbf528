/** `runplane gateway`: the stateless ARP forwarding gateway in front of any Run Coordinator (DESIGN-18). */
import { type Command, Option } from "commander";
import {
  DEFAULT_COORDINATOR_AUDIENCE,
  type GatewayFlags,
  parseGatewayConfig,
} from "../gateway/forward/gateway-config.js";
import { startGateway } from "../gateway/forward/start-gateway.js";
import { isLoopbackHost } from "./auth-options.js";
import { closeOnSignals, createLogger } from "./logger.js";

interface GatewayCommandFlags extends GatewayFlags {
  logLevel: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerGateway(program: Command): void {
  program
    .command("gateway")
    .description(
      "forward the ARP Run Gateway routes to a Run Coordinator, exchanging tokens (ARP_AUTH_* configure auth)",
    )
    .addOption(
      new Option(
        "--coordinator-url <url>",
        "Run Coordinator base URL (a trailing /v1 is dropped)",
      ).env("JARVIS_RUN_COORDINATOR_URL"),
    )
    .addOption(
      new Option(
        "--coordinator-audience <aud>",
        `audience of outbound tokens (default ${DEFAULT_COORDINATOR_AUDIENCE})`,
      ).env("JARVIS_RUN_COORDINATOR_AUDIENCE"),
    )
    .addOption(
      new Option("--host <host>", "interface to bind")
        .env("RUNPLANE_GATEWAY_HOST")
        .default("127.0.0.1"),
    )
    .addOption(
      new Option("--port <port>", "port (0 picks a free one)")
        .env("RUNPLANE_GATEWAY_PORT")
        .default("8080"),
    )
    .addOption(
      new Option("--upstream-timeout <sec>", "bound on each coordinator call (default 30)").env(
        "RUNPLANE_UPSTREAM_TIMEOUT",
      ),
    )
    .addOption(
      new Option(
        "--allowed-origin <origin>",
        "origin of a browser page allowed to call /v1 (repeatable; RUNPLANE_ALLOWED_ORIGINS=o1,o2)",
      ).argParser(collect),
    )
    .addOption(
      new Option(
        "--allowed-host <host>",
        "host name a loopback gateway also answers to (repeatable; RUNPLANE_ALLOWED_HOSTS=h1,h2)",
      ).argParser(collect),
    )
    .addOption(
      new Option("--log-level <level>", "pino log level").env("RUNPLANE_LOG_LEVEL").default("info"),
    )
    .action(async (flags: GatewayCommandFlags) => {
      const logger = createLogger(flags.logLevel);
      const config = parseGatewayConfig(flags, process.env);
      const gateway = await startGateway(config, {
        logger,
        env: process.env,
        isLoopback: isLoopbackHost,
      });
      logger.info(
        {
          coordinator: config.coordinatorUrl,
          audience: config.audience,
          mode: config.inbound.mode,
        },
        "gateway started",
      );
      // Handlers first: whoever reads the line below may signal at once.
      closeOnSignals(() => gateway.close(), logger);
      process.stdout.write(`listening on ${gateway.url}\n`);
    });
}
