/** The embedded coordinator's mapping (DESIGN-17, DESIGN-27): ARP start requests onto jobs, jobs onto `Run`s. */
import type { z } from "zod";
import { ArcpError } from "../protocol/errors.js";
import type { JobState } from "../protocol/job-state.js";
import { LeaseConstraintsSchema, LeaseSchema } from "../protocol/messages/common.js";
import { AGENT_NAME, AGENT_VERSION } from "../protocol/messages/jobs.js";
import type { RunStart } from "../runtime/runs.js";
import type { JobRecord } from "../store/store.js";
import { type ArpHttpError, badRequest, zodIssuesToDetails } from "./arp-error.js";
import type { Extensions, Run, RunStartRequest, RunState } from "./schemas/index.js";

/** Extension key of a start request carrying the job's ARCP lease (§9.1). */
export const LEASE_EXTENSION = "arcp.lease";
/** Extension key of a start request carrying the job's ARCP lease constraints (§9.5). */
export const LEASE_CONSTRAINTS_EXTENSION = "arcp.lease_constraints";
const OWN_EXTENSIONS = new Set([LEASE_EXTENSION, LEASE_CONSTRAINTS_EXTENSION]);

/** The part of the agent registry the mapping needs (§7.5). */
export interface AgentCatalog {
  defaultVersion(name: string): string | undefined;
}

/** Mapping settings: the currency `max_cost` is counted in (default `USD`). */
export interface RunMappingOptions {
  currency: string;
}

/** `job state → RunState` (requirement arp-map-state). */
export const RUN_STATE_OF_JOB: Readonly<Record<JobState, RunState>> = {
  pending: "queued",
  running: "running",
  success: "succeeded",
  error: "failed",
  timed_out: "failed",
  cancelled: "canceled",
};

/**
 * The agent reference for a `NodeTypeRef`: `node_type_id@version`, the literal `latest`
 * naming the agent's default version. Names outside the §7.5 grammar are unknown agents.
 */
export function agentRefOf(
  ref: RunStartRequest["root_node_type_ref"],
  agents: AgentCatalog,
): string {
  const name = ref.node_type_id;
  if (!AGENT_NAME.test(name)) {
    throw new ArcpError("AGENT_NOT_AVAILABLE", `agent "${name.slice(0, 64)}" is not registered`);
  }
  if (ref.version === "latest") {
    const version = agents.defaultVersion(name);
    if (version === undefined)
      throw new ArcpError("AGENT_NOT_AVAILABLE", `agent "${name}" is not registered`);
    return `${name}@${version}`;
  }
  if (!AGENT_VERSION.test(ref.version)) {
    throw new ArcpError(
      "AGENT_VERSION_NOT_AVAILABLE",
      `agent "${name}" has no version "${ref.version.slice(0, 64)}"`,
    );
  }
  return `${name}@${ref.version}`;
}

/**
 * The exact decimal digits of a JSON number, never in exponent form: `0.1` → `"0.1"`,
 * `1e-7` → `"0.0000001"`, `1e21` → `"1000000000000000000000"`. The shortest round-trip
 * form is the number the client wrote, so no binary noise appears.
 */
export function decimalString(value: number): string {
  const text = String(value);
  const m = /^(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (m === null) return text;
  const [, whole = "", fraction = "", exp = "0"] = m;
  const digits = whole + fraction;
  const point = whole.length + Number(exp);
  if (point <= 0) return `0.${"0".repeat(-point)}${digits}`.replace(/0+$/, "");
  if (point >= digits.length) return digits + "0".repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}

function fieldError(path: (string | number)[], message: string): ArpHttpError {
  const issue = { code: "custom", path, message, input: undefined } as z.core.$ZodIssue;
  return badRequest("Request validation failed", zodIssuesToDetails([issue]));
}

function parseExtension<T>(schema: z.ZodType<T>, key: string, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    ...issue,
    path: ["extensions", key, ...issue.path],
  }));
  throw badRequest("Request validation failed", zodIssuesToDetails(issues as z.core.$ZodIssue[]));
}

/** Lease and lease constraints from the `arcp.*` extension keys; unknown `arcp.*` keys are refused. */
function leaseFromExtensions(
  extensions: Extensions | undefined,
): Pick<RunStart, "leaseRequest" | "leaseConstraints"> {
  const out: Pick<RunStart, "leaseRequest" | "leaseConstraints"> = {};
  for (const key of Object.keys(extensions ?? {})) {
    if (key.startsWith("arcp.") && !OWN_EXTENSIONS.has(key)) {
      throw fieldError(
        ["extensions", key],
        `unknown extension; this gateway reads ${[...OWN_EXTENSIONS].join(" and ")}`,
      );
    }
  }
  const lease = extensions?.[LEASE_EXTENSION];
  if (lease !== undefined) out.leaseRequest = parseExtension(LeaseSchema, LEASE_EXTENSION, lease);
  const constraints = extensions?.[LEASE_CONSTRAINTS_EXTENSION];
  if (constraints !== undefined) {
    out.leaseConstraints = parseExtension(
      LeaseConstraintsSchema.strict(),
      LEASE_CONSTRAINTS_EXTENSION,
      constraints,
    );
  }
  return out;
}

/** `max_wall_time_ms` as whole seconds, rounded up (DESIGN-27); ARCP needs at least one. */
function maxRuntimeOf(ms: number | undefined): number | undefined {
  if (ms === undefined) return undefined;
  const where = ["constraints", "budgets", "max_wall_time_ms"];
  if (ms < 1) throw fieldError(where, "must be at least 1");
  // Node timers cannot wait longer; a larger bound would fire at once instead of never.
  if (ms > MAX_TIMER_MS) throw fieldError(where, `must be at most ${MAX_TIMER_MS} (about 24 days)`);
  return Math.ceil(ms / 1000);
}

/** Longest delay a Node timer honours (2³¹ − 1 ms), rounded down to whole seconds. */
const MAX_TIMER_MS = 2_147_483_000;
/** Longest client `run_id` accepted. */
export const MAX_RUN_ID_LENGTH = 256;

/**
 * Whether a run id is a URL dot segment (`.` or `..`): percent-encoding leaves dots alone, so
 * such an id in `/v1/runs/{run_id}` would name another path once a URL is resolved.
 */
export function isDotSegment(runId: string): boolean {
  return runId === "." || runId === "..";
}

function checkRunId(runId: string | undefined): void {
  if (runId === undefined) return;
  if (runId.length === 0 || runId.length > MAX_RUN_ID_LENGTH) {
    throw fieldError(["run_id"], `must be 1 to ${MAX_RUN_ID_LENGTH} characters`);
  }
  if (isDotSegment(runId)) throw fieldError(["run_id"], 'must not be "." or ".."');
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** A W3C `traceparent` header, else `run_context.trace.trace_id`, when well formed (DESIGN-4). */
function traceOf(req: RunStartRequest, traceparent: string | undefined): string | undefined {
  if (traceparent !== undefined && TRACEPARENT.test(traceparent)) return traceparent;
  const traceId = req.run_context?.trace?.trace_id;
  return traceId !== undefined && TRACE_ID.test(traceId) ? traceId : undefined;
}

/**
 * A validated `RunStartRequest` as a `RunService.start` request (DESIGN-17): agent from
 * `root_node_type_ref`, `max_cost` → a `cost.budget` entry, `max_wall_time_ms` →
 * `max_runtime_sec`, the `arcp.lease*` extensions → lease. Everything else in `constraints`
 * and `metadata` is accepted and not enforced.
 * @throws ArpHttpError 400, or ArcpError AGENT_NOT_AVAILABLE / AGENT_VERSION_NOT_AVAILABLE.
 */
export function runStartOf(
  req: RunStartRequest,
  principal: string,
  agents: AgentCatalog,
  options: RunMappingOptions & { traceparent?: string | undefined },
): RunStart {
  checkRunId(req.run_id);
  const agent = agentRefOf(req.root_node_type_ref, agents);
  const { leaseRequest, leaseConstraints } = leaseFromExtensions(req.extensions);
  const budgets = req.constraints?.budgets;
  let lease = leaseRequest;
  if (budgets?.max_cost !== undefined) {
    const entry = `${options.currency}:${decimalString(budgets.max_cost)}`;
    lease = { ...lease, "cost.budget": [...(lease?.["cost.budget"] ?? []), entry] };
  }
  return {
    principal,
    runId: req.run_id,
    agent,
    input: req.input,
    leaseRequest: lease,
    leaseConstraints,
    maxRuntimeSec: maxRuntimeOf(budgets?.max_wall_time_ms),
    runContext: req.run_context,
    body: req,
    traceId: traceOf(req, options.traceparent),
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Extra facts about a finished job that a `Run` can show. */
export interface RunExtras {
  /** The terminal `job.error` of a failed run, `code` and `message`. */
  error?: { code: string; message?: string };
}

/**
 * The ARP `Run` of a job (DESIGN-17): `run_id` is the client's run id or the job id,
 * `root_node_run_id` the job id; extensions `arcp.job_id`, `arcp.agent` and, for a failed
 * run, `arcp.error`. Nothing else of the job (input, lease, credentials) is shown.
 */
export function runOf(record: JobRecord, extras: RunExtras = {}): Run {
  const state = RUN_STATE_OF_JOB[record.state];
  const run: Run = { run_id: record.runId ?? record.id, state, root_node_run_id: record.id };
  if (record.runContext !== null)
    run.run_context = record.runContext as Run["run_context"] & object;
  if (record.startedAt !== null) run.started_at = iso(record.startedAt);
  if (record.endedAt !== null) run.ended_at = iso(record.endedAt);
  const extensions: Extensions = { "arcp.job_id": record.id, "arcp.agent": record.agent };
  if (state === "failed") {
    const code = extras.error?.code ?? record.errorCode;
    if (code !== null) {
      const message = extras.error?.message;
      extensions["arcp.error"] = message === undefined ? { code } : { code, message };
    }
  }
  run.extensions = extensions;
  return run;
}
