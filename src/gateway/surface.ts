/**
 * The ARP v1 HTTP surface shared by `runplane serve` and `runplane gateway`: the routes under
 * `/v1`, bearer authentication, request validation, and an `ErrorEnvelope` on every failure.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import type { ArpInboundAuth } from "../auth/arp-auth-config.js";
import type { Principal } from "../auth/authenticator.js";
import { authorizeArpRequest, parseAuthorizationHeader } from "../auth/http-bearer.js";
import type { Logger } from "../runtime/logger.js";
import { type BrowserGuard, createBrowserGuard } from "../transport/browser-guard.js";
import {
  ArpHttpError,
  badRequest,
  forbidden,
  internal,
  methodNotAllowed,
  payloadTooLarge,
  routeNotFound,
  toErrorResponse,
  validationFailed,
} from "./arp-error.js";
import { ARP_ROUTES, openApiDocument } from "./openapi.js";
import { type RunStartRequest, RunStartRequestSchema } from "./schemas/index.js";

/** Who is calling: the authenticated principal and the raw bearer token (for token exchange). */
export interface ArpCaller {
  principal: Principal;
  token: string | undefined;
}

/** A JSON answer already serialised: status, body and extra headers. */
export interface JsonAnswer {
  status: number;
  body: string;
  headers?: Readonly<Record<string, string>>;
}

/** The `?include=` of the events route: `includeAll` for `all`, `rawQuery` to forward as is. */
export interface EventsQuery {
  includeAll: boolean;
  rawQuery: string;
}

/** What serves the run routes: the embedded coordinator or the forwarding gateway. */
export interface ArpHandlers {
  health(): Promise<JsonAnswer>;
  version(): JsonAnswer;
  startRun(caller: ArpCaller, body: RunStartRequest, http: FastifyRequest): Promise<JsonAnswer>;
  getRun(caller: ArpCaller, runId: string): Promise<JsonAnswer>;
  cancelRun(caller: ArpCaller, runId: string): Promise<JsonAnswer>;
  /** Answers JSON (a failure before streaming), or takes the reply over and streams NDJSON. */
  streamEvents(
    caller: ArpCaller,
    runId: string,
    query: EventsQuery,
    reply: FastifyReply,
  ): Promise<JsonAnswer | undefined>;
}

export interface ArpSurfaceOptions {
  auth: ArpInboundAuth;
  handlers: ArpHandlers;
  logger: Logger;
  /** Largest accepted request body in bytes (default 1 MiB); larger ones get 413. */
  bodyLimit?: number;
  /** Refuses (403) browser pages not invited; by default any request with `Origin` or cross-site. */
  browserGuard?: BrowserGuard;
}

/**
 * A 200 answer whose body is checked against its ARP schema first: something we would emit
 * that breaks the contract is our fault, so it becomes a 500, never a 400
 * (requirement arp-schema-all-emitted-valid).
 */
export function jsonAnswer<T>(schema: z.ZodType<T>, value: T, status = 200): JsonAnswer {
  const checked = schema.safeParse(value);
  if (!checked.success)
    throw internal(new Error(`emitted body breaks its ARP schema: ${checked.error.message}`));
  return { status, body: JSON.stringify(value) };
}

/** The methods each ARP path template serves, for 405 answers with `Allow`. */
const ROUTE_METHODS: readonly { pattern: RegExp; method: string }[] = ARP_ROUTES.map((route) => ({
  pattern: new RegExp(`^${route.path.replace(/[.]/g, "\\.").replace("{run_id}", "[^/]+")}$`),
  method: route.method,
}));

function allowedMethods(path: string): string[] {
  const methods = new Set(ROUTE_METHODS.filter((r) => r.pattern.test(path)).map((r) => r.method));
  return [...methods].sort();
}

const pathOf = (url: string): string => url.split("?", 1)[0] ?? "";

function send(reply: FastifyReply, answer: JsonAnswer): FastifyReply {
  // As bytes, so fastify leaves the type exactly `application/json` (no `; charset=utf-8`),
  // which the ARP conformance checker expects (arp-surface-json-type).
  return reply
    .code(answer.status)
    .headers(answer.headers ?? {})
    .type("application/json")
    .send(Buffer.from(answer.body, "utf8"));
}

function sendError(reply: FastifyReply, err: unknown, logger: Logger): FastifyReply {
  const runId = (reply.request.params as { run_id?: unknown } | undefined)?.run_id;
  const answer = toErrorResponse(err, typeof runId === "string" ? { runId } : {});
  if (answer.status >= 500)
    logger.error({ err, url: pathOf(reply.request.url) }, "ARP request failed");
  return send(reply, {
    status: answer.status,
    headers: answer.headers,
    body: JSON.stringify(answer.body),
  });
}

/** Reads and discards a body nobody needs (cancel), refusing it past `limit` bytes. */
function discardBody(limit: number) {
  return (
    _req: FastifyRequest,
    payload: NodeJS.ReadableStream,
    done: (err: Error | null, body?: unknown) => void,
  ) => {
    let seen = 0;
    payload.on("data", (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > limit) {
        payload.removeAllListeners("data");
        done(payloadTooLarge(limit));
      }
    });
    payload.on("end", () => {
      if (seen <= limit) done(null, undefined);
    });
    payload.on("error", (err: Error) => done(err));
  };
}

function eventsQuery(http: FastifyRequest): EventsQuery {
  const include = (http.query as Record<string, unknown> | undefined)?.include;
  if (include !== undefined && include !== "all") {
    throw badRequest("Request validation failed", {
      errors: [
        {
          path: "$.query.include",
          code: "invalid_value",
          message: "include must be 'all' when given",
        },
      ],
    });
  }
  const at = http.url.indexOf("?");
  return { includeAll: include === "all", rawQuery: at === -1 ? "" : http.url.slice(at) };
}

type Scope = FastifyInstance;
type CallerOf = (http: FastifyRequest) => ArpCaller;

/** 404 or 405 with `Allow` for what no route serves, and the envelope for every thrown error. */
function installErrorHandling(v1: Scope, logger: Logger): void {
  v1.setErrorHandler((err, _http, reply) => sendError(reply, err, logger));
  v1.setNotFoundHandler((http, reply) => {
    const path = pathOf(http.url);
    const allowed = allowedMethods(path);
    const err =
      allowed.length > 0
        ? methodNotAllowed(http.method, path, allowed)
        : routeNotFound(http.method, path);
    return sendError(reply, err, logger);
  });
}

/** Browser pages not invited are refused before anything else (DESIGN-20). */
function installBrowserGuard(v1: Scope, guard: BrowserGuard): void {
  v1.addHook("onRequest", async (http) => {
    const refusal = guard.checkRequest(http.headers);
    if (refusal !== undefined) throw forbidden(refusal);
  });
}

/** Bearer authentication before any body is read; the caller is remembered per request. */
function installAuth(
  v1: Scope,
  auth: ArpInboundAuth,
  callers: WeakMap<FastifyRequest, ArpCaller>,
): void {
  v1.addHook("onRequest", async (http) => {
    if (http.is404) return;
    const decision = await authorizeArpRequest(auth, pathOf(http.url), http.headers.authorization);
    if (!decision.ok) {
      const { message, wwwAuthenticate } = decision.unauthorized;
      throw new ArpHttpError(401, "unauthorized", message, {
        headers: { "WWW-Authenticate": wwwAuthenticate },
      });
    }
    const header = parseAuthorizationHeader(http.headers.authorization);
    callers.set(http, {
      principal: decision.principal ?? auth.anonymousPrincipal,
      token: header.kind === "bearer" ? header.token : undefined,
    });
  });
}

const ROUTE = { exposeHeadRoute: false } as const;
const runIdOf = (http: FastifyRequest): string => (http.params as { run_id: string }).run_id;

function installRoutes(
  v1: Scope,
  handlers: ArpHandlers,
  callerOf: CallerOf,
  bodyLimit: number,
): void {
  const openapiJson = JSON.stringify(openApiDocument());
  v1.get("/health", ROUTE, async (_http, reply) => send(reply, await handlers.health()));
  v1.get("/version", ROUTE, async (_http, reply) => send(reply, handlers.version()));
  v1.get("/openapi.json", ROUTE, async (_http, reply) =>
    send(reply, { status: 200, body: openapiJson }),
  );
  v1.post("/runs", { ...ROUTE, bodyLimit }, async (http, reply) => {
    const parsed = RunStartRequestSchema.safeParse(http.body);
    if (!parsed.success) throw validationFailed(parsed.error.issues);
    return send(reply, await handlers.startRun(callerOf(http), parsed.data, http));
  });
  v1.get("/runs/:run_id", ROUTE, async (http, reply) =>
    send(reply, await handlers.getRun(callerOf(http), runIdOf(http))),
  );
  v1.get("/runs/:run_id/events", ROUTE, async (http, reply) => {
    const query = eventsQuery(http);
    const answer = await handlers.streamEvents(callerOf(http), runIdOf(http), query, reply);
    return answer === undefined ? reply : send(reply, answer);
  });
  v1.register((cancelScope, _options, done) => {
    // ARP defines no cancel body: none is needed, and a JSON one is read and ignored. Any other
    // type is 415, so a cross-site form (text/plain, urlencoded) cannot cancel.
    cancelScope.removeAllContentTypeParsers();
    cancelScope.addContentTypeParser("application/json", discardBody(bodyLimit));
    cancelScope.post("/runs/:run_id(^[^/]+)::cancel", ROUTE, async (http, reply) =>
      send(reply, await handlers.cancelRun(callerOf(http), runIdOf(http))),
    );
    done();
  });
}

/**
 * Registers the ARP routes under `/v1` on `app` (requirement arp-surface-required-routes):
 * health, version and openapi.json, and the four run routes behind
 * {@link authorizeArpRequest}, all behind the browser guard (403 for pages not invited,
 * DESIGN-20). Unknown paths answer 404, known paths with another method 405 with `Allow`,
 * and every failure the `ErrorEnvelope` (arp-error-all-paths).
 */
export async function registerArpSurface(
  app: FastifyInstance,
  options: ArpSurfaceOptions,
): Promise<void> {
  const { auth, handlers, logger } = options;
  const callers = new WeakMap<FastifyRequest, ArpCaller>();
  const callerOf: CallerOf = (http) =>
    callers.get(http) ?? { principal: auth.anonymousPrincipal, token: undefined };
  await app.register(
    (v1, _options, done) => {
      installErrorHandling(v1, logger);
      installBrowserGuard(v1, options.browserGuard ?? createBrowserGuard({}));
      // Only JSON bodies: text/plain would otherwise reach validation as a string.
      v1.removeContentTypeParser("text/plain");
      installAuth(v1, auth, callers);
      installRoutes(v1, handlers, callerOf, options.bodyLimit ?? 1024 * 1024);
      done();
    },
    { prefix: "/v1" },
  );
}
