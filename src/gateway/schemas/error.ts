/** ARP v1 error bodies: `ErrorCause`, `Error` and `ErrorEnvelope` (common/error*.schema.json). */
import { z } from "zod";
import { ExtensionsSchema, JsonObjectSchema } from "./common.js";

/** ARP `ErrorCause`: the underlying failure behind an error, `message` required. */
export const ErrorCauseSchema = z.strictObject({
  code: z.string().optional(),
  message: z.string(),
  details: JsonObjectSchema.optional(),
  extensions: ExtensionsSchema.optional(),
});
export type ErrorCause = z.infer<typeof ErrorCauseSchema>;

/** ARP `Error` (error_detail.schema.json): machine `code` and human `message`. */
export const ErrorDetailSchema = z.strictObject({
  code: z.string(),
  message: z.string(),
  details: JsonObjectSchema.optional(),
  retryable: z.boolean().optional(),
  cause: ErrorCauseSchema.optional(),
  extensions: ExtensionsSchema.optional(),
});
export type ErrorDetail = z.infer<typeof ErrorDetailSchema>;

/** ARP `ErrorEnvelope`: the body of every non-2xx response. */
export const ErrorEnvelopeSchema = z.strictObject({
  error: ErrorDetailSchema,
  extensions: ExtensionsSchema.optional(),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;
