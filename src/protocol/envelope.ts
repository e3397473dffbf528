/**
 * The single ARCP envelope codec (§5): decode and validate an inbound frame once at the edge,
 * encode an outbound envelope once. Unknown top-level fields are ignored.
 */
import { z } from "zod";
import { ArcpError } from "./errors.js";
import { INBOUND_PAYLOADS, type InboundPayload, type InboundType } from "./messages/index.js";

export const PROTOCOL_VERSION = "1.1";

const TRACE_ID = /^[0-9a-f]{32}$/;
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

const BaseEnvelopeSchema = z.object({
  arcp: z.string().regex(/^1(\.\d+)?$/, { message: 'must be "1.1"' }),
  id: z.string().min(1),
  type: z.string().min(1),
  session_id: z.string().min(1).optional(),
  job_id: z.string().min(1).optional(),
  trace_id: z.string().optional(),
  event_seq: z.number().int().nonnegative().optional(),
  extensions: z.record(z.string(), z.unknown()).optional(),
  payload: z.unknown(),
});

/** A validated inbound envelope, narrowed by `type`. */
export type InboundEnvelope = {
  [T in InboundType]: {
    id: string;
    type: T;
    session_id?: string;
    job_id?: string;
    /** Normalised 32-hex trace id (DESIGN-4). */
    trace_id?: string;
    /** The full W3C traceparent when the client sent one. */
    traceparent?: string;
    payload: InboundPayload<T>;
  };
}[InboundType];

export type DecodeResult =
  | { kind: "ok"; envelope: InboundEnvelope }
  | { kind: "ignored"; type: string }
  | { kind: "error"; error: ArcpError; id?: string; type?: string };

/** Render zod issues as `path: message` so the client learns which field is wrong. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], prefix = ""): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter((p) => p !== "").join(".");
      return `${path === "" ? "(root)" : path}: ${issue.message}`;
    })
    .join("; ");
}

function invalid(message: string, id?: string, type?: string): DecodeResult {
  const result: DecodeResult = { kind: "error", error: new ArcpError("INVALID_REQUEST", message) };
  if (id !== undefined) result.id = id;
  if (type !== undefined) result.type = type;
  return result;
}

function normaliseTrace(raw: string): { trace_id: string; traceparent?: string } | undefined {
  if (TRACE_ID.test(raw)) return { trace_id: raw };
  const m = TRACEPARENT.exec(raw);
  if (m?.[1] !== undefined) return { trace_id: m[1], traceparent: raw };
  return undefined;
}

/** The answer to a frame the transport refused to buffer because it was too large. */
export function oversizeFrame(maxBytes: number): DecodeResult {
  return invalid(`message exceeds the ${maxBytes}-byte size limit`);
}

/** Decode one text frame. `maxBytes` is the configured message size limit. */
export function decodeFrame(text: string, maxBytes: number): DecodeResult {
  if (text.length > maxBytes || Buffer.byteLength(text) > maxBytes) {
    return oversizeFrame(maxBytes);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return invalid("malformed JSON");
  }
  const base = BaseEnvelopeSchema.safeParse(raw);
  if (!base.success) {
    const id = (raw as { id?: unknown } | null)?.id;
    return invalid(
      `invalid envelope: ${describeIssues(base.error.issues)}`,
      typeof id === "string" ? id : undefined,
    );
  }
  const env = base.data;
  const schema = (INBOUND_PAYLOADS as Record<string, z.ZodType | undefined>)[env.type];
  if (schema === undefined) {
    if (env.type.startsWith("x-vendor.") && env.extensions?.["optional"] === true) {
      return { kind: "ignored", type: env.type };
    }
    return invalid(`unknown message type "${env.type}"`, env.id, env.type);
  }
  const payload = schema.safeParse(env.payload ?? {});
  if (!payload.success) {
    return invalid(
      `invalid ${env.type}: ${describeIssues(payload.error.issues, "payload")}`,
      env.id,
      env.type,
    );
  }
  const out: Record<string, unknown> = { id: env.id, type: env.type, payload: payload.data };
  if (env.session_id !== undefined) out["session_id"] = env.session_id;
  if (env.job_id !== undefined) out["job_id"] = env.job_id;
  if (env.trace_id !== undefined) {
    const trace = normaliseTrace(env.trace_id);
    if (trace === undefined) {
      return invalid(
        "trace_id: must be 32 lowercase hex characters or a W3C traceparent",
        env.id,
        env.type,
      );
    }
    Object.assign(out, trace);
  }
  return { kind: "ok", envelope: out as InboundEnvelope };
}

/** Fields of an outbound envelope besides `type` and `payload`. */
export interface OutboundFields {
  id: string;
  session_id?: string;
  trace_id?: string;
  job_id?: string;
  event_seq?: number;
}

/** Encode an outbound envelope with a stable field order. */
export function encodeEnvelope(type: string, fields: OutboundFields, payload: unknown): string {
  return encodeWithPayloadJson(type, fields, JSON.stringify(payload));
}

/**
 * Encode around an already-serialised payload, so one event body serialised once can be
 * stamped into several sessions' envelopes (owner and subscribers) without re-encoding.
 */
export function encodeWithPayloadJson(
  type: string,
  fields: OutboundFields,
  payloadJson: string,
): string {
  let out = `{"arcp":"1.1","id":"${fields.id}","type":"${type}"`;
  if (fields.session_id !== undefined) out += `,"session_id":"${fields.session_id}"`;
  if (fields.trace_id !== undefined) out += `,"trace_id":"${fields.trace_id}"`;
  if (fields.job_id !== undefined) out += `,"job_id":"${fields.job_id}"`;
  if (fields.event_seq !== undefined) out += `,"event_seq":${fields.event_seq}`;
  return `${out},"payload":${payloadJson}}`;
}

/** The hot-path encoder of seq-bearing job envelopes: no intermediate objects. */
export function encodeJobFrame(
  type: string,
  id: string,
  sessionId: string,
  traceId: string | undefined,
  jobId: string,
  seq: number,
  payloadJson: string,
): string {
  const trace = traceId === undefined ? "" : `,"trace_id":"${traceId}"`;
  return `{"arcp":"1.1","id":"${id}","type":"${type}","session_id":"${sessionId}"${trace},"job_id":"${jobId}","event_seq":${seq},"payload":${payloadJson}}`;
}
