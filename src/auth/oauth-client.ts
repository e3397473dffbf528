/** Outbound OAuth 2.0 tokens for the forwarding gateway: client credentials and RFC 8693 exchange. */
import { createHash } from "node:crypto";
import { decodeJwt } from "jose";
import { TokenCache } from "./token-cache.js";

/** RFC 8693 §2.1 grant type. */
export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
/** RFC 8693 §3 token type of an OAuth access token. */
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

export type OAuthGrantKind = "exchange" | "client_credentials";

const FAILURE_PREFIX: Record<OAuthGrantKind, string> = {
  exchange: "Token exchange failed",
  client_credentials: "Client credentials token request failed",
};

/**
 * A failed token request (DESIGN-18). `status` is the STS's HTTP status when it answered,
 * else undefined (unreachable, timeout, unusable body); `oauthError` is its RFC 6749 §5.2
 * `error` code when one was given. Messages never hold tokens or secrets.
 */
export class OAuthError extends Error {
  readonly kind: OAuthGrantKind;
  readonly status: number | undefined;
  readonly oauthError: string | undefined;

  constructor(
    kind: OAuthGrantKind,
    detail: string,
    options: { status?: number; oauthError?: string; cause?: unknown } = {},
  ) {
    super(
      `${FAILURE_PREFIX[kind]}: ${detail}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "OAuthError";
    this.kind = kind;
    this.status = options.status;
    this.oauthError = options.oauthError;
  }
}

/** A token to send as `Authorization: Bearer`. */
export interface OutboundToken {
  accessToken: string;
  tokenType: string;
  /** Epoch ms at which the STS said it expires, when it said. */
  expiresAt: number | undefined;
}

/** Audience and scope of a requested token; `audience` defaults to the client's. */
export interface TokenRequest {
  audience?: string;
  scope?: string;
}

export interface OAuthClientOptions {
  tokenEndpoint: string;
  clientId: string;
  clientSecret: string;
  /** How the client authenticates; default `client_secret_post` (as ARP's `arp_auth`). */
  clientAuthMethod?: "client_secret_post" | "client_secret_basic";
  defaultAudience?: string;
  /** Per-request timeout, default 10 000 ms. */
  timeoutMs?: number;
  /** Tokens are reused until `expires_in` minus this many seconds (default 30). */
  cacheSkewSeconds?: number;
  /** Bound on cached tokens, default 1000. */
  cacheMaxEntries?: number;
  /** Clock in epoch ms, for tests. */
  now?: () => number;
  fetch?: typeof fetch;
}

interface Grant {
  kind: OAuthGrantKind;
  params: Record<string, string>;
  subjectToken: string | undefined;
}

const sha256 = (value: string): string => createHash("sha256").update(value).digest("base64url");

/** RFC 6749 §2.3.1: Basic credentials are form-encoded before base64. */
const formEncode = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2);

function safeErrorCode(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    const code = typeof parsed === "object" && parsed !== null ? Reflect.get(parsed, "error") : "";
    return typeof code === "string" && /^[A-Za-z0-9_.:-]{1,64}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

function parseExpiresIn(value: unknown): number | undefined {
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Epoch ms of a JWT subject token's `exp`, if it is a JWT with one. */
function subjectExpiry(subjectToken: string | undefined): number | undefined {
  if (subjectToken === undefined) return undefined;
  try {
    const { exp } = decodeJwt(subjectToken);
    return typeof exp === "number" ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Gets outbound access tokens from an STS (DESIGN-18, requirements arp-fwd-outbound-token,
 * arp-fwd-token-cache). Tokens are cached per (grant, audience, scope, SHA-256 of the subject
 * token) until `expires_in` minus the skew, and never past the subject token's own expiry;
 * identical concurrent requests share one STS call.
 */
export class OAuthClient {
  readonly #options: OAuthClientOptions;
  readonly #cache: TokenCache<OutboundToken>;
  readonly #now: () => number;
  readonly #skewMs: number;

  constructor(options: OAuthClientOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#skewMs = Math.max(0, options.cacheSkewSeconds ?? 30) * 1000;
    this.#cache = new TokenCache({ maxEntries: options.cacheMaxEntries ?? 1000, now: this.#now });
  }

  /** RFC 6749 §4.4 client-credentials grant. */
  clientCredentials(request: TokenRequest = {}): Promise<OutboundToken> {
    return this.#token(
      {
        kind: "client_credentials",
        params: { grant_type: "client_credentials" },
        subjectToken: undefined,
      },
      request,
    );
  }

  /** RFC 8693 token exchange of an access token for one for `audience`. */
  exchangeToken(subjectToken: string, request: TokenRequest = {}): Promise<OutboundToken> {
    const params = {
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      requested_token_type: ACCESS_TOKEN_TYPE,
    };
    return this.#token({ kind: "exchange", params, subjectToken }, request);
  }

  /** The forwarding gateway's rule: exchange the inbound token if there is one, else client credentials. */
  outboundToken(
    inboundToken: string | undefined,
    request: TokenRequest = {},
  ): Promise<OutboundToken> {
    return inboundToken === undefined
      ? this.clientCredentials(request)
      : this.exchangeToken(inboundToken, request);
  }

  #token(grant: Grant, request: TokenRequest): Promise<OutboundToken> {
    const audience = request.audience ?? this.#options.defaultAudience;
    const params = { ...grant.params };
    if (audience !== undefined) params.audience = audience;
    if (request.scope !== undefined) params.scope = request.scope;
    const key = JSON.stringify([
      grant.kind,
      audience ?? null,
      request.scope ?? null,
      grant.subjectToken === undefined ? null : sha256(grant.subjectToken),
    ]);
    return this.#cache.getOrLoad(key, async () => {
      const token = await this.#post(grant.kind, params);
      return { value: token, cacheUntil: this.#cacheUntil(token, grant.subjectToken) };
    });
  }

  #cacheUntil(token: OutboundToken, subjectToken: string | undefined): number | undefined {
    if (token.expiresAt === undefined) return undefined;
    const limits = [token.expiresAt, subjectExpiry(subjectToken) ?? Number.POSITIVE_INFINITY];
    return Math.min(...limits) - this.#skewMs;
  }

  async #post(kind: OAuthGrantKind, params: Record<string, string>): Promise<OutboundToken> {
    const { clientId, clientSecret } = this.#options;
    const headers: Record<string, string> = {
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
    };
    const form = new URLSearchParams(params);
    if (this.#options.clientAuthMethod === "client_secret_basic") {
      const credentials = `${formEncode(clientId)}:${formEncode(clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(credentials).toString("base64")}`;
    } else {
      form.set("client_id", clientId);
      form.set("client_secret", clientSecret);
    }
    let status: number;
    let body: string;
    try {
      const response = await (this.#options.fetch ?? fetch)(this.#options.tokenEndpoint, {
        method: "POST",
        headers,
        body: form,
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 10_000),
      });
      status = response.status;
      body = await response.text();
    } catch (err) {
      const timedOut = err instanceof Error && err.name === "TimeoutError";
      const detail = timedOut ? "token endpoint timed out" : "token endpoint unreachable";
      throw new OAuthError(kind, detail, { cause: err });
    }
    return this.#parse(kind, status, body);
  }

  #parse(kind: OAuthGrantKind, status: number, body: string): OutboundToken {
    if (status < 200 || status > 299) {
      const oauthError = safeErrorCode(body);
      const detail = `token endpoint answered HTTP ${status}${oauthError ? ` (${oauthError})` : ""}`;
      throw new OAuthError(kind, detail, { status, ...(oauthError ? { oauthError } : {}) });
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new OAuthError(kind, "token response is not JSON");
    }
    const record =
      typeof json === "object" && json !== null ? (json as Record<string, unknown>) : {};
    const accessToken = record.access_token;
    if (typeof accessToken !== "string" || accessToken === "") {
      throw new OAuthError(kind, "token response has no access_token");
    }
    const expiresIn = parseExpiresIn(record.expires_in);
    return {
      accessToken,
      tokenType: typeof record.token_type === "string" ? record.token_type : "Bearer",
      expiresAt: expiresIn === undefined ? undefined : this.#now() + expiresIn * 1000,
    };
  }
}
