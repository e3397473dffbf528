/** Starting `runplane gateway` (DESIGN-18): the ARP surface over a forwarding backend on its own listener. */
import Fastify, { type FastifyInstance } from "fastify";
import { buildArpInboundAuth, type Env } from "../../auth/arp-auth-config.js";
import type { Authenticator } from "../../auth/authenticator.js";
import { OAuthClient } from "../../auth/oauth-client.js";
import { ConfigError } from "../../protocol/errors.js";
import type { Logger } from "../../runtime/logger.js";
import { createBrowserGuard } from "../../transport/browser-guard.js";
import { assertDoorFitsBind } from "../serve-auth.js";
import { registerArpSurface } from "../surface.js";
import { CoordinatorClient } from "./coordinator-client.js";
import { ForwardingGateway } from "./forward-handlers.js";
import type { GatewayConfig } from "./gateway-config.js";

export interface RunningGateway {
  url: string;
  port: number;
  app: FastifyInstance;
  close(): Promise<void>;
}

export interface GatewayDeps {
  logger: Logger;
  env: Env;
  isLoopback: (host: string) => boolean;
  /** For tests: the fetch used toward the coordinator. */
  fetch?: typeof fetch;
}

/** A JWT authenticator, which can look its keys up now (OIDC discovery) instead of on the first call. */
function checksKeysAtStart(
  authenticator: Authenticator,
): authenticator is Authenticator & { resolveJwksUri(): Promise<URL> } {
  return typeof (authenticator as { resolveJwksUri?: unknown }).resolveJwksUri === "function";
}

/**
 * Validates the configuration (JWKS discovery included, so a wrong issuer fails now rather
 * than on the first call), then listens.
 * @throws ConfigError naming what is missing or unusable.
 */
export async function startGateway(
  config: GatewayConfig,
  deps: GatewayDeps,
): Promise<RunningGateway> {
  const { logger } = deps;
  const browserGuard = createBrowserGuard({
    bindHost: config.host,
    allowedOrigins: config.allowedOrigins,
    allowedHosts: config.allowedHosts,
  });
  assertDoorFitsBind(config.inbound.mode, config.host, deps.isLoopback);
  if (config.inbound.mode === "disabled") {
    logger.warn(
      {},
      `inbound authentication is off (ARP_AUTH_MODE=disabled): every caller is ${config.inbound.devSubject}`,
    );
  }
  const inbound = buildArpInboundAuth(config.inbound);
  if (checksKeysAtStart(inbound.authenticator)) {
    try {
      await inbound.authenticator.resolveJwksUri();
    } catch (err) {
      throw new ConfigError(
        `cannot find the JWKS for inbound tokens (ARP_AUTH_JWKS_URI, ARP_AUTH_OIDC_DISCOVERY_URL or ARP_AUTH_ISSUER): ${err instanceof Error ? err.message : "discovery failed"}`,
      );
    }
  }
  if (config.outbound === undefined)
    logger.warn({}, "no ARP_AUTH_CLIENT_* set: calls reach the coordinator without a token");
  const tokens =
    config.outbound === undefined
      ? undefined
      : new OAuthClient({
          tokenEndpoint: config.outbound.tokenEndpoint,
          clientId: config.outbound.clientId,
          clientSecret: config.outbound.clientSecret,
          timeoutMs: config.outbound.timeoutMs,
          defaultAudience: config.audience,
        });
  const client = new CoordinatorClient({
    baseUrl: config.coordinatorUrl,
    timeoutMs: config.upstreamTimeoutMs,
    ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
  });
  const app = Fastify({ logger: false }) as unknown as FastifyInstance;
  const handlers = new ForwardingGateway({
    client,
    tokens,
    audience: config.audience,
    logger,
    env: deps.env,
  });
  await registerArpSurface(app, { auth: inbound, handlers, logger, browserGuard });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  return { url: `http://${host}:${port}`, port, app, close: () => app.close() };
}
