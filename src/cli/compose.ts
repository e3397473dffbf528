/**
 * The composition root: the one place that picks concrete adapters (SQLite store, ws and
 * stdio transports, fastify, pino) and wires them into a Runtime.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import type { Env } from "../auth/arp-auth-config.js";
import type { Authenticator } from "../auth/authenticator.js";
import type { CredentialProvisioner } from "../credentials/provisioner.js";
import { registerEmbeddedCoordinator } from "../gateway/coordinator.js";
import { resolveServeArpAuth } from "../gateway/serve-auth.js";
import { ConfigError } from "../protocol/errors.js";
import type { RuntimeConfig } from "../runtime/config.js";
import type { Logger } from "../runtime/logger.js";
import { createOperationRunner } from "../runtime/operations/operations.js";
import { Runtime } from "../runtime/runtime.js";
import { openSqliteStore } from "../store/sqlite/sqlite-store.js";
import type { Store } from "../store/store.js";
import { type BrowserGuard, createBrowserGuard } from "../transport/browser-guard.js";
import { attachWebSocketServer, type WebSocketServerHandle } from "../transport/websocket.js";
import {
  type AuthOptions,
  buildAuthenticator,
  isLoopbackHost,
  tokenSpecs,
} from "./auth-options.js";
import { type LoadedConfig, loadConfigFile } from "./config-file.js";
import { buildCredentialService } from "./credentials-options.js";
import { buildRegistry } from "./registry.js";
import { buildWorld, type WorldOptions } from "./world.js";

export interface CoreOptions extends WorldOptions {
  db: string;
  /** Provisioner for per-job credentials; none means the feature is not offered. */
  provisioner?: CredentialProvisioner | undefined;
  revokeMaxAttempts?: number | undefined;
  agentsFile?: string | undefined;
  configFile?: string | undefined;
  runtime?: Partial<RuntimeConfig>;
}

export interface ServeOptions extends CoreOptions {
  host: string;
  port: number;
  auth: AuthOptions;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  trustedProxyTls?: boolean;
  /** Origins of browser pages allowed to open `/arcp` and call `/v1` (none by default). */
  allowedOrigins?: readonly string[] | undefined;
  /** Host names a loopback server answers to besides its loopback names (DNS rebinding). */
  allowedHosts?: readonly string[] | undefined;
  /** Where `ARP_AUTH_*` and `RUNPLANE_ARP_CURRENCY` are read (default `process.env`). */
  arpEnv?: Env;
  /** Currency of ARP `max_cost` (default `RUNPLANE_ARP_CURRENCY`, else USD). */
  arpCurrency?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  runtime: Runtime;
  app: FastifyInstance;
  close(): Promise<void>;
}

export function openStore(db: string): Store {
  if (db !== ":memory:") mkdirSync(dirname(db), { recursive: true });
  return openSqliteStore({ path: db });
}

/** Store, registry and runtime, without any listener (shared by serve and stdio). */
export async function buildRuntime(
  options: CoreOptions,
  authenticator: Authenticator,
  logger: Logger,
): Promise<Runtime> {
  const config: LoadedConfig | undefined =
    options.configFile === undefined ? undefined : loadConfigFile(options.configFile);
  const agents = await buildRegistry(options.agentsFile, config);
  const world = await buildWorld(options, config);
  const store = openStore(options.db);
  const credentials = buildCredentialService(
    options.provisioner,
    store,
    logger,
    options.revokeMaxAttempts ?? 8,
  );
  const runtime = new Runtime({
    ...(credentials === undefined ? {} : { credentials }),
    store,
    authenticator,
    agents,
    logger,
    config: options.runtime ?? {},
    operations: createOperationRunner(world),
  });
  await runtime.start();
  return runtime;
}

/** The TLS pair, both files or neither (one alone would silently serve plain HTTP). */
function tlsOf(options: ServeOptions): { cert: Buffer; key: Buffer } | undefined {
  const { tlsCert, tlsKey } = options;
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    throw new ConfigError(
      "--tls-cert and --tls-key (RUNPLANE_TLS_CERT, RUNPLANE_TLS_KEY) go together: give both or neither",
    );
  }
  if (tlsCert === undefined || tlsKey === undefined) return undefined;
  return { cert: readFileSync(tlsCert), key: readFileSync(tlsKey) };
}

function browserGuardOf(options: ServeOptions): BrowserGuard {
  return createBrowserGuard({
    bindHost: options.host,
    allowedOrigins: options.allowedOrigins ?? [],
    allowedHosts: options.allowedHosts ?? [],
  });
}

export async function startServer(options: ServeOptions, logger: Logger): Promise<RunningServer> {
  const https = tlsOf(options);
  const browserGuard = browserGuardOf(options);
  const arpEnv = options.arpEnv ?? process.env;
  const a = options.auth;
  const arp = resolveServeArpAuth({
    env: arpEnv,
    host: options.host,
    arcpAuthGiven:
      a.auth !== undefined ||
      tokenSpecs(a).length > 0 ||
      [a.jwtIssuer, a.jwtAudience, a.jwksUrl].some((v) => v !== undefined),
    buildArcpAuthenticator: () =>
      buildAuthenticator(a, options.host, (msg) => logger.warn({}, msg)),
    isLoopback: isLoopbackHost,
  });
  const runtime = await buildRuntime(options, arp.authenticator, logger);
  const app = Fastify({
    logger: false,
    ...(https === undefined ? {} : { https }),
  }) as unknown as FastifyInstance;
  const ws: WebSocketServerHandle = attachWebSocketServer(app.server, {
    onConnection: (transport) => {
      runtime.accept(transport);
    },
    trustedProxyTls: options.trustedProxyTls ?? false,
    browserGuard,
    maxPayload: Math.max(16 * 1024 * 1024, runtime.config.maxMessageBytes * 2),
  });
  await registerEmbeddedCoordinator(app, {
    runtime,
    auth: arp.inbound,
    logger,
    env: arpEnv,
    currency: options.arpCurrency,
    browserGuard,
  });
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  const scheme = https === undefined ? "http" : "https";
  const hostForUrl = options.host.includes(":") ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;
  return {
    url: `${scheme}://${hostForUrl}:${port}`,
    port,
    runtime,
    app,
    close: () => {
      closing ??= (async () => {
        await runtime.shutdown();
        await ws.close(1000);
        await app.close();
        runtime.credentials?.close();
        await runtime.store.close();
      })();
      return closing;
    },
  };
}
