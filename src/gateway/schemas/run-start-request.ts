/** ARP v1 `RunStartRequest` (run_gateway/runs/…): the body of `POST /v1/runs`. */
import { z } from "zod";
import { ExtensionsSchema, JsonObjectSchema, MetadataSchema } from "./common.js";
import { ConstraintEnvelopeSchema } from "./constraints.js";
import { RunContextSchema } from "./run-context.js";

/** ARP `NodeTypeRef` (core/node_type_ref.schema.json): which node type, at which version. */
export const NodeTypeRefSchema = z.strictObject({
  node_type_id: z.string(),
  version: z.string(),
  extensions: ExtensionsSchema.optional(),
});
export type NodeTypeRef = z.infer<typeof NodeTypeRefSchema>;

/** ARP `RunStartRequest`: closed; `root_node_type_ref` and an object `input` are required. */
export const RunStartRequestSchema = z.strictObject({
  run_id: z.string().optional(),
  root_node_type_ref: NodeTypeRefSchema,
  input: JsonObjectSchema,
  run_context: RunContextSchema.optional(),
  constraints: ConstraintEnvelopeSchema.optional(),
  metadata: MetadataSchema.optional(),
  extensions: ExtensionsSchema.optional(),
});
export type RunStartRequest = z.infer<typeof RunStartRequestSchema>;
