/** Building the one authenticator that serves ARCP hellos and HTTP bearer headers (DESIGN-20). */
import type { Authenticator } from "../auth/authenticator.js";
import { BearerAuthenticator, parseBearerTokenSpec } from "../auth/bearer.js";
import { JwtAuthenticator } from "../auth/jwt.js";
import { NoneAuthenticator } from "../auth/none.js";
import { ConfigError } from "../protocol/errors.js";

export interface AuthOptions {
  auth?: string | undefined;
  token?: string[] | undefined;
  jwtIssuer?: string | undefined;
  jwtAudience?: string | undefined;
  jwksUrl?: string | undefined;
  jwtAlgorithms?: string | undefined;
  jwtClockSkew?: string | undefined;
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

export function buildAuthenticator(
  options: AuthOptions,
  host: string,
  warn: (msg: string) => void,
): Authenticator {
  const tokens = tokenSpecs(options);
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
    case "jwt": {
      const opts: ConstructorParameters<typeof JwtAuthenticator>[0] = {};
      if (options.jwtIssuer !== undefined) opts.issuer = options.jwtIssuer;
      if (options.jwtAudience !== undefined) opts.audience = options.jwtAudience;
      if (options.jwksUrl !== undefined) opts.jwksUri = options.jwksUrl;
      if (options.jwtAlgorithms !== undefined)
        opts.algorithms = options.jwtAlgorithms.split(",").map((a) => a.trim());
      if (options.jwtClockSkew !== undefined)
        opts.clockToleranceSeconds = Number(options.jwtClockSkew);
      if (opts.issuer === undefined && opts.jwksUri === undefined) {
        throw new ConfigError("--auth jwt needs --jwt-issuer (for OIDC discovery) or --jwks-url");
      }
      return new JwtAuthenticator(opts);
    }
    default:
      throw new ConfigError(`--auth must be none, bearer or jwt, not "${kind}"`);
  }
}
