/** ARP v1 `RunEvent`, `RunEventType` (core/run_event.schema.json): one NDJSON line. */
import { z } from "zod";
import { DateTimeSchema, ExtensionsSchema, JsonObjectSchema } from "./common.js";

/** ARP `RunEventType`: a closed, node-centric set. */
export const RUN_EVENT_TYPES = [
  "run_started",
  "node_run_assigned",
  "composite_decomposed",
  "candidate_set_generated",
  "subtask_mapped",
  "atomic_executed",
  "node_evaluated",
  "recovery_applied",
  "policy_decided",
  "run_completed",
] as const;
export const RunEventTypeSchema = z.enum(RUN_EVENT_TYPES);
export type RunEventType = z.infer<typeof RunEventTypeSchema>;

/** ARP `RunEvent`: `seq` is a non-negative integer, ordered within the run. */
export const RunEventSchema = z.strictObject({
  run_id: z.string(),
  node_run_id: z.string().optional(),
  seq: z.number().int().min(0),
  type: RunEventTypeSchema,
  time: DateTimeSchema,
  data: JsonObjectSchema.optional(),
  extensions: ExtensionsSchema.optional(),
});
export type RunEvent = z.infer<typeof RunEventSchema>;
