/** The `ARP_AUTH_*` environment of the ARP security profiles, parsed into typed settings. */
import { ConfigError } from "../protocol/errors.js";
import type { Authenticator, Principal } from "./authenticator.js";
import { firstDisallowedAlgorithm, JwtAuthenticator } from "./jwt.js";
import { NoneAuthenticator } from "./none.js";

/** The environment as read: `process.env` or any plain record. */
export type Env = Readonly<Record<string, string | undefined>>;

export type ArpAuthMode = "required" | "optional" | "disabled";
export type ArpAuthProfile = "dev-insecure" | "dev-secure-keycloak" | "enterprise";

/** Issuer preset of the `dev-secure-keycloak` profile. */
export const DEV_KEYCLOAK_ISSUER = "http://localhost:8080/realms/arp-dev";
const DEFAULT_EXEMPT_PATHS = ["/v1/health", "/v1/version"];

/** Inbound JWT validation settings (ARP security profiles, `AuthSettings.from_env`). */
export interface ArpInboundAuthConfig {
  profile: ArpAuthProfile | undefined;
  mode: ArpAuthMode;
  issuer: string | undefined;
  audience: string | undefined;
  jwksUri: string | undefined;
  oidcDiscoveryUrl: string | undefined;
  algorithms: string[];
  clockSkewSeconds: number;
  exemptPaths: string[];
  devSubject: string;
  anonymousSubject: string;
}

/** Outbound STS client settings (`arp_auth.AuthClient.from_env`). */
export interface ArpOutboundAuthConfig {
  clientId: string;
  clientSecret: string;
  tokenEndpoint: string;
  timeoutMs: number;
  /** `ARP_AUTH_AUDIENCE`, else `ARP_AUTH_SERVICE_ID`. */
  defaultAudience: string | undefined;
}

/** A variable trimmed; empty or whitespace-only counts as unset. */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

function list(env: Env, name: string): string[] | undefined {
  const raw = read(env, name);
  return raw?.split(",").flatMap((part) => (part.trim() === "" ? [] : [part.trim()]));
}

function assertHttpUrl(value: string, name: string): string {
  const parsed = URL.parse(value);
  if (parsed === null || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    throw new ConfigError(`${name} must be an http(s) URL`);
  }
  return value;
}

function url(env: Env, name: string): string | undefined {
  const value = read(env, name);
  return value === undefined ? undefined : assertHttpUrl(value, name);
}

const PROFILE_ALIASES: Record<string, ArpAuthProfile> = {
  "dev-insecure": "dev-insecure",
  dev: "dev-insecure",
  "dev-secure-keycloak": "dev-secure-keycloak",
  "dev-secure": "dev-secure-keycloak",
  keycloak: "dev-secure-keycloak",
  enterprise: "enterprise",
  prod: "enterprise",
  production: "enterprise",
};

function readProfile(env: Env): ArpAuthProfile | undefined {
  const raw = read(env, "ARP_AUTH_PROFILE");
  if (raw === undefined) return undefined;
  const profile = PROFILE_ALIASES[raw.toLowerCase().replaceAll("_", "-")];
  if (profile === undefined) {
    throw new ConfigError(
      `ARP_AUTH_PROFILE ${JSON.stringify(raw)} is not dev-insecure, dev-secure-keycloak or enterprise (or an alias)`,
    );
  }
  return profile;
}

function readMode(env: Env, profile: ArpAuthProfile | undefined): ArpAuthMode {
  const raw = read(env, "ARP_AUTH_MODE")?.toLowerCase();
  if (raw === undefined) return profile === "dev-insecure" ? "disabled" : "required";
  if (raw === "required" || raw === "optional" || raw === "disabled") return raw;
  throw new ConfigError(
    `ARP_AUTH_MODE ${JSON.stringify(raw)} is not required, optional or disabled`,
  );
}

function readClockSkew(env: Env): number {
  const raw = read(env, "ARP_AUTH_CLOCK_SKEW_SECONDS");
  if (raw === undefined) return 60;
  if (!/^\+?\d+$/.test(raw)) {
    throw new ConfigError("ARP_AUTH_CLOCK_SKEW_SECONDS must be a non-negative integer");
  }
  return Number(raw);
}

function readAlgorithms(env: Env): string[] {
  if (read(env, "ARP_AUTH_ALGORITHMS") === undefined) return ["RS256"];
  const algorithms = list(env, "ARP_AUTH_ALGORITHMS") ?? [];
  if (algorithms.length === 0) {
    throw new ConfigError("ARP_AUTH_ALGORITHMS must include at least one algorithm (e.g. RS256)");
  }
  const bad = firstDisallowedAlgorithm(algorithms);
  if (bad !== undefined) {
    throw new ConfigError(
      `ARP_AUTH_ALGORITHMS: "${bad}" is not allowed; use asymmetric algorithms such as RS256`,
    );
  }
  return algorithms;
}

/**
 * Reads the inbound `ARP_AUTH_*` variables (ARP security profiles): profile presets,
 * `ARP_AUTH_MODE` overriding the profile, and the JWT checks.
 * @throws ConfigError naming the offending variable.
 */
export function parseArpInboundAuthEnv(env: Env): ArpInboundAuthConfig {
  const profile = readProfile(env);
  const mode = readMode(env, profile);
  const issuer =
    read(env, "ARP_AUTH_ISSUER") ??
    (profile === "dev-secure-keycloak" ? DEV_KEYCLOAK_ISSUER : undefined);
  const audience = read(env, "ARP_AUTH_AUDIENCE") ?? read(env, "ARP_AUTH_SERVICE_ID");
  if (profile === "dev-secure-keycloak" && mode !== "disabled" && audience === undefined) {
    throw new ConfigError(
      "ARP_AUTH_PROFILE=dev-secure-keycloak requires ARP_AUTH_AUDIENCE or ARP_AUTH_SERVICE_ID",
    );
  }
  const jwksUri = url(env, "ARP_AUTH_JWKS_URI");
  const oidcDiscoveryUrl = url(env, "ARP_AUTH_OIDC_DISCOVERY_URL");
  if (mode !== "disabled" && jwksUri === undefined && oidcDiscoveryUrl === undefined) {
    if (issuer === undefined) {
      throw new ConfigError(
        `ARP_AUTH_MODE=${mode} needs ARP_AUTH_JWKS_URI, ARP_AUTH_OIDC_DISCOVERY_URL or ARP_AUTH_ISSUER`,
      );
    }
    // Keys will come from the issuer's discovery document, so it must be fetchable.
    assertHttpUrl(issuer, "ARP_AUTH_ISSUER");
  }
  const exemptPaths = list(env, "ARP_AUTH_EXEMPT_PATHS") ?? [];
  return {
    profile,
    mode,
    issuer,
    audience,
    jwksUri,
    oidcDiscoveryUrl,
    algorithms: readAlgorithms(env),
    clockSkewSeconds: readClockSkew(env),
    exemptPaths: exemptPaths.length > 0 ? exemptPaths : [...DEFAULT_EXEMPT_PATHS],
    devSubject: read(env, "ARP_AUTH_DEV_SUBJECT") ?? "dev",
    anonymousSubject: read(env, "ARP_AUTH_ANONYMOUS_SUBJECT") ?? "anonymous",
  };
}

function readTimeoutMs(env: Env): number {
  const raw = read(env, "ARP_AUTH_TIMEOUT_SECS");
  if (raw === undefined) return 10_000;
  const seconds = /^\+?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw) ? Number(raw) : Number.NaN;
  if (!(seconds > 0 && Number.isFinite(seconds))) {
    throw new ConfigError("ARP_AUTH_TIMEOUT_SECS must be a positive number");
  }
  return Math.ceil(seconds * 1000);
}

/**
 * Reads the outbound STS variables used by the forwarding gateway (DESIGN-18):
 * `ARP_AUTH_CLIENT_ID`, `ARP_AUTH_CLIENT_SECRET`, `ARP_AUTH_TOKEN_ENDPOINT` (else
 * `<ARP_AUTH_ISSUER>/protocol/openid-connect/token`), `ARP_AUTH_TIMEOUT_SECS` (default 10).
 * @throws ConfigError naming the missing or malformed variable (never its value).
 */
export function parseArpOutboundAuthEnv(env: Env): ArpOutboundAuthConfig {
  const clientId = read(env, "ARP_AUTH_CLIENT_ID");
  if (clientId === undefined) throw new ConfigError("ARP_AUTH_CLIENT_ID is required");
  const clientSecret = read(env, "ARP_AUTH_CLIENT_SECRET");
  if (clientSecret === undefined) throw new ConfigError("ARP_AUTH_CLIENT_SECRET is required");
  const explicit = url(env, "ARP_AUTH_TOKEN_ENDPOINT");
  const issuer = read(env, "ARP_AUTH_ISSUER");
  if (explicit === undefined && issuer === undefined) {
    throw new ConfigError("ARP_AUTH_TOKEN_ENDPOINT or ARP_AUTH_ISSUER is required");
  }
  const tokenEndpoint =
    explicit ??
    assertHttpUrl(
      `${issuer?.replace(/\/+$/, "")}/protocol/openid-connect/token`,
      "ARP_AUTH_ISSUER",
    );
  return {
    clientId,
    clientSecret,
    tokenEndpoint,
    timeoutMs: readTimeoutMs(env),
    defaultAudience: read(env, "ARP_AUTH_AUDIENCE") ?? read(env, "ARP_AUTH_SERVICE_ID"),
  };
}

/** Inbound auth ready for use: the mode, the exempt paths and the authenticator. */
export interface ArpInboundAuth {
  mode: ArpAuthMode;
  /** Exact paths (no prefix match, no query string) that skip authentication. */
  exemptPaths: ReadonlySet<string>;
  /** JWT in `required`/`optional` mode; in `disabled` mode every caller is the dev subject. */
  authenticator: Authenticator;
  /** Who a header-less call is in `optional` mode. */
  anonymousPrincipal: Principal;
}

/**
 * Builds the inbound authenticator from parsed settings. JWKS discovery is lazy; call
 * `resolveJwksUri()` on a `JwtAuthenticator` to fail at startup instead.
 */
export function buildArpInboundAuth(
  config: ArpInboundAuthConfig,
  options: { fetchTimeoutMs?: number } = {},
): ArpInboundAuth {
  const authenticator =
    config.mode === "disabled"
      ? new NoneAuthenticator({ principalId: config.devSubject })
      : new JwtAuthenticator({
          algorithms: config.algorithms,
          clockToleranceSeconds: config.clockSkewSeconds,
          ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
          ...(config.audience === undefined ? {} : { audience: config.audience }),
          ...(config.jwksUri === undefined ? {} : { jwksUri: config.jwksUri }),
          ...(config.oidcDiscoveryUrl === undefined
            ? {}
            : { discoveryUrl: config.oidcDiscoveryUrl }),
          ...(options.fetchTimeoutMs === undefined
            ? {}
            : { fetchTimeoutMs: options.fetchTimeoutMs }),
        });
  return {
    mode: config.mode,
    exemptPaths: new Set(config.exemptPaths),
    authenticator,
    anonymousPrincipal: { id: config.anonymousSubject },
  };
}
