/** ARP v1 `RunContext` (core/run_context.schema.json): tenant, actor, identity, trace. */
import { z } from "zod";
import { ExtensionsSchema, JsonObjectSchema, ResourceRefSchema } from "./common.js";

/** The closed `trace` block of a `RunContext`. */
export const RunTraceSchema = z.strictObject({
  trace_id: z.string().optional(),
  span_id: z.string().optional(),
  request_id: z.string().optional(),
});
export type RunTrace = z.infer<typeof RunTraceSchema>;

/** ARP `RunContext`: no required fields; `identity`, `policy` and `budgets` are free-form objects. */
export const RunContextSchema = z.strictObject({
  tenant_id: z.string().optional(),
  actor: ResourceRefSchema.optional(),
  identity: JsonObjectSchema.optional(),
  trace: RunTraceSchema.optional(),
  policy: JsonObjectSchema.optional(),
  budgets: JsonObjectSchema.optional(),
  extensions: ExtensionsSchema.optional(),
});
export type RunContext = z.infer<typeof RunContextSchema>;
