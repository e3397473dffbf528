/**
 * Validation of events an agent asks to emit (§8.2). Agents may emit the informational kinds
 * and vendor kinds; tool_call, tool_result, delegate and result_chunk are emitted only by the
 * runtime itself, when it mediates the operation they describe.
 */
import { describeIssues } from "../../protocol/envelope.js";
import { ArcpError } from "../../protocol/errors.js";
import { EVENT_BODY_SCHEMAS, VENDOR_KIND } from "../../protocol/messages/index.js";

const AGENT_KINDS = new Set(["log", "thought", "status", "metric", "artifact_ref", "progress"]);

/** The body to emit for `kind`, validated and normalised; throws INVALID_REQUEST. */
export function validateAgentEvent(kind: string, body: unknown): unknown {
  if (AGENT_KINDS.has(kind)) {
    const schema = EVENT_BODY_SCHEMAS[kind as keyof typeof EVENT_BODY_SCHEMAS];
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new ArcpError(
        "INVALID_REQUEST",
        `invalid ${kind} event: ${describeIssues(parsed.error.issues, "body")}`,
      );
    }
    return kind === "metric" ? normaliseMetric(parsed.data as MetricInput) : parsed.data;
  }
  if (VENDOR_KIND.test(kind)) {
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new ArcpError("INVALID_REQUEST", `invalid ${kind} event: body must be an object`);
    }
    return body;
  }
  if (kind in EVENT_BODY_SCHEMAS) {
    throw new ArcpError(
      "INVALID_REQUEST",
      `${kind} events are emitted by the runtime, not by agents`,
    );
  }
  throw new ArcpError("INVALID_REQUEST", `unknown event kind "${kind}"`);
}

interface MetricInput {
  name: string;
  value: number;
  unit?: string | undefined;
  dims?: Record<string, string> | undefined;
  dimensions?: Record<string, string> | undefined;
}

/** Metrics leave with `dims`, the spelling every SDK reads; `dimensions` is accepted (DESIGN-5). */
function normaliseMetric(m: MetricInput): Record<string, unknown> {
  const out: Record<string, unknown> = { name: m.name, value: m.value };
  if (m.unit !== undefined) out["unit"] = m.unit;
  const dims = m.dims ?? m.dimensions;
  if (dims !== undefined) out["dims"] = dims;
  return out;
}
