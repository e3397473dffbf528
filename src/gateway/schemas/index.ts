/** ARP v1 Run Gateway schemas (zod): every object the gateway accepts or emits, and their types. */
import { ExtensionsSchema, MetadataSchema, ResourceRefSchema, StatusSchema } from "./common.js";
import { ConstraintEnvelopeSchema } from "./constraints.js";
import { ErrorCauseSchema, ErrorDetailSchema, ErrorEnvelopeSchema } from "./error.js";
import { HealthSchema } from "./health.js";
import { RunSchema, RunStateSchema } from "./run.js";
import { RunContextSchema } from "./run-context.js";
import { RunEventSchema, RunEventTypeSchema } from "./run-event.js";
import { NodeTypeRefSchema, RunStartRequestSchema } from "./run-start-request.js";
import { VersionInfoSchema } from "./version-info.js";

export * from "./common.js";
export * from "./constraints.js";
export * from "./error.js";
export * from "./health.js";
export * from "./issues.js";
export * from "./run.js";
export * from "./run-context.js";
export * from "./run-event.js";
export * from "./run-start-request.js";
export * from "./version-info.js";

/**
 * The named ARP objects, keyed by the spec's schema `title` (`Error` is `ErrorDetail` here).
 * The OpenAPI document publishes these as its component schemas.
 */
export const ARP_SCHEMAS = {
  Extensions: ExtensionsSchema,
  Status: StatusSchema,
  ResourceRef: ResourceRefSchema,
  Metadata: MetadataSchema,
  NodeTypeRef: NodeTypeRefSchema,
  RunContext: RunContextSchema,
  ConstraintEnvelope: ConstraintEnvelopeSchema,
  RunStartRequest: RunStartRequestSchema,
  RunState: RunStateSchema,
  Run: RunSchema,
  RunEventType: RunEventTypeSchema,
  RunEvent: RunEventSchema,
  Health: HealthSchema,
  VersionInfo: VersionInfoSchema,
  ErrorCause: ErrorCauseSchema,
  Error: ErrorDetailSchema,
  ErrorEnvelope: ErrorEnvelopeSchema,
} as const;

/** A name of {@link ARP_SCHEMAS}. */
export type ArpSchemaName = keyof typeof ARP_SCHEMAS;
