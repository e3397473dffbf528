/** A real in-process OIDC issuer/STS (oidc-provider 9) on loopback, with test-token minting. */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type CryptoKey,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from "jose";
import type {
  Adapter,
  AdapterPayload,
  ClientAuthMethod,
  Configuration,
  KoaContextWithOIDC,
  TokenEndpointGrantContext,
} from "oidc-provider";
import type { AuthError } from "../../src/auth/auth-error.js";

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
const AUDIENCE_RESOURCE = "urn:runplane-test:audience:";

type OidcProviderModule = typeof import("oidc-provider");
let providerModule: Promise<OidcProviderModule> | undefined;

/**
 * oidc-provider 9 warns "Unsupported runtime" on import under Node 20 although it works;
 * that one line is filtered while the module loads (once per process, hence memoised).
 */
function loadOidcProvider(): Promise<OidcProviderModule> {
  providerModule ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === "string" && args[0].includes("Unsupported runtime")) return;
      warn(...args);
    };
    try {
      return await import("oidc-provider");
    } finally {
      console.warn = warn;
    }
  })();
  return providerModule;
}

/** Claims and header overrides for minted test tokens. */
export interface MintOptions {
  sub?: string;
  aud?: string | string[];
  iss?: string;
  /** Seconds from now; negative for an already expired token. Default 300. */
  expiresIn?: number;
  claims?: Record<string, unknown>;
  /** Leave out `sub` altogether. */
  omitSub?: boolean;
}

export interface IssuerStats {
  /** Successful token responses per grant. */
  clientCredentials: number;
  tokenExchange: number;
  /** Token requests answered with an error, any grant. */
  failed: number;
}

export interface TestIssuer {
  issuer: string;
  jwksUri: string;
  discoveryUrl: string;
  tokenEndpoint: string;
  /** Audience minted tokens carry unless told otherwise. */
  audience: string;
  /** Confidential client authenticating with `client_secret_post`. */
  client: { id: string; secret: string };
  /** Same grants, `client_secret_basic`; the secret needs form-encoding. */
  basicClient: { id: string; secret: string };
  /** Valid RS256 token signed with the issuer's key. */
  mint(options?: MintOptions): Promise<string>;
  mintExpired(secondsAgo?: number, options?: MintOptions): Promise<string>;
  mintWrongIssuer(options?: MintOptions): Promise<string>;
  mintWrongAudience(options?: MintOptions): Promise<string>;
  /** Signed by a key the JWKS does not hold, under a `kid` it does not list. */
  mintUnknownKid(options?: MintOptions): Promise<string>;
  /** Unsecured JWT: `alg: none`, empty signature. */
  mintAlgNone(options?: MintOptions): Promise<string>;
  /** HS256 with the RSA public key (SPKI PEM) as HMAC secret: the algorithm-confusion forgery. */
  mintHs256WithPublicKey(options?: MintOptions): Promise<string>;
  readonly stats: IssuerStats;
  resetStats(): void;
  close(): Promise<void>;
}

export interface TestIssuerOptions {
  /** Default audience of minted tokens. Default `runplane-test`. */
  audience?: string;
  /** TTL in seconds of tokens the STS issues (both grants). Default 300. */
  accessTokenTtl?: number;
}

/** A token every JWT door must refuse, how to mint it, and the refusal it earns. */
export interface BadToken {
  what: string;
  mint(issuer: TestIssuer): Promise<string>;
  reason: AuthError["reason"];
  /** The AuthError message, which ARCP carries as the UNAUTHENTICATED message. */
  message: string;
}

/**
 * The six refusals issue 2 names: expired, wrong issuer, wrong audience, `alg: none`,
 * HS256 keyed with the RSA public key, unknown `kid`. Shared by the authenticator unit
 * tests and the over-the-wire hello tests so both try the same forgeries.
 */
export const BAD_TOKENS: readonly BadToken[] = [
  {
    what: "an expired token",
    mint: (i) => i.mintExpired(3600),
    reason: "expired",
    message: "Token expired",
  },
  {
    what: "a wrong issuer",
    mint: (i) => i.mintWrongIssuer(),
    reason: "invalid",
    message: "Invalid token issuer",
  },
  {
    what: "a wrong audience",
    mint: (i) => i.mintWrongAudience(),
    reason: "invalid",
    message: "Invalid token audience",
  },
  { what: "alg none", mint: (i) => i.mintAlgNone(), reason: "invalid", message: "Invalid token" },
  {
    what: "HS256 keyed with the RSA public key",
    mint: (i) => i.mintHs256WithPublicKey(),
    reason: "invalid",
    message: "Invalid token",
  },
  {
    what: "an unknown kid",
    mint: (i) => i.mintUnknownKid(),
    reason: "invalid",
    message: "Invalid token",
  },
];

interface Keys {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  privateJwk: JWK;
  kid: string;
}

async function rsaKeys(kid: string): Promise<Keys> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: "RS256", use: "sig" };
  return { privateKey, publicKey, privateJwk, kid };
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function audienceParam(ctx: KoaContextWithOIDC): string | undefined {
  const body = ctx.oidc.body as Record<string, unknown> | undefined;
  const audience = body?.audience;
  return typeof audience === "string" && audience !== "" ? audience : undefined;
}

/** Map-backed storage, one per provider; naming it keeps oidc-provider's dev-adapter warning away. */
function memoryAdapter(): (name: string) => Adapter {
  const store = new Map<string, AdapterPayload>();
  return (name) => {
    const key = (id: string) => `${name}:${id}`;
    const byField = async (field: "userCode" | "uid", value: string) =>
      [...store.values()].find((p) => p.kind === name && p[field] === value);
    return {
      upsert: async (id, payload) => void store.set(key(id), payload),
      find: async (id) => store.get(key(id)),
      findByUserCode: (userCode) => byField("userCode", userCode),
      findByUid: (uid) => byField("uid", uid),
      consume: async (id) => {
        const payload = store.get(key(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id) => void store.delete(key(id)),
      revokeByGrantId: async (grantId) => {
        for (const [k, p] of store) if (p.grantId === grantId) store.delete(k);
      },
    };
  };
}

interface ExchangeParams {
  subject_token?: string;
  subject_token_type?: string;
  requested_token_type?: string;
  audience?: string;
  scope?: string;
}

function providerConfiguration(
  errors: OidcProviderModule["errors"],
  keys: Keys,
  clients: Array<{ id: string; secret: string; method: ClientAuthMethod }>,
  ttl: number,
): Configuration {
  return {
    clients: clients.map(({ id, secret, method }) => ({
      client_id: id,
      client_secret: secret,
      grant_types: ["client_credentials", TOKEN_EXCHANGE],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: method,
    })),
    jwks: { keys: [keys.privateJwk] },
    adapter: memoryAdapter(),
    ttl: { ClientCredentials: ttl },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // STS clients (Keycloak, arp_auth) send `audience`; RFC 8707 wants a URI `resource`.
        defaultResource: (ctx) => {
          const audience = audienceParam(ctx);
          return audience === undefined
            ? undefined
            : AUDIENCE_RESOURCE + encodeURIComponent(audience);
        },
        getResourceServerInfo: (_ctx, resource) => {
          if (!resource.startsWith(AUDIENCE_RESOURCE)) throw new errors.InvalidTarget();
          return {
            audience: decodeURIComponent(resource.slice(AUDIENCE_RESOURCE.length)),
            scope: "runs:read runs:write",
            accessTokenFormat: "jwt",
            accessTokenTTL: ttl,
          };
        },
        useGrantedResource: () => true,
      },
    },
  };
}

/**
 * RFC 8693 token exchange, which oidc-provider lacks: verifies the subject token (ours,
 * unexpired) and mints an `at+jwt` for the requested audience, with `act` naming the client.
 */
function tokenExchangeHandler(
  errors: OidcProviderModule["errors"],
  keys: Keys,
  issuer: string,
  ttl: number,
): (ctx: TokenEndpointGrantContext<ExchangeParams>) => Promise<void> {
  return async (ctx) => {
    const { params, client } = ctx.oidc;
    if (params.subject_token_type !== ACCESS_TOKEN_TYPE) {
      throw new errors.InvalidRequest("unsupported subject_token_type");
    }
    if (
      params.requested_token_type !== undefined &&
      params.requested_token_type !== ACCESS_TOKEN_TYPE
    ) {
      throw new errors.InvalidRequest("unsupported requested_token_type");
    }
    if (!params.audience) throw new errors.InvalidTarget("audience is required");
    let subject: JWTPayload;
    try {
      ({ payload: subject } = await jwtVerify(params.subject_token ?? "", keys.publicKey, {
        issuer,
        algorithms: ["RS256"],
        requiredClaims: ["sub", "exp"],
      }));
    } catch {
      throw new errors.InvalidGrant("subject_token is invalid or expired");
    }
    const act = {
      sub: client.clientId,
      ...(subject.act === undefined ? {} : { act: subject.act }),
    };
    const accessToken = await new SignJWT({
      client_id: client.clientId,
      act,
      ...(params.scope ? { scope: params.scope } : {}),
    })
      .setProtectedHeader({ alg: "RS256", kid: keys.kid, typ: "at+jwt" })
      .setIssuer(issuer)
      .setSubject(subject.sub ?? "")
      .setAudience(params.audience)
      .setIssuedAt()
      .setExpirationTime(`${ttl}s`)
      .setJti(randomUUID())
      .sign(keys.privateKey);
    ctx.body = {
      access_token: accessToken,
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: "Bearer",
      expires_in: ttl,
    };
  };
}

type Minters = Pick<
  TestIssuer,
  | "mint"
  | "mintExpired"
  | "mintWrongIssuer"
  | "mintWrongAudience"
  | "mintUnknownKid"
  | "mintAlgNone"
  | "mintHs256WithPublicKey"
>;

async function minters(issuer: string, audience: string, keys: Keys): Promise<Minters> {
  const rogue = await rsaKeys("not-in-jwks");
  const publicPem = await exportSPKI(keys.publicKey);
  const sign = async (key: Keys, o: MintOptions = {}): Promise<string> =>
    new SignJWT(claimsFor(issuer, audience, o))
      .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "at+jwt" })
      .sign(key.privateKey);
  return {
    mint: (o) => sign(keys, o),
    mintExpired: (secondsAgo = 3600, o) => sign(keys, { ...o, expiresIn: -secondsAgo }),
    mintWrongIssuer: (o) => sign(keys, { ...o, iss: "https://issuer.invalid" }),
    mintWrongAudience: (o) => sign(keys, { ...o, aud: "someone-else" }),
    mintUnknownKid: (o) => sign(rogue, o),
    mintAlgNone: async (o) =>
      `${b64url({ alg: "none", typ: "JWT" })}.${b64url(claimsFor(issuer, audience, o))}.`,
    mintHs256WithPublicKey: (o) =>
      new SignJWT(claimsFor(issuer, audience, o))
        .setProtectedHeader({ alg: "HS256", kid: keys.kid, typ: "JWT" })
        .sign(new TextEncoder().encode(publicPem)),
  };
}

function countGrants(
  provider: InstanceType<OidcProviderModule["Provider"]>,
  stats: IssuerStats,
): void {
  provider.on("grant.success", (ctx: KoaContextWithOIDC) => {
    if (ctx.oidc.params?.grant_type === TOKEN_EXCHANGE) stats.tokenExchange++;
    else if (ctx.oidc.params?.grant_type === "client_credentials") stats.clientCredentials++;
  });
  provider.on("grant.error", () => {
    stats.failed++;
  });
}

/**
 * Starts the issuer on 127.0.0.1, port 0: RS256 signing key, two confidential clients allowed
 * client credentials and token exchange, JWT access tokens for the requested `audience`.
 */
export async function startTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const { Provider, errors } = await loadOidcProvider();
  const audience = options.audience ?? "runplane-test";
  const ttl = options.accessTokenTtl ?? 300;
  const keys = await rsaKeys("runplane-test-key");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = { id: "runplane-gateway", secret: "gateway-secret" };
  const basicClient = { id: "runplane-gateway-basic", secret: "s3cret: +/=&%" };
  const clients = [
    { ...client, method: "client_secret_post" as const },
    { ...basicClient, method: "client_secret_basic" as const },
  ];
  const provider = new Provider(issuer, providerConfiguration(errors, keys, clients, ttl));
  provider.registerGrantType(TOKEN_EXCHANGE, tokenExchangeHandler(errors, keys, issuer, ttl), [
    "subject_token",
    "subject_token_type",
    "requested_token_type",
    "audience",
    "scope",
  ]);
  const stats: IssuerStats = { clientCredentials: 0, tokenExchange: 0, failed: 0 };
  countGrants(provider, stats);
  server.on("request", provider.callback());
  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    tokenEndpoint: `${issuer}/token`,
    audience,
    client,
    basicClient,
    ...(await minters(issuer, audience, keys)),
    stats,
    resetStats: () => Object.assign(stats, { clientCredentials: 0, tokenExchange: 0, failed: 0 }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function claimsFor(issuer: string, audience: string, o: MintOptions = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  const exp = now + (o.expiresIn ?? 300);
  return {
    iss: o.iss ?? issuer,
    ...(o.omitSub ? {} : { sub: o.sub ?? "alice" }),
    aud: o.aud ?? audience,
    iat: exp > now ? now : exp - 300,
    exp,
    jti: randomUUID(),
    ...o.claims,
  };
}
