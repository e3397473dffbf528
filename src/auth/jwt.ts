/** JWT authenticator: jose `jwtVerify` against a remote JWKS found directly or by OIDC discovery. */
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from "jose";
import { ConfigError } from "../protocol/errors.js";
import { AuthError } from "./auth-error.js";
import { type Authenticator, isMissingToken, type Principal } from "./authenticator.js";

/**
 * Asymmetric JWS algorithms a JWKS-backed verifier may allow. `none` and every `HS*` are
 * absent on purpose: with public keys from a JWKS, an HMAC "key" is public knowledge.
 */
export const JWT_ALGORITHMS: readonly string[] = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];

/** Returns the first entry that is not an allowed asymmetric algorithm, or undefined. */
export function firstDisallowedAlgorithm(algorithms: readonly string[]): string | undefined {
  return algorithms.find((alg) => !JWT_ALGORITHMS.includes(alg));
}

/** Settings for {@link JwtAuthenticator}; keys come from `jwksUri`, else `discoveryUrl`, else `issuer`. */
export interface JwtAuthenticatorOptions {
  /** Expected `iss`; unset means `iss` is not checked (as the ARP kit does). */
  issuer?: string;
  /** Expected `aud` (any of them); unset means `aud` is not checked. */
  audience?: string | readonly string[];
  /** Allow-list, default `["RS256"]`; only entries of {@link JWT_ALGORITHMS}. */
  algorithms?: readonly string[];
  /** Leeway for `exp`/`nbf` in seconds, default 60. */
  clockToleranceSeconds?: number;
  jwksUri?: string;
  /** OIDC discovery document; defaults to `<issuer>/.well-known/openid-configuration`. */
  discoveryUrl?: string;
  /** Timeout of each discovery and JWKS fetch in milliseconds, default 5000. */
  fetchTimeoutMs?: number;
}

type KeySource = { kind: "jwks"; url: URL } | { kind: "discovery"; url: URL };

function httpUrl(value: string, what: string): URL {
  const url = URL.parse(value);
  if (url === null || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new ConfigError(`${what} must be an http(s) URL`);
  }
  return url;
}

function keySource(options: JwtAuthenticatorOptions): KeySource {
  if (options.jwksUri !== undefined) {
    return { kind: "jwks", url: httpUrl(options.jwksUri, "JWKS URI") };
  }
  if (options.discoveryUrl !== undefined) {
    return { kind: "discovery", url: httpUrl(options.discoveryUrl, "OIDC discovery URL") };
  }
  if (options.issuer !== undefined) {
    const base = options.issuer.replace(/\/+$/, "");
    return {
      kind: "discovery",
      url: httpUrl(`${base}/.well-known/openid-configuration`, "issuer"),
    };
  }
  throw new ConfigError("JWT authentication needs a JWKS URI, an OIDC discovery URL or an issuer");
}

/** Raised inside key resolution so that it maps to "Unable to fetch JWKS". */
class JwksUnavailable extends Error {
  constructor(cause: unknown) {
    super("Unable to fetch JWKS", { cause });
    this.name = "JwksUnavailable";
  }
}

async function discoverJwksUri(discovery: URL, timeoutMs: number): Promise<URL> {
  const response = await fetch(discovery, {
    headers: { accept: "application/json" },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (response.status !== 200) {
    throw new Error(`OIDC discovery at ${discovery.href} answered HTTP ${response.status}`);
  }
  const document: unknown = await response.json();
  const jwksUri =
    typeof document === "object" && document !== null && "jwks_uri" in document
      ? document.jwks_uri
      : undefined;
  if (typeof jwksUri !== "string" || jwksUri.trim() === "") {
    throw new Error(`OIDC discovery document at ${discovery.href} has no jwks_uri`);
  }
  return httpUrl(jwksUri, "discovered jwks_uri");
}

/** Errors from fetching the key set, as opposed to a token naming a key the set lacks. */
function isFetchFailure(err: unknown): boolean {
  if (!(err instanceof errors.JOSEError)) return true;
  return (
    err instanceof errors.JWKSTimeout ||
    err instanceof errors.JWKSInvalid ||
    err.code === errors.JOSEError.code
  );
}

function toAuthError(err: unknown): AuthError {
  if (err instanceof AuthError) return err;
  if (err instanceof JwksUnavailable) return new AuthError("invalid", err.message, { cause: err });
  if (err instanceof errors.JWTExpired) return new AuthError("expired", "Token expired");
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "aud") return new AuthError("invalid", "Invalid token audience");
    if (err.claim === "iss") return new AuthError("invalid", "Invalid token issuer");
  }
  // No cause attached: jose claim errors carry the token's payload.
  return new AuthError("invalid", "Invalid token");
}

/**
 * Verifies JWT bearer tokens (§6.1, DESIGN-20; ARP security profiles): signature against the
 * issuer's JWKS, allowed algorithm, `exp`/`nbf` within the leeway, `iss` and `aud` when
 * configured; `sub` and `exp` are required and `sub` becomes the principal id.
 * OIDC discovery runs lazily on the first token and is retried on a later call if it failed.
 */
export class JwtAuthenticator implements Authenticator {
  readonly kind = "jwt";
  readonly #source: KeySource;
  readonly #algorithms: string[];
  readonly #clockTolerance: number;
  readonly #timeoutMs: number;
  readonly #issuer: string | undefined;
  readonly #audience: string | string[] | undefined;
  #keySet: Promise<JWTVerifyGetKey> | undefined;

  constructor(options: JwtAuthenticatorOptions) {
    this.#source = keySource(options);
    this.#algorithms = [...(options.algorithms ?? ["RS256"])];
    const bad = firstDisallowedAlgorithm(this.#algorithms);
    if (this.#algorithms.length === 0 || bad !== undefined) {
      throw new ConfigError(
        `JWT algorithms must be a non-empty list of ${JWT_ALGORITHMS.join(", ")}` +
          (bad === undefined ? "" : `; "${bad}" is not allowed`),
      );
    }
    this.#clockTolerance = options.clockToleranceSeconds ?? 60;
    if (!Number.isFinite(this.#clockTolerance) || this.#clockTolerance < 0) {
      throw new ConfigError("JWT clock tolerance must be a non-negative number of seconds");
    }
    this.#timeoutMs = options.fetchTimeoutMs ?? 5000;
    if (!Number.isInteger(this.#timeoutMs) || this.#timeoutMs <= 0) {
      throw new ConfigError("JWKS fetch timeout must be a positive whole number of milliseconds");
    }
    this.#issuer = options.issuer;
    const audience = options.audience;
    this.#audience = typeof audience === "string" ? audience : audience && [...audience];
  }

  /** Resolves the JWKS URI now (running discovery if configured); for startup checks. */
  async resolveJwksUri(): Promise<URL> {
    if (this.#source.kind === "jwks") return this.#source.url;
    return discoverJwksUri(this.#source.url, this.#timeoutMs);
  }

  async authenticate(token: string | undefined): Promise<Principal> {
    if (token === undefined || isMissingToken(token)) throw new AuthError("missing");
    try {
      const { payload } = await jwtVerify(token, this.#getKey, {
        algorithms: this.#algorithms,
        clockTolerance: this.#clockTolerance,
        requiredClaims: ["sub", "exp"],
        ...(this.#issuer === undefined ? {} : { issuer: this.#issuer }),
        ...(this.#audience === undefined ? {} : { audience: this.#audience }),
      });
      if (typeof payload.sub !== "string" || payload.sub === "") throw new AuthError("invalid");
      return { id: payload.sub, claims: { ...payload } };
    } catch (err) {
      throw toAuthError(err);
    }
  }

  readonly #getKey: JWTVerifyGetKey = async (header, token) => {
    const keySet = await this.#loadKeySet();
    try {
      return await keySet(header, token);
    } catch (err) {
      throw isFetchFailure(err) ? new JwksUnavailable(err) : err;
    }
  };

  #loadKeySet(): Promise<JWTVerifyGetKey> {
    this.#keySet ??= this.resolveJwksUri().then(
      (url) => createRemoteJWKSet(url, { timeoutDuration: this.#timeoutMs }),
      (err: unknown) => {
        // Forget the failure so the next token retries discovery.
        this.#keySet = undefined;
        throw new JwksUnavailable(err);
      },
    );
    return this.#keySet;
  }
}
