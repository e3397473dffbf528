/** W3C trace context for jobs (§11, DESIGN-4): keep the client's trace id, mint a span per job. */
import { randomHex } from "../../protocol/random.js";

export interface JobTrace {
  traceId: string;
  traceparent: string;
}

export function jobTrace(traceId: string | undefined, sampled = true): JobTrace {
  const id = traceId ?? randomHex(16);
  const span = randomHex(8);
  return { traceId: id, traceparent: `00-${id}-${span}-${sampled ? "01" : "00"}` };
}
