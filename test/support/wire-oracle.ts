/**
 * The wire oracle for tests: checks one received frame against the envelope rules of §5 and
 * DESIGN-1/2/3/5 (and what the TS SDK client rejects), and its payload against the message
 * schemas. Returns the problems found; an empty list means the frame is valid.
 */
import type { z } from "zod";
import { ERROR_CODES } from "../../src/protocol/error-codes.js";
import {
  ErrorPayloadSchema,
  EVENT_BODY_SCHEMAS,
  JobAcceptedPayloadSchema,
  JobErrorPayloadSchema,
  JobEventPayloadSchema,
  JobResultPayloadSchema,
  JobSubscribedPayloadSchema,
  SessionJobsPayloadSchema,
  SessionPingPayloadSchema,
  SessionPongPayloadSchema,
  SessionWelcomePayloadSchema,
} from "../../src/protocol/messages/index.js";
import type { Frame } from "./arcp-test-client.js";

const PAYLOADS: Record<string, z.ZodType> = {
  "session.welcome": SessionWelcomePayloadSchema,
  "session.error": ErrorPayloadSchema,
  "session.ping": SessionPingPayloadSchema,
  "session.pong": SessionPongPayloadSchema,
  "session.jobs": SessionJobsPayloadSchema,
  "job.accepted": JobAcceptedPayloadSchema,
  "job.event": JobEventPayloadSchema,
  "job.result": JobResultPayloadSchema,
  "job.error": JobErrorPayloadSchema,
  "job.subscribed": JobSubscribedPayloadSchema,
};
const NO_PAYLOAD_CHECK = new Set(["session.closed", "job.cancelled"]);
const SEQ_TYPES = new Set(["job.event", "job.result", "job.error"]);
const CODES: ReadonlySet<string> = new Set(ERROR_CODES);

function nulls(value: unknown, path: string, out: string[], allowed: ReadonlySet<string>): void {
  if (value === null) {
    if (!allowed.has(path.replace(/\[\d+\]/g, "[]"))) out.push(`null at ${path}`);
    return;
  }
  if (typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) nulls(v, `${path}[${i}]`, out, allowed);
  } else for (const [k, v] of Object.entries(value)) nulls(v, `${path}.${k}`, out, allowed);
}

/** Where a null is part of the schema (NullOr), or user data the runtime echoes. */
const NULL_ALLOWED = new Set([
  "payload.next_cursor",
  "payload.jobs[].parent_job_id",
  "payload.parent_job_id",
]);

function errorRules(p: Record<string, unknown>, where: string, out: string[]): void {
  const code = p["code"];
  if (typeof code !== "string" || !CODES.has(code))
    out.push(`${where}: code ${String(code)} is not a §12 code`);
  if ((code === "LEASE_EXPIRED" || code === "BUDGET_EXHAUSTED") && p["retryable"] !== false) {
    out.push(`${where}: ${code} must not be retryable`);
  }
  if (code === "INTERNAL_ERROR" && p["retryable"] !== true)
    out.push(`${where}: INTERNAL_ERROR must be retryable`);
}

export function checkFrame(f: Frame): string[] {
  const out: string[] = [];
  if (f.arcp !== "1.1") out.push(`arcp is ${String(f.arcp)}`);
  if (!/^msg_[0-9A-HJKMNP-TV-Z]{26}$/.test(f.id)) out.push(`id ${f.id} is not msg_<ULID>`);
  if (!/^sess_[0-9A-HJKMNP-TV-Z]{26}$/.test(f.session_id ?? ""))
    out.push(`${f.type} without a sess_ session_id`);
  if (f.job_id !== undefined && !/^job_[0-9A-HJKMNP-TV-Z]{26}$/.test(f.job_id))
    out.push(`job_id ${f.job_id}`);
  if (f.trace_id !== undefined && !/^[0-9a-f]{32}$/.test(f.trace_id))
    out.push(`trace_id ${f.trace_id}`);
  if (SEQ_TYPES.has(f.type) !== (f.event_seq !== undefined))
    out.push(`${f.type} event_seq presence`);
  if (f.event_seq !== undefined && !(Number.isInteger(f.event_seq) && f.event_seq > 0))
    out.push("event_seq");
  if ("extensions" in f) out.push("runtime frames carry no extensions");
  nulls(f.payload, "payload", out, NULL_ALLOWED);
  const schema = PAYLOADS[f.type];
  if (schema === undefined) {
    if (!NO_PAYLOAD_CHECK.has(f.type)) out.push(`unexpected type ${f.type}`);
    return out;
  }
  const parsed = schema.safeParse(f.payload);
  if (!parsed.success)
    out.push(
      `${f.type}: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`,
    );
  if (f.type === "session.error" || f.type === "job.error") errorRules(f.payload, f.type, out);
  if (f.type === "job.event") checkEventBody(f, out);
  return out;
}

function checkEventBody(f: Frame, out: string[]): void {
  const kind = String(f.payload["kind"]);
  const body = f.payload["body"];
  if (Number.isNaN(Date.parse(String(f.payload["ts"])))) out.push("job.event ts is not a time");
  const schema = (EVENT_BODY_SCHEMAS as Record<string, z.ZodType | undefined>)[kind];
  if (schema === undefined) {
    if (!/^x-vendor\.[a-z0-9_.-]+$/.test(kind)) out.push(`unknown event kind ${kind}`);
    return;
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    out.push(
      `${kind} body: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`,
    );
  if (kind === "tool_result") {
    const err = (body as Record<string, unknown>)["error"];
    if (err !== undefined) errorRules(err as Record<string, unknown>, "tool_result.error", out);
  }
  if (kind === "metric" && "dimensions" in (body as object))
    out.push("metric leaves with dims, not dimensions");
}
