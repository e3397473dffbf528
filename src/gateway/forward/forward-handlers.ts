/**
 * The forwarding gateway's run routes (DESIGN-18, DESIGN-27): each call goes one-to-one to the
 * coordinator with an exchanged token; coordinator bodies pass through as they are.
 */
import type { IncomingMessage } from "node:http";
import type { FastifyReply } from "fastify";
import type { Env } from "../../auth/arp-auth-config.js";
import { type OAuthClient, OAuthError } from "../../auth/oauth-client.js";
import type { Logger } from "../../runtime/logger.js";
import { ArpHttpError, badRequest } from "../arp-error.js";
import { NDJSON_TYPE, NdjsonWriter } from "../ndjson-writer.js";
import { isDotSegment } from "../run-mapping.js";
import {
  ErrorEnvelopeSchema,
  type HealthCheck,
  HealthSchema,
  RunSchema,
  type RunStartRequest,
  VersionInfoSchema,
} from "../schemas/index.js";
import { versionInfo } from "../service-info.js";
import {
  type ArpCaller,
  type ArpHandlers,
  type EventsQuery,
  type JsonAnswer,
  jsonAnswer,
} from "../surface.js";
import type { CoordinatorClient, UpstreamReply } from "./coordinator-client.js";

export interface ForwardingOptions {
  client: CoordinatorClient;
  /** STS client; without one, calls are forwarded with no `Authorization`. */
  tokens: OAuthClient | undefined;
  /** Audience of outbound tokens (`JARVIS_RUN_COORDINATOR_AUDIENCE`). */
  audience: string;
  logger: Logger;
  env: Env;
}

/**
 * An STS failure as the ARP error JARVIS gives (arp-fwd-upstream-failure): `token_exchange_failed`
 * or `token_request_failed`, with the STS's 4xx status, else 502. A 401 from the STS means the
 * gateway's own client credentials were refused, which is not the caller's fault: 502.
 */
export function tokenFailure(err: OAuthError): ArpHttpError {
  const exchange = err.kind === "exchange";
  const status =
    err.status !== undefined && err.status >= 400 && err.status < 500 && err.status !== 401
      ? err.status
      : 502;
  return new ArpHttpError(
    status,
    exchange ? "token_exchange_failed" : "token_request_failed",
    exchange ? "Token exchange failed" : "Client credentials token request failed",
    {
      retryable: status === 502,
      ...(err.oauthError === undefined ? {} : { details: { oauth_error: err.oauthError } }),
    },
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isEnvelopeLike(value: unknown): boolean {
  const error = (value as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return typeof error?.code === "string" && typeof error.message === "string";
}

/**
 * The coordinator path of a run. `.` and `..` are refused: `encodeURIComponent` leaves dots
 * alone, so they would become dot segments and reach another upstream route.
 * @throws ArpHttpError 400 `invalid_request` for a dot-segment run id.
 */
function runPath(runId: string): string {
  if (isDotSegment(runId)) {
    throw badRequest("Request validation failed", {
      errors: [
        { path: "$.path.run_id", code: "invalid_value", message: 'must not be "." or ".."' },
      ],
    });
  }
  return `/v1/runs/${encodeURIComponent(runId)}`;
}

const UPSTREAM_401_CHALLENGE =
  'Bearer error="invalid_token", error_description="Run Coordinator refused the request"';

/** The {@link ArpHandlers} of `runplane gateway`: one coordinator call per request (arp-fwd-routes). */
export class ForwardingGateway implements ArpHandlers {
  readonly #options: ForwardingOptions;
  readonly #client: CoordinatorClient;
  readonly #logger: Logger;
  readonly #version: JsonAnswer;

  constructor(options: ForwardingOptions) {
    this.#options = options;
    this.#client = options.client;
    this.#logger = options.logger;
    this.#version = jsonAnswer(VersionInfoSchema, versionInfo("runplane-gateway", options.env));
  }

  /** Health with a `run_coordinator` check: `degraded`, not an error, when it is in trouble. */
  async health(): Promise<JsonAnswer> {
    const probe = await this.#client.health();
    const check: HealthCheck = {
      name: "run_coordinator",
      status: probe.status,
      details: { url: this.#client.baseUrl },
    };
    if (probe.message !== undefined) check.message = probe.message;
    const status = probe.status === "ok" ? "ok" : "degraded";
    return jsonAnswer(HealthSchema, { status, time: new Date().toISOString(), checks: [check] });
  }

  version(): JsonAnswer {
    return this.#version;
  }

  startRun(caller: ArpCaller, body: RunStartRequest): Promise<JsonAnswer> {
    return this.#forward(caller, "POST", "/v1/runs", JSON.stringify(body));
  }

  getRun(caller: ArpCaller, runId: string): Promise<JsonAnswer> {
    return this.#forward(caller, "GET", runPath(runId));
  }

  cancelRun(caller: ArpCaller, runId: string): Promise<JsonAnswer> {
    return this.#forward(caller, "POST", `${runPath(runId)}:cancel`);
  }

  /** Pipes the coordinator's NDJSON through; the client leaving aborts the upstream request. */
  async streamEvents(
    caller: ArpCaller,
    runId: string,
    query: EventsQuery,
    reply: FastifyReply,
  ): Promise<JsonAnswer | undefined> {
    const path = `${runPath(runId)}/events${query.rawQuery}`;
    const token = await this.#outboundToken(caller);
    const gone = new AbortController();
    const onClose = (): void => gone.abort();
    reply.raw.once("close", onClose);
    try {
      const response = await this.#client.open(path, { token, signal: gone.signal });
      const status = response.statusCode ?? 502;
      if (status < 200 || status > 299) {
        const challenge = response.headers["www-authenticate"];
        return this.#failure(status, await this.#client.text(response), challenge);
      }
      const type = response.headers["content-type"] ?? "";
      if (!type.startsWith(NDJSON_TYPE)) {
        this.#logger.warn({ type }, "coordinator events are not NDJSON; passed through");
      }
      await pipe(response, reply, gone, this.#logger);
      return undefined;
    } finally {
      reply.raw.off("close", onClose);
      gone.abort();
    }
  }

  async #forward(
    caller: ArpCaller,
    method: "GET" | "POST",
    path: string,
    body?: string,
  ): Promise<JsonAnswer> {
    const token = await this.#outboundToken(caller);
    return this.#passRun(await this.#client.call(method, path, { token, body }));
  }

  /** The exchanged (or client-credentials) token for this call, or none without an STS client. */
  async #outboundToken(caller: ArpCaller): Promise<string | undefined> {
    const tokens = this.#options.tokens;
    if (tokens === undefined) return undefined;
    try {
      return (await tokens.outboundToken(caller.token, { audience: this.#options.audience }))
        .accessToken;
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      const facts = { kind: err.kind, status: err.status, reason: err.message };
      this.#logger.warn(facts, "outbound token request failed");
      throw tokenFailure(err);
    }
  }

  /** A coordinator `Run` passes through as it is; a foreign schema violation is logged (DESIGN-27). */
  #passRun(reply: UpstreamReply): JsonAnswer {
    if (reply.status < 200 || reply.status > 299) {
      return this.#failure(reply.status, reply.text, reply.wwwAuthenticate);
    }
    const body = parseJson(reply.text);
    if (body === undefined) {
      throw this.#client.unavailable("reply is not JSON", { status: reply.status });
    }
    const checked = RunSchema.safeParse(body);
    if (!checked.success) {
      const issues = checked.error.issues.length;
      this.#logger.warn(
        { issues },
        "coordinator Run breaks the ARP schema; passed through as it is",
      );
    }
    return { status: reply.status, body: reply.text };
  }

  /** A coordinator error envelope passes through with its status; anything else is a 502. */
  #failure(status: number, text: string, wwwAuthenticate?: string): JsonAnswer {
    const body = parseJson(text);
    if (!isEnvelopeLike(body) || status < 400 || status > 599) {
      throw this.#client.unavailable("unusable reply", { status });
    }
    if (!ErrorEnvelopeSchema.safeParse(body).success) {
      this.#logger.warn(
        { status },
        "coordinator error envelope breaks the ARP schema; passed through",
      );
    }
    if (status !== 401) return { status, body: text };
    // Every 401 carries a Bearer challenge (arp-auth-401-www-authenticate).
    return {
      status,
      body: text,
      headers: { "WWW-Authenticate": wwwAuthenticate ?? UPSTREAM_401_CHALLENGE },
    };
  }
}

/** Bytes from the coordinator to the client as they arrive, paced by the client (arp-fwd-stream-passthrough). */
async function pipe(
  response: IncomingMessage,
  reply: FastifyReply,
  gone: AbortController,
  logger: Logger,
): Promise<void> {
  reply.hijack();
  const writer = new NdjsonWriter(reply.raw);
  try {
    // Not pulling the next chunk until the client drained this one back-pressures the coordinator.
    for await (const chunk of response as AsyncIterable<Buffer>) {
      if (!(await writer.write(chunk))) break;
    }
    writer.end();
  } catch (err) {
    if (!gone.signal.aborted) {
      const reason = err instanceof Error ? err.message : "error";
      logger.warn({ reason }, "coordinator event stream broke off");
    }
    // A truncated body, never a clean end, tells the client the stream did not finish.
    writer.destroy();
  } finally {
    response.destroy();
  }
}
