/** Building the one authenticator that serves ARCP hellos and HTTP bearer headers (DESIGN-20). */
import type { Authenticator } from "../auth/authenticator.js";
import { BearerAuthenticator, parseBearerTokenSpec } from "../auth/bearer.js";
import { JwtAuthenticator } from "../auth/jwt.js";
import { NoneAuthenticator } from "../auth/none.js";
import { ConfigError } from "../protocol/errors.js";
import { booleanFlag, integerFlag } from "./flag-values.js";

export interface AuthOptions {
  auth?: string | undefined;
  token?: string[] | undefined;
  jwtIssuer?: string | undefined;
  jwtAudience?: string | undefined;
  jwksUrl?: string | undefined;
  jwtAlgorithms?: string | undefined;
  jwtClockSkew?: string | undefined;
  /** Opt out of the audience check (`--jwt-any-audience`). */
  jwtAnyAudience?: boolean | undefined;
  /** Opt out of the issuer check with `--jwks-url` (`--jwt-any-issuer`). */
  jwtAnyIssuer?: boolean | undefined;
}

export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Tokens from `--token` (repeatable) and `RUNPLANE_TOKENS` (comma-separated). */
export function tokenSpecs(options: AuthOptions, env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = (env["RUNPLANE_TOKENS"] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return [...(options.token ?? []), ...fromEnv];
}

/**
 * The JWT authenticator the flags describe (§6.1, DESIGN-20). Audience and issuer are checked
 * unless explicitly waived: a token minted for another service of the same issuer, or by
 * another issuer whose keys the JWKS happens to hold, must not open our door.
 * @throws ConfigError naming the missing or malformed flag.
 */
function buildJwtAuthenticator(options: AuthOptions, env: NodeJS.ProcessEnv): JwtAuthenticator {
  const opts: ConstructorParameters<typeof JwtAuthenticator>[0] = {};
  if (options.jwtIssuer !== undefined) opts.issuer = options.jwtIssuer;
  if (options.jwtAudience !== undefined) opts.audience = options.jwtAudience;
  if (options.jwksUrl !== undefined) opts.jwksUri = options.jwksUrl;
  if (options.jwtAlgorithms !== undefined)
    opts.algorithms = options.jwtAlgorithms.split(",").map((a) => a.trim());
  const skew = integerFlag(options.jwtClockSkew, "--jwt-clock-skew / RUNPLANE_JWT_CLOCK_SKEW", {
    min: 0,
    max: 3600,
  });
  if (skew !== undefined) opts.clockToleranceSeconds = skew;
  if (opts.issuer === undefined && opts.jwksUri === undefined) {
    throw new ConfigError("--auth jwt needs --jwt-issuer (for OIDC discovery) or --jwks-url");
  }
  const anyAudience = booleanFlag(options.jwtAnyAudience, "RUNPLANE_JWT_ANY_AUDIENCE", env);
  if (opts.audience === undefined && !anyAudience) {
    throw new ConfigError(
      "--auth jwt needs --jwt-audience (the aud this server expects); pass --jwt-any-audience to accept tokens minted for any audience",
    );
  }
  const anyIssuer = booleanFlag(options.jwtAnyIssuer, "RUNPLANE_JWT_ANY_ISSUER", env);
  if (opts.issuer === undefined && !anyIssuer) {
    throw new ConfigError(
      "--auth jwt with --jwks-url needs --jwt-issuer (the iss this server expects); pass --jwt-any-issuer to accept any issuer the JWKS signs for",
    );
  }
  return new JwtAuthenticator(opts);
}

export function buildAuthenticator(
  options: AuthOptions,
  host: string,
  warn: (msg: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Authenticator {
  const tokens = tokenSpecs(options, env);
  const kind =
    options.auth ??
    (tokens.length > 0 ? "bearer" : options.jwtIssuer || options.jwksUrl ? "jwt" : "none");
  switch (kind) {
    case "none":
      if (!isLoopbackHost(host)) {
        throw new ConfigError(
          `--auth none is allowed only on a loopback bind; ${host} is not loopback (use --token or --auth jwt)`,
        );
      }
      warn(
        "authentication is off (--auth none): any local client is accepted as principal 'anonymous'",
      );
      return new NoneAuthenticator();
    case "bearer":
      return new BearerAuthenticator(tokens.map(parseBearerTokenSpec));
    case "jwt":
      return buildJwtAuthenticator(options, env);
    default:
      throw new ConfigError(`--auth must be none, bearer or jwt, not "${kind}"`);
  }
}
