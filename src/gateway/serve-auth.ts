/**
 * Authentication of `runplane serve`'s ARP door (DESIGN-20, DESIGN-27): one authenticator for
 * ARCP hellos and HTTP bearer headers, with the `ARP_AUTH_*` variables layered on top.
 */
import {
  type ArpAuthMode,
  type ArpInboundAuth,
  buildArpInboundAuth,
  type Env,
  parseArpInboundAuthEnv,
} from "../auth/arp-auth-config.js";
import type { Authenticator } from "../auth/authenticator.js";
import { ConfigError } from "../protocol/errors.js";

/** Paths open without credentials when `ARP_AUTH_EXEMPT_PATHS` is not set. */
export const SERVE_EXEMPT_PATHS = ["/v1/health", "/v1/version", "/v1/openapi.json"] as const;

/** The principal of a call without credentials when authentication is off (ARCP `none` uses it too). */
export const ANONYMOUS_PRINCIPAL = "anonymous";

/** `ARP_AUTH_*` variables that configure a JWT validator rather than the door's policy. */
const VALIDATOR_VARIABLES = [
  "ARP_AUTH_ISSUER",
  "ARP_AUTH_AUDIENCE",
  "ARP_AUTH_SERVICE_ID",
  "ARP_AUTH_JWKS_URI",
  "ARP_AUTH_OIDC_DISCOVERY_URL",
  "ARP_AUTH_ALGORITHMS",
  "ARP_AUTH_CLOCK_SKEW_SECONDS",
] as const;

export interface ServeArpAuthInput {
  env: Env;
  host: string;
  /** True when any ARCP auth flag or variable (`--auth`, `--token`, `--jwt-*`) was given. */
  arcpAuthGiven: boolean;
  /** Builds the authenticator the ARCP flags describe (refuses `none` off loopback). */
  buildArcpAuthenticator: () => Authenticator;
  isLoopback: (host: string) => boolean;
}

/** The runtime's one authenticator and the ARP door's policy around it. */
export interface ServeArpAuth {
  authenticator: Authenticator;
  inbound: ArpInboundAuth;
}

const isSet = (env: Env, name: string): boolean => (env[name]?.trim() ?? "") !== "";

/** True when any `ARP_AUTH_*` variable has a value. */
export function hasArpAuthEnv(env: Env): boolean {
  return Object.keys(env).some((name) => name.startsWith("ARP_AUTH_") && isSet(env, name));
}

function exemptPaths(env: Env, parsed: readonly string[]): Set<string> {
  return new Set(isSet(env, "ARP_AUTH_EXEMPT_PATHS") ? parsed : SERVE_EXEMPT_PATHS);
}

function door(
  env: Env,
  authenticator: Authenticator,
  mode: ArpAuthMode,
  parsed: { exemptPaths: string[]; anonymousSubject: string },
): ArpInboundAuth {
  const exempt = [...exemptPaths(env, parsed.exemptPaths)];
  if (mode === "disabled") {
    // The kit's disabled door admits everyone as the dev subject; on serve that defaults to
    // ARCP `none`'s principal, so runs started over HTTP show over ARCP too.
    const devSubject = env.ARP_AUTH_DEV_SUBJECT?.trim() || ANONYMOUS_PRINCIPAL;
    const base = parseArpInboundAuthEnv({ ARP_AUTH_MODE: "disabled" });
    return buildArpInboundAuth({
      ...base,
      exemptPaths: exempt,
      devSubject,
      anonymousSubject: parsed.anonymousSubject,
    });
  }
  return {
    mode,
    exemptPaths: new Set(exempt),
    authenticator,
    anonymousPrincipal: { id: parsed.anonymousSubject },
  };
}

/** ARCP flags chose the authenticator: `ARP_AUTH_*` may only set the door's mode, exempt paths and subjects. */
function withArcpAuthenticator(input: ServeArpAuthInput): ServeArpAuth {
  const { env } = input;
  const clash = VALIDATOR_VARIABLES.filter((name) => isSet(env, name));
  const keycloak = /keycloak|dev-secure/i.test(env.ARP_AUTH_PROFILE ?? "");
  if (clash.length > 0 || keycloak) {
    throw new ConfigError(
      `${[...clash, ...(keycloak ? ["ARP_AUTH_PROFILE"] : [])].join(", ")} configure a JWT validator, but --auth/--token/--jwt-* already choose the authenticator that ARCP and ARP share; use one or the other`,
    );
  }
  const authenticator = input.buildArcpAuthenticator();
  // The key source is the ARCP authenticator's business; the placeholder only satisfies the parser.
  const parsed = parseArpInboundAuthEnv({
    ...env,
    ARP_AUTH_JWKS_URI: "http://unused.invalid/jwks",
  });
  const explicitMode = isSet(env, "ARP_AUTH_MODE") || isSet(env, "ARP_AUTH_PROFILE");
  const mode: ArpAuthMode = explicitMode
    ? parsed.mode
    : authenticator.kind === "none"
      ? "disabled"
      : "required";
  if (authenticator.kind === "none" && mode !== "disabled") {
    throw new ConfigError(
      `ARP_AUTH_MODE=${mode} needs a real authenticator; start serve with --token or --auth jwt`,
    );
  }
  return { authenticator, inbound: door(env, authenticator, mode, parsed) };
}

/**
 * A door that admits calls without credentials (`disabled`: everyone is the dev subject;
 * `optional`: a header-less call is the anonymous subject) only on a loopback bind, exactly
 * like `--auth none` (DESIGN-20).
 * @throws ConfigError naming the mode and the bind.
 */
export function assertDoorFitsBind(
  mode: ArpAuthMode,
  host: string,
  isLoopback: (host: string) => boolean,
): void {
  if (mode === "required" || isLoopback(host)) return;
  const what =
    mode === "disabled"
      ? "ARP authentication is off (ARP_AUTH_MODE=disabled or --auth none)"
      : "ARP_AUTH_MODE=optional admits calls without a token";
  throw new ConfigError(
    `${what}, which is allowed only on a loopback bind; ${host} is not loopback`,
  );
}

/**
 * Decides both doors' authentication for `runplane serve`:
 * - without `ARP_AUTH_*`, the ARCP flags' authenticator serves HTTP too (mode `required`, or
 *   `disabled` as principal `anonymous` for `--auth none`);
 * - with `ARP_AUTH_*` and no ARCP auth flag, the variables build the JWT validator and it
 *   serves ARCP hellos as well (mode `disabled` leaves ARCP on `none`);
 * - with both, the flags choose the authenticator and the variables may only set the mode,
 *   exempt paths and subjects; validator variables alongside the flags are a startup error.
 * Health, version and openapi.json are open unless `ARP_AUTH_EXEMPT_PATHS` says otherwise;
 * `disabled` and `optional` are refused off loopback (DESIGN-20).
 * @throws ConfigError naming the offending flag or variable.
 */
export function resolveServeArpAuth(input: ServeArpAuthInput): ServeArpAuth {
  const { env } = input;
  let resolved: ServeArpAuth;
  if (!hasArpAuthEnv(env)) {
    const authenticator = input.buildArcpAuthenticator();
    const mode: ArpAuthMode = authenticator.kind === "none" ? "disabled" : "required";
    resolved = {
      authenticator,
      inbound: door(env, authenticator, mode, {
        exemptPaths: [],
        anonymousSubject: ANONYMOUS_PRINCIPAL,
      }),
    };
  } else if (input.arcpAuthGiven) {
    resolved = withArcpAuthenticator(input);
  } else {
    const parsed = parseArpInboundAuthEnv(env);
    const authenticator =
      parsed.mode === "disabled"
        ? input.buildArcpAuthenticator()
        : buildArpInboundAuth(parsed).authenticator;
    resolved = { authenticator, inbound: door(env, authenticator, parsed.mode, parsed) };
  }
  assertDoorFitsBind(resolved.inbound.mode, input.host, input.isLoopback);
  return resolved;
}
