/** The embedded coordinator of `runplane serve` (DESIGN-17): ARP run routes answered from the local runtime. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ArpInboundAuth, Env } from "../auth/arp-auth-config.js";
import { ArcpError, ConfigError } from "../protocol/errors.js";
import type { Logger } from "../runtime/logger.js";
import { RunService } from "../runtime/runs.js";
import type { Runtime } from "../runtime/runtime.js";
import { payloadOf } from "../runtime/subscriptions.js";
import type { JobRecord } from "../store/store.js";
import type { BrowserGuard } from "../transport/browser-guard.js";
import { conflict, runNotFound } from "./arp-error.js";
import { NdjsonWriter } from "./ndjson-writer.js";
import { RunEventMapper } from "./run-events.js";
import { RUN_STATE_OF_JOB, type RunExtras, runOf, runStartOf } from "./run-mapping.js";
import {
  type HealthCheck,
  HealthSchema,
  type RunEvent,
  RunEventSchema,
  RunSchema,
  type RunStartRequest,
  VersionInfoSchema,
} from "./schemas/index.js";
import { healthOf, versionInfo, withTimeout } from "./service-info.js";
import {
  type ArpCaller,
  type ArpHandlers,
  type EventsQuery,
  type JsonAnswer,
  jsonAnswer,
  registerArpSurface,
} from "./surface.js";

export interface EmbeddedCoordinatorOptions {
  runtime: Runtime;
  runs: RunService;
  logger: Logger;
  /** Currency of `constraints.budgets.max_cost` (default `USD`). */
  currency: string;
  env: Env;
}

const HEALTH_PROBE_MS = 2000;

/** Health checks: the store answers, and the runtime is not shutting down. */
async function healthChecks(rt: Runtime): Promise<HealthCheck[]> {
  let store: HealthCheck;
  try {
    const result = await withTimeout(
      () => rt.store.health(),
      HEALTH_PROBE_MS,
      "store health check",
    );
    store = { name: "store", status: result.ok ? "ok" : "down", details: { kind: rt.store.kind } };
    if (!result.ok) store.message = result.message ?? "store unavailable";
  } catch (err) {
    store = {
      name: "store",
      status: "down",
      message: err instanceof Error ? err.message : "store unavailable",
    };
  }
  const runtime: HealthCheck = rt.stopping
    ? { name: "runtime", status: "down", message: "shutting down" }
    : { name: "runtime", status: "ok", details: { live_jobs: rt.jobs.size } };
  return [store, runtime];
}

/** The `job.error` code and message that ended a failed run, read from its log. */
async function failureOf(rt: Runtime, record: JobRecord): Promise<RunExtras> {
  if (RUN_STATE_OF_JOB[record.state] !== "failed") return {};
  // The terminal may still be in the group-commit queue; once it is durable, so is lastEventSeq.
  await rt.writer.idle();
  const stored = (await rt.store.getJob(record.id)) ?? record;
  if (stored.lastEventSeq < 1) return {};
  const [last] = await rt.store.readJobEvents(stored.id, stored.lastEventSeq - 1, 1);
  if (last?.type !== "job.error") return {};
  try {
    const payload = JSON.parse(payloadOf(last.frame)) as { code?: unknown; message?: unknown };
    if (typeof payload.code !== "string") return {};
    const error: NonNullable<RunExtras["error"]> = { code: payload.code };
    if (typeof payload.message === "string") error.message = payload.message;
    return { error };
  } catch {
    return {};
  }
}

/** One NDJSON line, checked against `RunEvent` before it leaves (arp-schema-all-emitted-valid). */
function lineOf(event: RunEvent): string {
  const checked = RunEventSchema.safeParse(event);
  if (!checked.success) throw new Error(`RunEvent breaks its ARP schema: ${checked.error.message}`);
  return `${JSON.stringify(event)}\n`;
}

/**
 * Streams a run's events (DESIGN-28): the opening events, then the log — history, then live —
 * pulled only as fast as the client drains (arp-events-live), a clean end after
 * `run_completed`, and the log reader aborted when the client goes.
 */
async function streamRun(
  options: EmbeddedCoordinatorOptions,
  record: JobRecord,
  query: EventsQuery,
  reply: FastifyReply,
): Promise<void> {
  reply.hijack();
  const writer = new NdjsonWriter(reply.raw);
  const reading = new AbortController();
  void writer.closed.then(() => reading.abort());
  const mapper = new RunEventMapper(record, { includeAll: query.includeAll });
  try {
    for (const event of mapper.opening()) if (!(await writer.write(lineOf(event)))) return;
    for await (const stored of options.runs.events(record, reading.signal)) {
      for (const event of mapper.map(stored)) if (!(await writer.write(lineOf(event)))) return;
      if (mapper.done) break;
    }
    if (!mapper.done && !writer.isClosed) {
      // By job id: the run id is per principal, and an observer's own run may share it.
      const current = await options.runs.current(record);
      for (const event of mapper.closing(current, Date.now())) await writer.write(lineOf(event));
    }
    writer.end();
  } catch (err) {
    options.logger.error({ err, job: record.id }, "ARP event stream failed");
    writer.destroy();
  } finally {
    reading.abort();
  }
}

/** The {@link ArpHandlers} of `runplane serve`: every ARP run is an ARCP job (arp-map-run-is-job). */
export class EmbeddedCoordinator implements ArpHandlers {
  readonly #options: EmbeddedCoordinatorOptions;
  readonly #rt: Runtime;
  readonly #runs: RunService;
  readonly #version: JsonAnswer;

  constructor(options: EmbeddedCoordinatorOptions) {
    this.#options = options;
    this.#rt = options.runtime;
    this.#runs = options.runs;
    this.#version = jsonAnswer(VersionInfoSchema, versionInfo("runplane", options.env));
  }

  async health(): Promise<JsonAnswer> {
    return jsonAnswer(HealthSchema, healthOf(await healthChecks(this.#rt)));
  }

  version(): JsonAnswer {
    return this.#version;
  }

  /** Maps the request onto a job and starts it; a reused `run_id` with another body is 409. */
  async startRun(
    caller: ArpCaller,
    body: RunStartRequest,
    http: FastifyRequest,
  ): Promise<JsonAnswer> {
    const traceparent = http.headers.traceparent;
    const start = runStartOf(body, caller.principal.id, this.#rt.agents, {
      currency: this.#options.currency,
      traceparent: typeof traceparent === "string" ? traceparent : undefined,
    });
    try {
      const { record } = await this.#runs.start(start);
      return await this.#answer(record);
    } catch (err) {
      if (!(err instanceof ArcpError) || err.code !== "DUPLICATE_KEY") throw err;
      const runId = body.run_id ?? "";
      throw conflict(`Run '${runId}' was already started with a different request`, {
        run_id: runId,
      });
    }
  }

  async getRun(caller: ArpCaller, runId: string): Promise<JsonAnswer> {
    return this.#answer(await this.#found(caller, runId));
  }

  /** Cancels as the owner's `job.cancel` would (arp-map-cancel); a finished run comes back as it is. */
  async cancelRun(caller: ArpCaller, runId: string): Promise<JsonAnswer> {
    const record = await this.#runs.cancel(caller.principal.id, runId);
    if (record === undefined) throw runNotFound(runId);
    return this.#answer(record);
  }

  async streamEvents(
    caller: ArpCaller,
    runId: string,
    query: EventsQuery,
    reply: FastifyReply,
  ): Promise<undefined> {
    const record = await this.#found(caller, runId);
    await streamRun(this.#options, record, query, reply);
    return undefined;
  }

  /** The run `principal` may see, else 404 exactly as for a missing run (DESIGN-21). */
  async #found(caller: ArpCaller, runId: string): Promise<JobRecord> {
    const record = await this.#runs.find(caller.principal.id, runId);
    if (record === undefined) throw runNotFound(runId);
    return record;
  }

  async #answer(record: JobRecord): Promise<JsonAnswer> {
    return jsonAnswer(RunSchema, runOf(record, await failureOf(this.#rt, record)));
  }
}

const CURRENCY = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;

/** Options of {@link registerEmbeddedCoordinator}; `currency` defaults to `RUNPLANE_ARP_CURRENCY`, else `USD`. */
export interface EmbeddedGatewayOptions {
  runtime: Runtime;
  auth: ArpInboundAuth;
  logger: Logger;
  env: Env;
  currency?: string | undefined;
  /** Refuses browser pages not invited (DESIGN-20); by default any request with `Origin`. */
  browserGuard?: BrowserGuard | undefined;
}

/**
 * Serves the ARP routes of `runplane serve` on `app` from `runtime` (DESIGN-17), bodies up
 * to the runtime's message size limit.
 * @throws ConfigError for a currency that `cost.budget` could not carry.
 */
export async function registerEmbeddedCoordinator(
  app: FastifyInstance,
  options: EmbeddedGatewayOptions,
): Promise<void> {
  const currency = options.currency ?? (options.env.RUNPLANE_ARP_CURRENCY?.trim() || "USD");
  if (!CURRENCY.test(currency)) {
    throw new ConfigError(
      "RUNPLANE_ARP_CURRENCY must be a currency code such as USD (a letter, then letters, digits, _ or -)",
    );
  }
  const handlers = new EmbeddedCoordinator({
    runtime: options.runtime,
    runs: new RunService(options.runtime),
    logger: options.logger,
    currency,
    env: options.env,
  });
  await registerArpSurface(app, {
    auth: options.auth,
    handlers,
    logger: options.logger,
    bodyLimit: options.runtime.config.maxMessageBytes,
    ...(options.browserGuard === undefined ? {} : { browserGuard: options.browserGuard }),
  });
}
