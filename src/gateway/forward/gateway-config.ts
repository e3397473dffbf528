/** Configuration of `runplane gateway` (DESIGN-18): flags, `JARVIS_RUN_COORDINATOR_*` and `ARP_AUTH_*`. */
import {
  type ArpInboundAuthConfig,
  type ArpOutboundAuthConfig,
  type Env,
  parseArpInboundAuthEnv,
  parseArpOutboundAuthEnv,
} from "../../auth/arp-auth-config.js";
import { ConfigError } from "../../protocol/errors.js";

/** Audience of outbound tokens when `JARVIS_RUN_COORDINATOR_AUDIENCE` is not set. */
export const DEFAULT_COORDINATOR_AUDIENCE = "arp-run-coordinator";
/** Default bound on one coordinator call (for events: until the response headers arrive). */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000;

/** The command line as given; each value may also come from the environment. */
export interface GatewayFlags {
  coordinatorUrl?: string | undefined;
  coordinatorAudience?: string | undefined;
  host?: string | undefined;
  port?: string | number | undefined;
  /** Seconds. */
  upstreamTimeout?: string | undefined;
  /** `--allowed-origin`, repeatable; `RUNPLANE_ALLOWED_ORIGINS` adds more. */
  allowedOrigin?: readonly string[] | undefined;
  /** `--allowed-host`, repeatable; `RUNPLANE_ALLOWED_HOSTS` adds more. */
  allowedHost?: readonly string[] | undefined;
}

export interface GatewayConfig {
  /** Base URL of the coordinator, without a trailing `/` or `/v1`. */
  coordinatorUrl: string;
  /** Audience requested for outbound tokens. */
  audience: string;
  host: string;
  port: number;
  upstreamTimeoutMs: number;
  /** Origins of browser pages allowed to call (DESIGN-20); none by default. */
  allowedOrigins: string[];
  /** Host names a loopback gateway answers to besides its loopback names. */
  allowedHosts: string[];
  inbound: ArpInboundAuthConfig;
  /** STS client for outbound tokens; absent only with inbound auth disabled and no `ARP_AUTH_CLIENT_*`. */
  outbound: ArpOutboundAuthConfig | undefined;
}

const trimmed = (value: string | undefined): string | undefined => {
  const t = value?.trim();
  return t === undefined || t === "" ? undefined : t;
};

/**
 * A coordinator base URL as JARVIS normalises it: trailing `/` and a trailing `/v1` stripped,
 * so `http://h:8081/v1/` becomes `http://h:8081`.
 * @throws ConfigError when it is not an http(s) URL.
 */
export function normalizeCoordinatorUrl(raw: string): string {
  const url = URL.parse(raw.trim());
  if (
    url === null ||
    (url.protocol !== "http:" && url.protocol !== "https:") ||
    url.search !== "" ||
    url.hash !== ""
  ) {
    throw new ConfigError(
      "--coordinator-url / JARVIS_RUN_COORDINATOR_URL must be an http(s) URL without query or fragment",
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw new ConfigError(
      "--coordinator-url / JARVIS_RUN_COORDINATOR_URL must not carry credentials; the gateway sends tokens",
    );
  }
  return url.href.replace(/\/+$/, "").replace(/\/v1$/, "").replace(/\/+$/, "");
}

function port(value: string | number | undefined): number {
  const text = String(value ?? "8080").trim();
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 0 && n <= 65535))
    throw new ConfigError("--port must be a whole number from 0 to 65535");
  return n;
}

function timeoutMs(value: string | undefined): number {
  if (trimmed(value) === undefined) return DEFAULT_UPSTREAM_TIMEOUT_MS;
  const seconds = Number(value);
  if (!(Number.isFinite(seconds) && seconds > 0)) {
    throw new ConfigError(
      "--upstream-timeout / RUNPLANE_UPSTREAM_TIMEOUT must be a positive number of seconds",
    );
  }
  return Math.ceil(seconds * 1000);
}

/** A repeatable flag's values, then the comma-separated entries of its variable. */
function listOf(values: readonly string[] | undefined, raw: string | undefined): string[] {
  const fromEnv = (raw ?? "").split(",").flatMap((s) => (s.trim() === "" ? [] : [s.trim()]));
  return [...(values ?? []), ...fromEnv];
}

const OUTBOUND_VARIABLES = [
  "ARP_AUTH_CLIENT_ID",
  "ARP_AUTH_CLIENT_SECRET",
  "ARP_AUTH_TOKEN_ENDPOINT",
];

/**
 * Reads the gateway's settings. The coordinator URL is required; inbound JWT validation comes
 * from `ARP_AUTH_*` (mode `required` unless told otherwise); the STS client is required
 * unless inbound auth is `disabled` and no `ARP_AUTH_CLIENT_*` variable is set, in which case
 * calls are forwarded without a token.
 * @throws ConfigError naming the missing or malformed flag or variable.
 */
export function parseGatewayConfig(flags: GatewayFlags, env: Env): GatewayConfig {
  const rawUrl = trimmed(flags.coordinatorUrl) ?? trimmed(env.JARVIS_RUN_COORDINATOR_URL);
  if (rawUrl === undefined) {
    throw new ConfigError(
      "the Run Coordinator is required: pass --coordinator-url URL or set JARVIS_RUN_COORDINATOR_URL",
    );
  }
  const inbound = parseArpInboundAuthEnv(env);
  const wantsOutbound =
    inbound.mode !== "disabled" ||
    OUTBOUND_VARIABLES.some((name) => trimmed(env[name]) !== undefined);
  return {
    coordinatorUrl: normalizeCoordinatorUrl(rawUrl),
    audience:
      trimmed(flags.coordinatorAudience) ??
      trimmed(env.JARVIS_RUN_COORDINATOR_AUDIENCE) ??
      DEFAULT_COORDINATOR_AUDIENCE,
    host: trimmed(flags.host) ?? "127.0.0.1",
    port: port(flags.port),
    upstreamTimeoutMs: timeoutMs(flags.upstreamTimeout ?? env.RUNPLANE_UPSTREAM_TIMEOUT),
    allowedOrigins: listOf(flags.allowedOrigin, env.RUNPLANE_ALLOWED_ORIGINS),
    allowedHosts: listOf(flags.allowedHost, env.RUNPLANE_ALLOWED_HOSTS),
    inbound,
    outbound: wantsOutbound ? parseArpOutboundAuthEnv(env) : undefined,
  };
}
