/**
 * The little JSON-lines protocol of command agents (any executable, any language).
 * Runtime → agent (stdin): first `{"input": …, "job": {…}}`, later `{"reply": {"id", "result"}}`
 * or `{"reply": {"id", "error": {"code", "message"}}}`.
 * Agent → runtime (stdout): `{"event": {"kind", "body"}}`, `{"call": {"id", "op", "args"}}`,
 * `{"chunk": {"data", "encoding"?}}`, and finally `{"result": …}` or `{"error": {"code", "message"}}`.
 * Stderr lines become `log` events.
 */
import { z } from "zod";

export const AgentLineSchema = z.union([
  z.object({ event: z.object({ kind: z.string().min(1), body: z.unknown() }) }),
  z.object({
    call: z.object({
      id: z.union([z.string(), z.number()]),
      op: z.string().min(1),
      args: z.record(z.string(), z.unknown()).optional(),
    }),
  }),
  z.object({
    chunk: z.object({ data: z.string(), encoding: z.enum(["utf8", "base64"]).optional() }),
  }),
  z.object({ result: z.unknown() }),
  z.object({
    error: z.object({
      code: z.string(),
      message: z.string().optional(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  }),
]);
export type AgentLine = z.infer<typeof AgentLineSchema>;
