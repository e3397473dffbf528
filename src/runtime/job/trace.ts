/** W3C trace context for jobs (§11, DESIGN-4): keep the client's trace id, mint a span per job. */
import { randomBytes } from "node:crypto";

export interface JobTrace {
  traceId: string;
  traceparent: string;
}

export function jobTrace(traceId: string | undefined, sampled = true): JobTrace {
  const id = traceId ?? randomBytes(16).toString("hex");
  const span = randomBytes(8).toString("hex");
  return { traceId: id, traceparent: `00-${id}-${span}-${sampled ? "01" : "00"}` };
}
