/** §8 job events: the `job.event` payload and one body schema per reserved kind. */
import { z } from "zod";
import {
  ErrorPayloadSchema,
  LeaseConstraintsSchema,
  LeaseSchema,
  NonEmptyString,
} from "./common.js";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "critical"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LogBodySchema = z.object({
  level: z.enum(LOG_LEVELS),
  message: NonEmptyString,
  attributes: z.record(z.string(), z.unknown()).optional(),
});

export const ThoughtBodySchema = z.object({ text: z.string() });

export const ToolCallBodySchema = z.object({
  tool: NonEmptyString,
  args: z.record(z.string(), z.unknown()).optional(),
  call_id: NonEmptyString,
});

export const ToolResultBodySchema = z
  .object({
    call_id: NonEmptyString,
    result: z.unknown().optional(),
    error: ErrorPayloadSchema.optional(),
  })
  .refine((b) => (b.result === undefined) !== (b.error === undefined), {
    message: "tool_result carries exactly one of result or error",
  });

export const StatusBodySchema = z.object({ phase: NonEmptyString, message: z.string().optional() });

/** §8.2 metric; accepts the spec's `dimensions` and the SDKs' `dims` (DESIGN-5). */
export const MetricBodySchema = z.object({
  name: NonEmptyString,
  value: z.number().refine(Number.isFinite, { message: "must be a finite number" }),
  unit: NonEmptyString.optional(),
  dims: z.record(z.string(), z.string()).optional(),
  dimensions: z.record(z.string(), z.string()).optional(),
});

export const ArtifactRefBodySchema = z.object({
  uri: NonEmptyString,
  content_type: NonEmptyString,
  byte_size: z.number().int().nonnegative().optional(),
  sha256: z.string().optional(),
});

/** §10 delegate body (TS SDK shape, DESIGN-6). */
export const DelegateBodySchema = z.object({
  delegate_id: NonEmptyString,
  agent: NonEmptyString,
  input: z.unknown().optional(),
  lease_request: LeaseSchema.optional(),
  lease_constraints: LeaseConstraintsSchema.optional(),
});

export const ProgressBodySchema = z
  .object({
    current: z.number().nonnegative(),
    total: z.number().nonnegative().optional(),
    units: NonEmptyString.optional(),
    message: z.string().optional(),
  })
  .refine((p) => p.total === undefined || p.current <= p.total, {
    message: "current must not exceed total",
    path: ["current"],
  });

export const ResultChunkBodySchema = z.object({
  result_id: NonEmptyString,
  chunk_seq: z.number().int().nonnegative(),
  data: z.string(),
  encoding: z.enum(["utf8", "base64"]),
  more: z.boolean(),
});

export const EVENT_BODY_SCHEMAS = {
  log: LogBodySchema,
  thought: ThoughtBodySchema,
  tool_call: ToolCallBodySchema,
  tool_result: ToolResultBodySchema,
  status: StatusBodySchema,
  metric: MetricBodySchema,
  artifact_ref: ArtifactRefBodySchema,
  delegate: DelegateBodySchema,
  progress: ProgressBodySchema,
  result_chunk: ResultChunkBodySchema,
} as const;

export type EventKind = keyof typeof EVENT_BODY_SCHEMAS;
export type EventBody<K extends EventKind> = z.infer<(typeof EVENT_BODY_SCHEMAS)[K]>;
export const EVENT_KINDS = Object.keys(EVENT_BODY_SCHEMAS) as EventKind[];

/** Vendor event kinds pass through untouched (§8.2 extension space). */
export const VENDOR_KIND = /^x-vendor\.[a-z0-9_.-]+$/;

export const JobEventPayloadSchema = z.object({
  kind: NonEmptyString,
  ts: NonEmptyString,
  body: z.unknown(),
});
export type JobEventPayload = z.infer<typeof JobEventPayloadSchema>;
