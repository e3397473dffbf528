/** ARP v1 `Health` (common/health.schema.json), the body of `GET /v1/health`. */
import { z } from "zod";
import { DateTimeSchema, ExtensionsSchema, JsonObjectSchema, StatusSchema } from "./common.js";

/** One closed item of `Health.checks`. */
export const HealthCheckSchema = z.strictObject({
  name: z.string(),
  status: StatusSchema,
  message: z.string().optional(),
  details: JsonObjectSchema.optional(),
});
export type HealthCheck = z.infer<typeof HealthCheckSchema>;

/** ARP `Health`: overall `status`, the `time` it was taken, optional per-dependency checks. */
export const HealthSchema = z.strictObject({
  status: StatusSchema,
  time: DateTimeSchema,
  checks: z.array(HealthCheckSchema).optional(),
  extensions: ExtensionsSchema.optional(),
});
export type Health = z.infer<typeof HealthSchema>;
